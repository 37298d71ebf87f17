import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredConversationReference } from '../../src/chat/teams/conversation-reference-store.js';
import { createRedisConversationReferenceStore } from '../../src/queue/redis-conversation-references.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';

const REFERENCE: StoredConversationReference = {
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  conversation: {
    id: '19:abc@thread.tacv2',
    conversationType: 'channel',
    isGroup: true,
    name: 'mail-ops',
    tenantId: 't',
  },
  bot: { id: '28:bot', name: 'mxops' },
};

describe('Teams conversation references in Redis', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = uniquePrefix();
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('hands a reference stored by one process to another, and expires it after 90 days', async () => {
    await createRedisConversationReferenceStore(redis, prefix).put('19:abc@thread.tacv2', REFERENCE);
    const other = new Redis(REDIS_URL);
    try {
      expect(await createRedisConversationReferenceStore(other, prefix).get('19:abc@thread.tacv2')).toEqual(REFERENCE);
      expect(await createRedisConversationReferenceStore(other, prefix).get('19:unknown')).toBeUndefined();
      const ttl = await other.ttl(`${prefix}:teams:ref:19:abc@thread.tacv2`);
      expect(ttl).toBeGreaterThan(89 * 24 * 3600);
    } finally {
      other.disconnect();
    }
  });
});
