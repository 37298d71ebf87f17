/**
 * The escalation's BullMQ side in one place: the recurring sweep (one schedule in Redis however
 * many replicas call this), its worker, the nag worker and the outage follow-through worker.
 * Closing waits for running jobs.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createPatchNagProcessor, NAG_MAX_STALLED_COUNT } from '../../jobs/patch-nag.js';
import { createOutageStepProcessor } from '../../jobs/outage-step.js';
import { createPatchSweepProcessor } from '../../jobs/patch-sweep.js';
import type { NagNotifier } from '../chat/nag-notifier.js';
import type { OpenDatabase } from '../store/database.js';
import type { NagId } from '../store/escalation-sweep.js';
import type { OutageStepId } from '../store/outage-steps.js';
import { OUTAGE_STEP_QUEUE } from './outage-jobs.js';
import { PATCH_NAG_QUEUE, PATCH_SWEEP_QUEUE, scheduleSweep } from './patch-jobs.js';

export interface PatchWorkersOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly store: OpenDatabase;
  readonly notifiers: readonly NagNotifier[];
  readonly sweepEveryMs: number;
  readonly now: () => number;
  readonly onError: (error: Error) => void;
  /** Run by each sweep: closes outage requests that expired undecided. */
  readonly expireOutages?: (now: number) => Promise<unknown>;
  /** Nags delivered at once; each is a few chat API calls. */
  readonly nagConcurrency?: number;
}

export interface PatchWorkers {
  close(): Promise<void>;
}

export async function startPatchWorkers(options: PatchWorkersOptions): Promise<PatchWorkers> {
  const { connection, prefix } = options;
  const sweepQueue = new Queue(PATCH_SWEEP_QUEUE, { connection, prefix });
  const nagQueue = new Queue<NagId>(PATCH_NAG_QUEUE, { connection, prefix });
  const outageStepQueue = new Queue<OutageStepId>(OUTAGE_STEP_QUEUE, { connection, prefix });
  await scheduleSweep(sweepQueue, options.sweepEveryMs);
  const deliveries = { store: options.store, notifiers: options.notifiers, now: options.now };
  const sweeper = new Worker(
    PATCH_SWEEP_QUEUE,
    createPatchSweepProcessor({
      store: options.store,
      nagQueue,
      outageStepQueue,
      now: options.now,
      ...(options.expireOutages ? { expireOutages: options.expireOutages } : {}),
    }),
    { connection, prefix, concurrency: 1 },
  );
  // A nag job may be taken over from more than one dead worker (NAG_MAX_STALLED_COUNT says why).
  const nagger = new Worker(PATCH_NAG_QUEUE, createPatchNagProcessor(deliveries), {
    connection,
    prefix,
    concurrency: options.nagConcurrency ?? 4,
    maxStalledCount: NAG_MAX_STALLED_COUNT,
  });
  const stepper = new Worker(OUTAGE_STEP_QUEUE, createOutageStepProcessor(deliveries), {
    connection,
    prefix,
    concurrency: 2,
  });
  const workers = [sweeper, nagger, stepper];
  for (const worker of workers) {
    worker.on('error', options.onError);
    worker.on('failed', (job, error) =>
      options.onError(
        new Error(
          `${worker.name} job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`,
        ),
      ),
    );
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all([sweepQueue.close(), nagQueue.close(), outageStepQueue.close()]);
    },
  };
}
