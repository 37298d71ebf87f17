import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors.js';
import { redactUrl } from '../redact-url.js';
import type { RedisOutage } from './redis-outage.js';

/**
 * Redis connections for BullMQ. Workers and event listeners block on Redis and must retry
 * forever (maxRetriesPerRequest: null, as BullMQ requires); a producer in a CLI should fail fast
 * with a clear error instead of hanging when Redis is down.
 *
 * Given an outage account (redis-outage.ts), a connection and every duplicate BullMQ makes of it
 * retry on its back-off and report their connection errors to it alone: the account says one line
 * per step, where BullMQ would pass each error to every queue and worker on the connection.
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer', outage?: RedisOutage): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000, lazyConnect: true };
  try {
    return outage
      ? new AccountedRedis(url, { ...options, retryStrategy: outage.retryDelay }, outage)
      : answerWithin(new Redis(url, options));
  } catch (error) {
    // ioredis parses the URL with WHATWG URL, whose TypeError carries the whole text, password
    // included, as `input`: a logger printing the error (or its cause) would print it. So the
    // error does not travel on; its message does, redacted in case it quotes the URL.
    const why = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'BAD_CONFIG',
      `cannot use the Redis URL "${redactUrl(url)}" (MXOPS_REDIS_URL): ${redactUrl(why)}`,
    );
  }
}

/** ioredis's default connect time-out, which also bounds the wait for Redis's first answer here. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * ioredis's connectTimeout covers the TCP handshake only: a Redis that accepts and never answers
 * (hung, or a port that is something else) would hold the ready check, and every command behind
 * it, for ever. Past the same time after connecting, the socket is destroyed with a clear error,
 * which ioredis handles like any dropped connection (retry, or fail a connect()).
 */
function answerWithin(redis: Redis): Redis {
  const limitMs = redis.options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  redis.on('connect', () => {
    clearTimeout(timer);
    const stream = redis.stream;
    timer = setTimeout(() => {
      if (redis.status !== 'ready' && redis.stream === stream)
        stream.destroy(new Error(`Redis accepted the connection but did not answer within ${limitMs / 1000} s`));
    }, limitMs);
    timer.unref();
  });
  const clear = (): void => clearTimeout(timer);
  redis.on('ready', clear);
  redis.on('close', clear);
  return redis;
}

/** A connection whose errors go to the outage account, as do its duplicates' (BullMQ's blocking connections). */
class AccountedRedis extends Redis {
  private readonly outage: RedisOutage;

  constructor(url: string | undefined, options: RedisOptions, outage: RedisOutage) {
    if (url === undefined) super(options);
    else super(url, options);
    this.outage = outage;
    // ioredis prints an error event nobody listens to itself, past emit(): listening sends it here.
    this.on('error', () => undefined);
    this.on('ready', outage.recovered);
    // Given up: every connection stops, its pending reconnect included (up to 30 s away).
    // gaveUp only ever resolves (redis-outage.ts), so nothing can reject unheard here.
    void outage.gaveUp.then(() => this.disconnect());
    answerWithin(this);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    // Connection errors are the account's to report; the connection retries on its own.
    if (event === 'error' && this.outage !== undefined) {
      this.outage.failed(args[0]);
      return true;
    }
    return super.emit(event, ...args);
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new AccountedRedis(undefined, { ...this.options, ...override }, this.outage);
  }
}
