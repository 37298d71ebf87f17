import type { Queue } from 'bullmq';
import type { SmtpProbeResult } from '../diagnosis/smtp-port.js';
import type { FollowUpScheduler } from '../diagnosis/smtp-sessions.js';
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
      const job = await queue.add(
        'follow-up',
        { request },
        {
          jobId: `followup-${smtpProbeJobId(request).replace(/^smtp-/, '')}`,
          delay: delayMs,
          removeOnComplete: { age: KEEP_RESULT_SECONDS },
          removeOnFail: { age: KEEP_RESULT_SECONDS },
          attempts: 3,
          backoff: { type: 'exponential', delay: 2_000 },
        },
      );
      return { id: job.id ?? '', dueAt: new Date(job.timestamp + (job.opts.delay ?? delayMs)).toISOString() };
    },
  };
}
