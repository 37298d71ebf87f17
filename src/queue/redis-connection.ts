import { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { redactUrl } from '../redact-url.js';

/**
 * Redis connections for BullMQ. Workers and event listeners block on Redis and must retry
 * forever (maxRetriesPerRequest: null, as BullMQ requires); a producer in a CLI should fail fast
 * with a clear error instead of hanging when Redis is down.
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer'): Redis {
  try {
    return role === 'worker'
      ? new Redis(url, { maxRetriesPerRequest: null })
      : new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000, lazyConnect: true });
  } catch (error) {
    // ioredis parses the URL with WHATWG URL, whose TypeError carries the whole text, password
    // included, as `input`: a logger printing the error (or its cause) would print it. So the
    // error does not travel on; its message does, redacted in case it quotes the URL.
    const why = error instanceof Error ? error.message : String(error);
    throw new AppError('BAD_CONFIG', `cannot use the Redis URL "${redactUrl(url)}" (MXOPS_REDIS_URL): ${redactUrl(why)}`);
  }
}
