/**
 * Queues of the patch escalation: one recurring sweep, and one job per recorded nag. Job data holds
 * ids only; everything else is read from the store when the job runs.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { NagId } from '../store/escalation-sweep.js';

export const PATCH_SWEEP_QUEUE = 'patch-sweep';
export const PATCH_NAG_QUEUE = 'patch-nag';

/**
 * The scheduler's id: BullMQ keeps one schedule per id in Redis, so every replica may call
 * upsertJobScheduler at start and there is still one sweep per interval.
 */
export const SWEEP_SCHEDULER_ID = 'patch-sweep';

/** One job per nag, whoever enqueues it and however often: (patch, step) is the nag's identity. */
export function nagJobId(id: NagId): string {
  return `nag-${id.patchId}-${id.step}`;
}

export const NAG_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5_000 },
  // Kept a day, so re-enqueueing a nag just sent finds the job and adds nothing.
  removeOnComplete: { age: 86_400 },
  removeOnFail: { age: 7 * 86_400 },
};

export async function enqueueNags(queue: Queue<NagId>, nags: readonly NagId[]): Promise<void> {
  const CHUNK = 1_000;
  for (let start = 0; start < nags.length; start += CHUNK) {
    await queue.addBulk(
      nags.slice(start, start + CHUNK).map((id) => ({
        name: 'nag',
        data: { patchId: id.patchId, step: id.step },
        opts: { ...NAG_JOB_OPTIONS, jobId: nagJobId(id) },
      })),
    );
  }
}

/** Starts (or moves to a new interval) the one recurring sweep. */
export async function scheduleSweep(queue: Queue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    SWEEP_SCHEDULER_ID,
    { every: everyMs },
    { name: 'sweep', opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
}

export function readNagJobData(data: unknown): NagId | string {
  const { patchId, step } = (data ?? {}) as Record<string, unknown>;
  if (typeof patchId !== 'number' || !Number.isSafeInteger(patchId) || patchId < 1)
    return 'patchId is not a positive integer';
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 1) return 'step is not a positive integer';
  return { patchId, step };
}
