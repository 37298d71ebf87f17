/**
 * /healthz of `mxops start` against real PostgreSQL and Redis behind stand-in ports (issue 15,
 * point 4): 503 naming the dependency that is gone, refused or hung, 200 again when it is back,
 * and /healthz itself answering within its check time-out whatever the dependencies do.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisHealth, storeHealth } from '../../src/cli/health-checks.js';
import { createOpsServer } from '../../src/observability/http-server.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { watchRedisOutage } from '../../src/queue/redis-outage.js';
import { openDatabase, type OpenDatabase } from '../../src/store/database.js';
import { REDIS_URL } from '../support/redis-test.js';
import { startStandInPort } from '../support/stand-in-port.js';
import { POSTGRES_TEST_URL } from '../support/test-database.js';
import { until } from '../support/wait.js';

const STORE_TIMEOUTS = { connectMs: 500, statementMs: 800 };
const CHECK_MS = 300;
/** The Redis back-off in this test: 100 ms doubling to 400 ms. */
const REDIS_BACKOFF = { firstDelayMs: 100, maxDelayMs: 400 };
/** Room for a loaded machine over a wait that must end on a time-out or a back-off step. */
const within = (ms: number): number => ms * 5 + 3_000;
/** A hung statement is given up on (postgres-pool.ts: the statement time-out plus 2 s) before the store answers again. */
const STORE_BACK_MS = within(STORE_TIMEOUTS.statementMs + 2_000 + STORE_TIMEOUTS.connectMs);
const REDIS_BACK_MS = within(REDIS_BACKOFF.maxDelayMs + 5_000); // the producer's connect time-out covers a hung reconnect

const target = (url: string) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
};

describe('/healthz with the store and Redis', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function bed() {
    const pg = await startStandInPort('forward', {
      host: target(POSTGRES_TEST_URL).host,
      port: target(POSTGRES_TEST_URL).port || 5432,
    });
    cleanups.push(() => pg.close());
    const redisPort = await startStandInPort('forward', target(REDIS_URL));
    cleanups.push(() => redisPort.close());
    const real = new URL(POSTGRES_TEST_URL);
    const store: OpenDatabase = openDatabase(
      { dialect: 'postgres', target: `postgres://${real.username}@${pg.address}${real.pathname}` },
      { timeouts: STORE_TIMEOUTS },
    );
    cleanups.push(() => store.close());
    const lines: string[] = [];
    const outage = watchRedisOutage({
      where: `redis://${redisPort.address}`,
      giveUpMs: undefined,
      log: (line) => lines.push(line),
      ...REDIS_BACKOFF,
    });
    cleanups.push(() => outage.stop());
    const redis: Redis = createRedisConnection(`redis://${redisPort.address}`, 'producer', outage);
    await redis.connect();
    cleanups.push(() => redis.disconnect());
    const server: http.Server = createOpsServer(
      createMetrics(),
      [storeHealth(store), redisHealth(redis)],
      {},
      { checkTimeoutMs: CHECK_MS },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    const health = async (): Promise<{ status: number; body: unknown; ms: number }> => {
      const started = performance.now();
      const response = await fetch(url);
      return { status: response.status, body: await response.json(), ms: performance.now() - started };
    };
    const healthy = () =>
      until('/healthz 200 again', async () => ((await health()).status === 200 ? true : undefined), {
        timeoutMs: STORE_BACK_MS + REDIS_BACK_MS,
      });
    return { pg, redisPort, health, healthy, lines };
  }

  const ok = { status: 'ok', checks: { store: 'up', redis: 'up' } };

  it(
    'says 503 with the store down while PostgreSQL refuses or hangs, and 200 when it is back',
    async () => {
      const { pg, health, healthy } = await bed();
      expect(await health()).toMatchObject({ status: 200, body: ok });
      await pg.set('refuse');
      expect(await health()).toMatchObject({
        status: 503,
        body: { status: 'degraded', checks: { store: 'down', redis: 'up' } },
      });
      await pg.set('forward');
      await healthy();
      await pg.set('silent');
      const hung = await health();
      expect(hung).toMatchObject({ status: 503, body: { checks: { store: 'down', redis: 'up' } } });
      // Answered on its own time-out, not the store's (connect or statement).
      expect(hung.ms).toBeLessThan(within(CHECK_MS));
      await pg.set('forward');
      await healthy();
    },
    2 * STORE_BACK_MS + 4 * within(CHECK_MS),
  );

  it(
    'says 503 with Redis down while Redis refuses or hangs, and 200 when it is back',
    async () => {
      const { redisPort, health, healthy, lines } = await bed();
      expect(await health()).toMatchObject({ status: 200, body: ok });
      await redisPort.set('refuse');
      await until('Redis seen gone', () => lines.length > 0, { timeoutMs: within(REDIS_BACKOFF.maxDelayMs) });
      expect(await health()).toMatchObject({
        status: 503,
        body: { status: 'degraded', checks: { store: 'up', redis: 'down' } },
      });
      await redisPort.set('forward');
      await healthy();
      expect(lines.at(-1)).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ is back after /);
      await redisPort.set('silent');
      const hung = await health();
      expect(hung).toMatchObject({ status: 503, body: { checks: { store: 'up', redis: 'down' } } });
      expect(hung.ms).toBeLessThan(within(CHECK_MS));
      await redisPort.set('forward');
      await healthy();
    },
    2 * REDIS_BACK_MS + 4 * within(CHECK_MS),
  );
});
