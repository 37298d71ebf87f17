import type { Queue, QueueEvents } from 'bullmq';
import type { SmtpProbeResult } from '../diagnosis/smtp-port.js';
import type { SmtpProbeJobData } from './smtp-probe-jobs.js';

export type FollowUpState =
  | { readonly state: 'missing' }
  | { readonly state: 'pending'; readonly dueAt: string; readonly detail: string }
  | { readonly state: 'failed'; readonly reason: string }
  | { readonly state: 'done'; readonly result: SmtpProbeResult };

export interface FollowUpReader {
  read(id: string): Promise<FollowUpState>;
  /** Waits for a pending follow-up to finish, at most `timeoutMs`. */
  wait(id: string, timeoutMs: number): Promise<FollowUpState>;
}

/** Reads follow-up probes back from the queue, for `mxops follow-up <id>`. */
export function createFollowUpReader(
  queue: Queue<SmtpProbeJobData, SmtpProbeResult>,
  events: QueueEvents,
): FollowUpReader {
  const read = async (id: string): Promise<FollowUpState> => {
    const job = await queue.getJob(id);
    if (!job) return { state: 'missing' };
    const state = await job.getState();
    if (state === 'completed') return { state: 'done', result: job.returnvalue };
    if (state === 'failed') return { state: 'failed', reason: job.failedReason };
    const dueAt = new Date(job.timestamp + (job.opts.delay ?? 0)).toISOString();
    return { state: 'pending', dueAt, detail: state };
  };
  return {
    read,
    async wait(id, timeoutMs) {
      const job = await queue.getJob(id);
      if (!job) return { state: 'missing' };
      try {
        await job.waitUntilFinished(events, timeoutMs);
      } catch {
        // A failed job or a time-out: read() tells which.
      }
      return read(id);
    },
  };
}
