/**
 * The escalation's BullMQ side in one place: the recurring sweep (one schedule in Redis however
 * many replicas call this), its worker, the nag worker and the outage follow-through worker.
 * Closing waits for running jobs. What each job does is jobs/'s, handed in by the composition root
 * (src/cli/background-workers.ts): src/ never imports jobs/ (README, Layout).
 */
import { Queue, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { NagId } from '../store/escalation-sweep.js';
import type { OutageStepId } from '../store/outage-steps.js';
import { OUTAGE_STEP_QUEUE } from './outage-jobs.js';
import { PATCH_NAG_QUEUE, PATCH_SWEEP_QUEUE, scheduleSweep } from './patch-jobs.js';

/** Where a sweep hands what it found due; opened here, so the sweep's processor is made over them. */
export interface SweepQueues {
  readonly nagQueue: Queue<NagId>;
  readonly outageStepQueue: Queue<OutageStepId>;
}

/** The jobs' processors (jobs/patch-sweep.ts, patch-nag.ts, outage-step.ts) over their deps. */
export interface PatchProcessors {
  readonly sweep: (queues: SweepQueues) => Processor;
  readonly nag: Processor;
  /** How often a nag job may be taken over from a worker that died holding it (jobs/patch-nag.ts says why). */
  readonly nagMaxStalledCount: number;
  readonly outageStep: Processor;
}

export interface PatchWorkersOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly processors: PatchProcessors;
  readonly sweepEveryMs: number;
  readonly onError: (error: Error) => void;
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
  const { processors } = options;
  const sweeper = new Worker(PATCH_SWEEP_QUEUE, processors.sweep({ nagQueue, outageStepQueue }), {
    connection,
    prefix,
    concurrency: 1,
  });
  const nagger = new Worker(PATCH_NAG_QUEUE, processors.nag, {
    connection,
    prefix,
    concurrency: options.nagConcurrency ?? 4,
    maxStalledCount: processors.nagMaxStalledCount,
  });
  const stepper = new Worker(OUTAGE_STEP_QUEUE, processors.outageStep, {
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
