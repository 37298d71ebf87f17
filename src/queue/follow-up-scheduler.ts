import type { Queue } from 'bullmq';
import type { SmtpProbeResult } from '../diagnosis/smtp-port.js';
import type { FollowUpScheduler } from '../diagnosis/smtp-settings.js';
import { smtpProbeJobId, type SmtpProbeJobData } from './smtp-probe-jobs.js';

/** Finished follow-ups are kept this long for `mxops follow-up <id>` to read. */
const KEEP_RESULT_SECONDS = 7 * 24 * 3600;

/**
 * Follow-up probes as delayed jobs on the SMTP probe queue: whichever worker is up when the delay
 * ends runs it. The id is derived from the probe, so checking the same greylisted address again
 * while its follow-up is pending does not schedule a second one.
 */
export function createFollowUpScheduler(queue: Queue<SmtpProbeJobData, SmtpProbeResult>): FollowUpScheduler {
  return {
    async schedule(request, delayMs) {
      const jobId = `followup-${smtpProbeJobId(request).replace(/^smtp-/, '')}`;
      // A finished follow-up (kept for reading) would make add() a no-op: a new greylisting
      // deserves a new follow-up, so the old one goes.
      const previous = await queue.getJob(jobId);
      if (previous && ((await previous.isCompleted()) || (await previous.isFailed()))) await previous.remove();
      const job = await queue.add(
        'follow-up',
        { request },
        {
          jobId,
          delay: delayMs,
          removeOnComplete: { age: KEEP_RESULT_SECONDS },
          removeOnFail: { age: KEEP_RESULT_SECONDS },
          attempts: 3,
          backoff: { type: 'exponential', delay: 2_000 },
        },
      );
      // add() of a pending id returns a local copy: read the stored job for its real due time.
      const stored = (await queue.getJob(jobId)) ?? job;
      return { id: jobId, dueAt: new Date(stored.timestamp + (stored.opts.delay ?? delayMs)).toISOString() };
    },
  };
}
