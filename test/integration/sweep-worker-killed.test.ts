/**
 * A sweep worker killed (SIGKILL) in the middle of a sweep, as a crashed replica would be: its
 * job stalls, another worker takes it over, and in the end every due patch has exactly one nag
 * recorded and handed to the nag queue.
 */
import { clockFrom } from '../support/manual-clock.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatchSweepProcessor } from '../../jobs/patch-sweep.js';
import { nagJobId, PATCH_NAG_QUEUE, PATCH_SWEEP_QUEUE } from '../../src/queue/patch-jobs.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import type { NagId } from '../../src/store/escalation-sweep.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { DAY, inventory, patch, system } from '../support/inventory-fixture.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';
import { until } from '../support/wait.js';

const SYSTEMS = 3_000;
const BATCH = 50;
const now = Date.parse('2026-11-20T10:00:00Z');

describe.each(STORE_DIALECTS)('a sweep worker killed mid-sweep on %s', (dialect) => {
  let store: TestDatabase;
  let redis: Redis;
  let prefix: string;
  let child: ChildProcess | undefined;
  const closers: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    redis = createRedisConnection(REDIS_URL, 'worker');
    prefix = uniquePrefix();
    const names = Array.from({ length: SYSTEMS }, (_, n) => `mx-${n}`);
    await importInventory(
      store,
      inventory({
        systems: names.map((name) => system(name)),
        patches: names.map((name) => patch(name, 'CVE-2026-5000', now - 10 * DAY)),
      }),
      {
        actor: 'test',
        surface: 'cli',
        now,
        source: 'test',
      },
    );
  }, 60_000);

  afterEach(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    for (const close of closers.splice(0).reverse()) await close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await store.drop();
  });

  it('loses and doubles no nag', async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/support/sweep-worker-process.ts',
        JSON.stringify(store.location),
        REDIS_URL,
        prefix,
        String(now),
        String(BATCH),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (output += text));
    await until('the child worker', () => output.includes('ready'), { timeoutMs: 30_000 });

    const sweepQueue = new Queue(PATCH_SWEEP_QUEUE, { connection: redis, prefix });
    const nagQueue = new Queue<NagId>(PATCH_NAG_QUEUE, { connection: redis, prefix });
    closers.push(
      () => sweepQueue.close(),
      () => nagQueue.close(),
    );
    await sweepQueue.add('sweep', {});

    // Kill it once some batches are committed and before the last one.
    const planned = async () =>
      Number(
        (
          await store.db
            .selectFrom('nags')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const seen = await until(
      'a sweep half done',
      async () => {
        const count = await planned();
        return count > 0 && count < SYSTEMS ? count : undefined;
      },
      { everyMs: 2, timeoutMs: 30_000 },
    );
    child.kill('SIGKILL');
    await once(child, 'exit');
    const atKill = await planned();
    expect(atKill).toBeGreaterThanOrEqual(seen);
    expect(atKill).toBeLessThan(SYSTEMS);

    // The killed worker's short lock (sweep-worker-process.ts) is what makes its job stall soon; this
    // worker only looks for stalled jobs often. Its own lock is BullMQ's default: with a 1 s lock, a
    // loaded machine stalling this process's event loop (SQLite writes are synchronous) lost the job
    // this worker was running.
    const takeover = new Worker(
      PATCH_SWEEP_QUEUE,
      createPatchSweepProcessor({ store, nagQueue, clock: clockFrom(() => now), batchSize: BATCH }),
      { connection: redis.duplicate(), prefix, stalledInterval: 500 },
    );
    closers.push(() => takeover.close());
    await until(
      'the stalled sweep to finish elsewhere',
      async () => (await sweepQueue.getJobCounts('completed')).completed === 1,
      { timeoutMs: 30_000 },
    );

    expect(await planned()).toBe(SYSTEMS);
    const rows = await store.db.selectFrom('nags').select(['patch_id', 'step']).execute();
    expect(new Set(rows.map((row) => row.patch_id)).size).toBe(SYSTEMS);
    expect(rows.every((row) => row.step === 1)).toBe(true);
    // Every nag was handed over exactly once: one job per (patch, step), none missing.
    const jobs = await nagQueue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs).toHaveLength(SYSTEMS);
    expect(new Set(jobs.map((job) => job.id))).toEqual(
      new Set(rows.map((row) => nagJobId({ patchId: row.patch_id, step: row.step }))),
    );
  }, 120_000);
});
