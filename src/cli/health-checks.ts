/** What /healthz of `mxops start` asks: the store and Redis, each with one cheap round trip. */
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { HealthCheck } from '../observability/http-server.js';
import type { OpenDatabase } from '../store/database.js';

export function storeHealth(store: OpenDatabase): HealthCheck {
  return {
    name: 'store',
    probe: async () => {
      await sql`select 1`.execute(store.db);
      return true;
    },
  };
}

/** On a connection without an offline queue (the producer's), so a Redis that is gone fails the ping at once. */
export function redisHealth(redis: Redis): HealthCheck {
  return { name: 'redis', probe: async () => (await redis.ping()) === 'PONG' };
}
