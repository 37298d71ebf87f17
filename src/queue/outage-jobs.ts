/** The queue of outage-window follow-through steps: one job per recorded step, ids only. */
import type { Queue } from 'bullmq';
import type { OutageStepId } from '../store/outage-steps.js';
import { NAG_JOB_OPTIONS } from './patch-jobs.js';

export const OUTAGE_STEP_QUEUE = 'outage-step';

/** The step's identity; ':' is not allowed in job ids, and kinds are [a-z0-9-]. */
export function outageStepJobId(id: OutageStepId): string {
  return `outage-${id.requestId}-${id.kind}`;
}

export async function enqueueOutageSteps(queue: Queue<OutageStepId>, steps: readonly OutageStepId[]): Promise<void> {
  const CHUNK = 1_000;
  for (let start = 0; start < steps.length; start += CHUNK) {
    // Delivered like nags: the same retries, and kept a day so a second hand-over adds nothing.
    await queue.addBulk(
      steps.slice(start, start + CHUNK).map((id) => ({
        name: 'step',
        data: { requestId: id.requestId, kind: id.kind },
        opts: { ...NAG_JOB_OPTIONS, jobId: outageStepJobId(id) },
      })),
    );
  }
}

export function readOutageStepJobData(data: unknown): OutageStepId | string {
  const { requestId, kind } = (data ?? {}) as Record<string, unknown>;
  if (typeof requestId !== 'number' || !Number.isSafeInteger(requestId) || requestId < 1)
    return 'requestId is not a positive integer';
  if (typeof kind !== 'string' || !/^(start|end|remind-\d+)$/.test(kind)) return 'kind is not an outage step';
  return { requestId, kind };
}
