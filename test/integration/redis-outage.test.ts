/**
 * A Redis that goes away under a BullMQ worker (issue 15, point 4): real Redis behind a stand-in
 * port. The worker's connections (its own, BullMQ's blocking duplicate, a queue's) report through
 * one outage account: one line per back-off step, growing to the cap, one when Redis is back;
 * BullMQ prints nothing of its own; and the account gives up after its time, stopping them all.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { watchRedisOutage } from '../../src/queue/redis-outage.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { startStandInPort, type StandInPort } from '../support/stand-in-port.js';
import { until } from '../support/wait.js';

const BACKOFF = { firstDelayMs: 100, maxDelayMs: 800 };
/** The steps a line per step must show: 0.1 s doubling to 0.8 s, then 0.8 s each. */
const STEPS_S = [0.1, 0.2, 0.4, 0.8, 0.8, 0.8];
const STEPS_MS = STEPS_S.reduce((sum, s) => sum + s * 1000, 0);
/** Room for a loaded machine over a wait that must end on a back-off step or a give-up. */
const within = (ms: number): number => ms * 5 + 3_000;

const real = new URL(REDIS_URL);
const delays = (lines: readonly string[]): number[] =>
  lines.flatMap((line) => /retrying in ([\d.]+) s$/.exec(line)?.[1] ?? []).map(Number);

describe('a Redis outage under a BullMQ worker', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    vi.restoreAllMocks();
  });

  async function worker(mode: 'forward' | 'refuse', giveUpMs?: number, password?: string) {
    const port: StandInPort = await startStandInPort(mode, { host: real.hostname, port: Number(real.port || 6379) });
    cleanups.push(() => port.close());
    const lines: string[] = [];
    const url = `redis://${password ? `:${password}@` : ''}${port.address}`;
    const outage = watchRedisOutage({
      where: `redis://${port.address}`,
      giveUpMs,
      log: (line) => lines.push(line),
      ...BACKOFF,
    });
    cleanups.push(() => outage.stop());
    const prefix = uniquePrefix();
    const connection = createRedisConnection(url, 'worker', outage);
    cleanups.push(() => connection.disconnect());
    const processed: string[] = [];
    const errors: Error[] = [];
    const bullWorker = new Worker('outage-test', async (job) => void processed.push(String(job.id)), {
      connection,
      prefix,
    });
    bullWorker.on('error', (error) => errors.push(error));
    cleanups.push(() => bullWorker.close(true).catch(() => undefined));
    const queue = new Queue('outage-test', { connection, prefix });
    cleanups.push(() => queue.close().catch(() => undefined));
    cleanups.push(async () => {
      const admin = new Redis(REDIS_URL);
      await dropPrefix(admin, prefix);
      admin.disconnect();
    });
    return { port, lines, outage, connection, bullWorker, queue, processed, errors };
  }

  it(
    'logs one line per back-off step however many connections fail, then one when Redis is back, and works again',
    async () => {
      const printed = vi.spyOn(console, 'error');
      const { port, lines, bullWorker, queue, processed } = await worker('forward');
      await bullWorker.waitUntilReady();
      await port.set('refuse');
      await until('the back-off to reach its cap', () => delays(lines).length >= STEPS_S.length, {
        timeoutMs: within(STEPS_MS),
      });
      expect(delays(lines).slice(0, STEPS_S.length)).toEqual(STEPS_S);
      expect(lines[0]).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.+\); retrying in 0\.1 s$/);
      expect(lines[1]).toMatch(
        /still unreachable after [\d.]+ s \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); retrying in 0\.2 s$/,
      );
      await port.set('forward');
      await until('Redis back', () => lines.some((line) => / is back after [\d.]+ s$/.test(line)), {
        timeoutMs: within(BACKOFF.maxDelayMs),
      });
      await queue.add('after', {}, { jobId: 'after-outage' });
      await until('a job processed after the outage', () => processed.includes('after-outage'), {
        timeoutMs: within(BACKOFF.maxDelayMs),
      });
      // BullMQ printed none of its connection errors: the account's lines were the whole story.
      expect(printed).not.toHaveBeenCalled();
    },
    within(STEPS_MS) + 3 * within(BACKOFF.maxDelayMs),
  );

  it(
    'gives up after the give-up time with an error that names Redis without its password, and every connection stops',
    async () => {
      const giveUpMs = 1_000;
      const { port, lines, outage, connection, errors } = await worker('refuse', giveUpMs, 'sekrit-pw');
      const started = Date.now();
      const error = await outage.gaveUp;
      expect(Date.now() - started).toBeGreaterThanOrEqual(giveUpMs - 50);
      expect(isAppError(error, 'QUEUE_UNAVAILABLE')).toBe(true);
      expect(error.message).toMatch(
        /^Redis at redis:\/\/127\.0\.0\.1:\d+ has been unreachable for 1 s \(MXOPS_REDIS_GIVE_UP_SECONDS\): giving up; last error: connect ECONNREFUSED/,
      );
      expect([error.message, ...lines, ...errors.map((e) => e.message)].join('\n')).not.toContain('sekrit');
      // Stopped, not retrying: with Redis reachable again, nothing connects and nothing is said.
      const after = lines.length;
      await port.set('forward');
      await new Promise((resolve) => setTimeout(resolve, BACKOFF.maxDelayMs * 3));
      expect(port.accepted()).toBe(0);
      expect(lines).toHaveLength(after);
      expect(connection.status).not.toBe('ready');
    },
    within(1_000) + within(BACKOFF.maxDelayMs) * 2,
  );
});
