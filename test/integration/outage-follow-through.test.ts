/**
 * An approved outage window's follow-through with real Redis: reminders before it, the start
 * notice, the question at its end, each once, across a restart of the workers in the middle of
 * the window; then "Patched" marks the window's patches applied and their nags stop.
 */
import { clockFrom } from '../support/manual-clock.js';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutageStepProcessor } from '../../jobs/outage-step.js';
import { createPatchSweepProcessor } from '../../jobs/patch-sweep.js';
import { OUTAGE_STEP_QUEUE } from '../../src/queue/outage-jobs.js';
import { PATCH_NAG_QUEUE } from '../../src/queue/patch-jobs.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import type { NagId } from '../../src/store/escalation-sweep.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPatch, findPerson } from '../../src/store/inventory-queries.js';
import { recordOutageOutcome } from '../../src/store/outage-outcomes.js';
import { outageRequestById } from '../../src/store/outage-request-rows.js';
import { closeExpiredRequests } from '../../commands/outage-decisions.js';
import { requestOutage, voteOnOutage } from '../../src/store/outage-requests.js';
import type { OutageStepId } from '../../src/store/outage-steps.js';
import { DAY, HOUR, inventory, patch, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';
import { until } from '../support/wait.js';

const NOW = Date.parse('2026-11-26T17:00:00Z');
const SATURDAY_22 = Date.parse('2026-11-28T21:00:00Z');

describe.each(STORE_DIALECTS)('outage follow-through on %s', (dialect) => {
  let store: TestDatabase;
  let redis: Redis;
  let prefix: string;
  let now = NOW;
  const workers: Worker[] = [];
  const queues: Queue[] = [];

  beforeEach(async () => {
    now = NOW;
    store = await openTestDatabase(dialect);
    redis = createRedisConnection(REDIS_URL, 'worker');
    prefix = uniquePrefix();
    const policy = {
      ...STANDARD_POLICY,
      outage: { approvers: ['carol'], quorum: 1, selfApproval: false, expireAfterMs: DAY, remindBeforeMs: [DAY, HOUR] },
    };
    await importInventory(
      store,
      inventory({
        policies: [policy],
        systems: [system('mail-gw-1')],
        patches: [patch('mail-gw-1', 'CVE-2026-7000', NOW - 10 * DAY)],
      }),
      { actor: 'test', surface: 'cli', now: NOW, source: 'test' },
    );
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await store.drop();
  });

  function startWorkers(notifier: ReturnType<typeof recordingNotifier>) {
    const nagQueue = new Queue<NagId>(PATCH_NAG_QUEUE, { connection: redis, prefix });
    const outageStepQueue = new Queue<OutageStepId>(OUTAGE_STEP_QUEUE, { connection: redis, prefix });
    queues.push(nagQueue, outageStepQueue);
    const stepper = new Worker(
      OUTAGE_STEP_QUEUE,
      createOutageStepProcessor({ store, notifiers: [notifier.notifier], clock: clockFrom(() => now) }),
      { connection: redis.duplicate(), prefix },
    );
    workers.push(stepper);
    return {
      sweep: createPatchSweepProcessor({ store, nagQueue, outageStepQueue, clock: clockFrom(() => now) }),
      stepper,
    };
  }

  const as = async (handle: string) => ({
    person: await findPerson(store.db, handle),
    identity: `slack:${handle}`,
    surface: 'slack' as const,
  });

  it('reminds, announces and asks once each across a restart, and Patched stops the nags', async () => {
    const { request } = await requestOutage(store, {
      ...(await as('alice')),
      system: 'mail-gw-1',
      start: SATURDAY_22,
      durationMs: 2 * HOUR,
      reason: 'qmail patch',
      now,
      timeZone: 'Europe/Berlin',
    });
    expect(request.patches).toEqual(['CVE-2026-7000']);
    await voteOnOutage(store, { ...(await as('carol')), id: request.id, vote: 'approve', now });
    const steps = await store.db.selectFrom('outage_steps').select(['kind', 'due_at']).orderBy('due_at').execute();
    expect(steps).toEqual([
      { kind: `remind-${DAY}`, due_at: SATURDAY_22 - DAY },
      { kind: `remind-${HOUR}`, due_at: SATURDAY_22 - HOUR },
      { kind: 'start', due_at: SATURDAY_22 },
      { kind: 'end', due_at: SATURDAY_22 + 2 * HOUR },
    ]);

    const slack = recordingNotifier('slack');
    const toOwner = () =>
      slack.messages.filter((message) => message.to === 'UALICE').map((message) => message.card.summary);
    let { sweep } = startWorkers(slack);
    for (const at of [SATURDAY_22 - DAY, SATURDAY_22 - HOUR, SATURDAY_22]) {
      now = at;
      await sweep();
      await sweep(); // a replayed sweep hands over nothing new
    }
    await until('three steps told', () => toOwner().length >= 3);
    expect(toOwner()).toEqual([
      'Reminder: the outage window on mail-gw-1 starts in 1 day',
      'Reminder: the outage window on mail-gw-1 starts in 1 hour',
      'The outage window on mail-gw-1 starts now',
    ]);

    // Restart in the middle of the window: new workers, and the end comes while none run.
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    now = SATURDAY_22 + 3 * HOUR;
    ({ sweep } = startWorkers(slack));
    await sweep();
    await until('the question at the end', () => toOwner().length === 4);
    const question = slack.messages.at(-1)!;
    expect(question.card.summary).toBe('The outage window on mail-gw-1 has ended: were the patches applied?');
    expect(question.card.blocks.at(-1)).toMatchObject({
      kind: 'actions',
      actions: [
        { id: 'outage.patched', value: String(request.id) },
        { id: 'outage.not-done', value: String(request.id) },
      ],
    });
    await sweep();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(toOwner()).toHaveLength(4);

    // Only the owner's chain answers (Carol is at its top, so she could); a stranger cannot.
    await expect(
      recordOutageOutcome(store, {
        person: undefined,
        identity: 'slack:USTRANGER',
        surface: 'slack',
        id: request.id,
        outcome: 'patched',
        now,
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const outcome = await recordOutageOutcome(store, {
      ...(await as('alice')),
      id: request.id,
      outcome: 'patched',
      now,
    });
    expect(outcome.patched.map((patched) => patched.key)).toEqual(['CVE-2026-7000']);
    expect(await findPatch(store.db, 'mail-gw-1', 'CVE-2026-7000')).toMatchObject({
      status: 'done',
      doneBy: 'alice',
      escalation: { phase: 'done', nextAt: null },
    });
    await expect(
      recordOutageOutcome(store, { ...(await as('alice')), id: request.id, outcome: 'not-done', now }),
    ).rejects.toThrow('already answered: patched');
  });

  it('Not done leaves the patches open and escalating', async () => {
    const { request } = await requestOutage(store, {
      ...(await as('alice')),
      system: 'mail-gw-1',
      start: SATURDAY_22,
      durationMs: 2 * HOUR,
      reason: 'qmail patch',
      now,
      timeZone: 'Europe/Berlin',
    });
    await expect(
      recordOutageOutcome(store, { ...(await as('alice')), id: request.id, outcome: 'not-done', now }),
    ).rejects.toThrow('never approved');
    await voteOnOutage(store, { ...(await as('carol')), id: request.id, vote: 'approve', now });
    await expect(
      recordOutageOutcome(store, { ...(await as('alice')), id: request.id, outcome: 'not-done', now }),
    ).rejects.toThrow('not started yet');
    const outcome = await recordOutageOutcome(store, {
      ...(await as('alice')),
      id: request.id,
      outcome: 'not-done',
      now: SATURDAY_22 + 3 * HOUR,
    });
    expect(outcome.open.map((open) => open.key)).toEqual(['CVE-2026-7000']);
    expect((await findPatch(store.db, 'mail-gw-1', 'CVE-2026-7000'))?.status).toBe('open');
  });

  it('the sweep closes requests that expired undecided', async () => {
    const { request } = await requestOutage(store, {
      ...(await as('alice')),
      system: 'mail-gw-1',
      start: SATURDAY_22,
      durationMs: 2 * HOUR,
      reason: 'qmail patch',
      now,
      timeZone: 'Europe/Berlin',
    });
    const slack = recordingNotifier('slack');
    const nagQueue = new Queue<NagId>(PATCH_NAG_QUEUE, { connection: redis, prefix });
    queues.push(nagQueue);
    const sweep = createPatchSweepProcessor({
      store,
      nagQueue,
      clock: clockFrom(() => now),
      expireOutages: (at) => closeExpiredRequests(store, [slack.notifier], at),
    });
    await sweep();
    expect((await outageRequestById(store.db, request.id))?.status).toBe('pending');
    now = NOW + DAY;
    await sweep();
    expect((await outageRequestById(store.db, request.id))?.status).toBe('expired');
  });
});
