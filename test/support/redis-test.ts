/** Real Redis for queue tests (BullMQ's Lua cannot be mocked): one unique key prefix per test. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.MXOPS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(): string {
  return `mxops-test-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under the prefix, so test runs leave Redis as they found it. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** dropPrefix over a connection of its own, for a process that holds none (a bench's clean-up). */
export async function dropPrefixAt(url: string, prefix: string): Promise<void> {
  const admin = new Redis(url);
  try {
    await dropPrefix(admin, prefix);
  } finally {
    admin.disconnect();
  }
}
