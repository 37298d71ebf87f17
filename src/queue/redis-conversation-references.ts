import type { Redis } from 'ioredis';
import type {
  ConversationReferenceStore,
  StoredConversationReference,
} from '../chat/teams/conversation-reference-store.js';

/** Refreshed on every incoming activity, so only conversations silent this long are forgotten. */
const KEEP_SECONDS = 90 * 24 * 3600;

/**
 * Teams conversation references in Redis, so any replica or worker can continue a conversation
 * (DESIGN.md, "Threads are data").
 */
export function createRedisConversationReferenceStore(redis: Redis, prefix: string): ConversationReferenceStore {
  const key = (conversation: string): string => `${prefix}:teams:ref:${conversation}`;
  return {
    async get(conversation) {
      const json = await redis.get(key(conversation));
      return json === null ? undefined : (JSON.parse(json) as StoredConversationReference);
    },
    async put(conversation, reference) {
      await redis.set(key(conversation), JSON.stringify(reference), 'EX', KEEP_SECONDS);
    },
  };
}
