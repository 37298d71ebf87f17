import { Redis } from 'ioredis';

/**
 * Redis connections for BullMQ. Workers and event listeners block on Redis and must retry
 * forever (maxRetriesPerRequest: null, as BullMQ requires); a producer in a CLI should fail fast
 * with a clear error instead of hanging when Redis is down.
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer'): Redis {
  return role === 'worker'
    ? new Redis(url, { maxRetriesPerRequest: null })
    : new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000, lazyConnect: true });
}
