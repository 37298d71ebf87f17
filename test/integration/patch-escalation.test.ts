import { clockFrom } from '../support/manual-clock.js';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatchNagProcessor } from '../../jobs/patch-nag.js';
import { createPatchSweepProcessor } from '../../jobs/patch-sweep.js';
import { PATCH_NAG_QUEUE } from '../../src/queue/patch-jobs.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import { type NagId, sweepDuePatches, unsentNags } from '../../src/store/escalation-sweep.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { DAY, inventory, patch, system } from '../support/inventory-fixture.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';
import { until } from '../support/wait.js';

const SYSTEMS = 30;
const start = Date.parse('2026-11-20T10:00:00Z');

describe.each(STORE_DIALECTS)('patch escalation with real Redis on %s', (dialect) => {
  let store: TestDatabase;
  let redis: Redis;
  let prefix: string;
  let nagQueue: Queue<NagId>;
  const workers: Worker[] = [];
  let now = start;

  beforeEach(async () => {
    now = start;
    store = await openTestDatabase(dialect);
    redis = createRedisConnection(REDIS_URL, 'worker');
    prefix = uniquePrefix();
    nagQueue = new Queue<NagId>(PATCH_NAG_QUEUE, { connection: redis, prefix });
    // Every system has one critical patch released 10 days ago: due 3 days ago under the 7-day SLA.
    const names = Array.from({ length: SYSTEMS }, (_, n) => `mail-${String(n + 1).padStart(2, '0')}`);
    await importInventory(
      store,
      inventory({
        systems: names.map((name) => system(name)),
        patches: names.map((name) => patch(name, 'CVE-2026-1000', start - 10 * DAY)),
      }),
      {
        actor: 'alice',
        surface: 'cli',
        now: start,
        source: 'test',
      },
    );
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close(true)));
    await nagQueue.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await store.drop();
  });

  const sweeper = () => createPatchSweepProcessor({ store, nagQueue, clock: clockFrom(() => now), batchSize: 7 });

  function startNagWorker(
    notifier: ReturnType<typeof recordingNotifier>,
    options: { lockDuration?: number; stalledInterval?: number } = {},
  ): Worker {
    const worker = new Worker(
      PATCH_NAG_QUEUE,
      createPatchNagProcessor({ store, notifiers: [notifier.notifier], clock: clockFrom(() => now) }),
      {
        connection: redis.duplicate(),
        prefix,
        concurrency: 4,
        ...options,
      },
    );
    workers.push(worker);
    return worker;
  }

  const drained = async () => (await unsentNags(store.db)).length === 0;

  async function auditActions(): Promise<string[]> {
    const actions: string[] = [];
    for await (const row of readAuditLog(store.db)) actions.push(row.action);
    return actions;
  }

  it('nags every overdue patch once, in its own thread, and a replayed sweep sends nothing more', async () => {
    const slack = recordingNotifier();
    startNagWorker(slack);
    const first = await sweeper()();
    expect(first).toMatchObject({ examined: SYSTEMS, planned: SYSTEMS, enqueued: SYSTEMS });
    await until('every nag sent', drained);
    const threads = slack.messages.filter((message) => message.kind === 'thread-start');
    expect(threads).toHaveLength(SYSTEMS);
    expect(new Set(threads.map((message) => message.marker)).size).toBe(SYSTEMS);
    // Level 0 reaches the owner: one direct message per nag, to Alice's Slack id.
    expect(slack.messages.filter((message) => message.kind === 'direct').map((message) => message.to)).toEqual(
      Array(SYSTEMS).fill('UALICE'),
    );
    expect(threads[0]!.card.summary).toMatch(/^mail-\d\d: CVE-2026-1000 \(Fix for CVE-2026-1000\) is 3 days overdue$/);

    const replay = await sweeper()();
    expect(replay).toMatchObject({ examined: 0, planned: 0, enqueued: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slack.messages).toHaveLength(2 * SYSTEMS);
    expect((await auditActions()).filter((action) => action === 'nag')).toHaveLength(SYSTEMS);

    // Two days on, level 1 (owner and team channel) replies in the same threads, shown in the channel.
    now = start + 2 * DAY;
    expect(await sweeper()()).toMatchObject({ planned: SYSTEMS });
    await until('the second round sent', async () => (await drained()) && slack.messages.length === 4 * SYSTEMS);
    const replies = slack.messages.filter((message) => message.kind === 'thread-reply');
    expect(replies).toHaveLength(SYSTEMS);
    expect(replies.every((reply) => reply.broadcast === true)).toBe(true);
    expect(new Set(replies.map((reply) => reply.to))).toEqual(new Set(threads.map((thread) => thread.to)));
  });

  it('two sweeps at once plan each nag once', async () => {
    const slack = recordingNotifier();
    startNagWorker(slack);
    const results = await Promise.all([sweeper()(), sweeper()()]);
    expect(results[0]!.planned + results[1]!.planned).toBe(SYSTEMS);
    await until('every nag sent', drained);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slack.messages.filter((message) => message.kind === 'thread-start')).toHaveLength(SYSTEMS);
  });

  it('a sweep killed between its commit and its enqueue loses nothing: the next sweep hands the nags over', async () => {
    const slack = recordingNotifier();
    // The first sweep records the nags and dies before reaching the queue.
    expect((await sweepDuePatches(store, now)).planned).toHaveLength(SYSTEMS);
    expect(await nagQueue.count()).toBe(0);
    startNagWorker(slack);
    expect(await sweeper()()).toMatchObject({ planned: 0, enqueued: SYSTEMS });
    await until('every nag sent', drained);
    expect(slack.messages.filter((message) => message.kind === 'thread-start')).toHaveLength(SYSTEMS);
  });

  it('a worker killed mid-delivery: another worker finishes the nag, and nothing reaches the thread twice', async () => {
    const slack = recordingNotifier();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let stuck = '';
    // The first worker hangs before the first thread post it makes, as if its process froze.
    slack.setGate(async (message) => {
      if (message.kind === 'thread-start' && stuck === '') {
        stuck = message.marker;
        await held;
        throw new Error('this worker is gone');
      }
    });
    const doomed = startNagWorker(slack, { lockDuration: 1_000, stalledInterval: 500 });
    await sweeper()();
    await until('a worker stuck in delivery', () => stuck !== '');
    // Kill it without letting its jobs finish; its lock expires and the job counts as stalled.
    await doomed.close(true);
    release();
    slack.setGate(() => Promise.resolve());
    // Only the dead worker needs a short lock; the live one just looks for stalled jobs often.
    startNagWorker(slack, { stalledInterval: 500 });
    await until('every nag sent', drained, { timeoutMs: 20_000 });
    const posts = slack.messages.filter((message) => message.kind !== 'direct');
    expect(posts).toHaveLength(SYSTEMS);
    expect(new Set(posts.map((message) => message.marker)).size).toBe(SYSTEMS);
    expect(posts.filter((message) => message.marker === stuck)).toHaveLength(1);
    const actions = await auditActions();
    expect(
      actions.filter((action) => action === 'nag').length + actions.filter((action) => action === 'nag-resent').length,
    ).toBe(SYSTEMS);
    expect(actions).toContain('nag-resent');
  });

  it('a retry finds its nag already in the thread and posts nothing', async () => {
    const slack = recordingNotifier();
    startNagWorker(slack);
    await sweeper()();
    await until('every nag sent', drained);
    // As if the worker died after the thread post and before recording it: back to "sending".
    now = start + 2 * DAY;
    await sweeper()();
    const countBefore = slack.messages.length;
    await until('every nag sent', drained);
    const secondRound = slack.messages.slice(countBefore);
    const victim = secondRound.find((message) => message.kind === 'thread-reply')!;
    const [patchId, step] = victim.marker.replace('nag-', '').split('-').map(Number);
    await store.db
      .updateTable('nags')
      .set({ status: 'sending', sent_at: null })
      .where('patch_id', '=', patchId!)
      .where('step', '=', step!)
      .execute();
    const processor = createPatchNagProcessor({ store, notifiers: [slack.notifier], clock: clockFrom(() => now) });
    const outcome = await processor({ id: victim.marker, data: { patchId, step } } as never);
    expect(outcome).toBe('resent');
    expect(slack.messages.length).toBe(countBefore + secondRound.length);
  });

  it('an acknowledgement made after the sweep cancels the nag it planned', async () => {
    const slack = recordingNotifier();
    await sweepDuePatches(store, now);
    await store.db.updateTable('patches').set({ status: 'done' }).where('system', '=', 'mail-01').execute();
    startNagWorker(slack);
    await sweeper()();
    await until('every nag sent', drained);
    expect(slack.messages.filter((message) => message.kind === 'thread-start')).toHaveLength(SYSTEMS - 1);
    expect(await auditActions()).toContain('nag-cancelled');
  });

  it('a retry after one platform failed posts only on the platform still missing', async () => {
    const slack = recordingNotifier('slack');
    const teams = recordingNotifier('teams');
    await sweepDuePatches(store, now);
    const [first] = await unsentNags(store.db);
    let slackDown = true;
    slack.setGate(async () => {
      if (slackDown) throw new Error('slack is down');
    });
    // Teams comes first here and succeeds; Slack fails, so the job fails and BullMQ would retry it.
    const processor = createPatchNagProcessor({
      store,
      notifiers: [teams.notifier, slack.notifier],
      clock: clockFrom(() => now),
    });
    const job = { id: 'nag', data: first } as never;
    await expect(processor(job)).rejects.toThrow('slack is down');
    slackDown = false;
    expect(await processor(job)).toBe('resent');
    expect(
      teams.messages.filter(
        (message) => message.marker === `nag-${first!.patchId}-${first!.step}` && message.kind !== 'direct',
      ),
    ).toHaveLength(1);
    expect(slack.messages.filter((message) => message.kind === 'thread-start')).toHaveLength(1);
    expect(await processor(job)).toBe('sent');
  });
});
