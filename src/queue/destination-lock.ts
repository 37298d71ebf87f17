import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Deletes the key only if it still holds our token, so a lock that expired and was taken by
// another worker is never released by us (the usual single-instance Redis lock).
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export interface DestinationLock {
  /** Resolves to a release function, or undefined when another probe holds the address. */
  acquire(address: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;
}

/**
 * At most one connection per destination address at a time, across every worker sharing the
 * Redis: mail servers count connections per client and answer "421 too many connections".
 */
export function createDestinationLock(redis: Redis, prefix: string): DestinationLock {
  return {
    async acquire(address, ttlMs) {
      const key = `${prefix}:smtp-destination:${address}`;
      const token = randomUUID();
      const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
      if (taken !== 'OK') return undefined;
      return async () => {
        await redis.eval(RELEASE, 1, key, token);
      };
    },
  };
}
