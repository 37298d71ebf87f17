import type { Queue, QueueEvents } from 'bullmq';
import type { SmtpProbeRequest, SmtpProbeResult, SmtpProber } from '../diagnosis/smtp-port.js';
import { smtpProbeJobId, type SmtpProbeJobData } from './smtp-probe-jobs.js';

export interface QueuedProberOptions {
  readonly queue: Queue<SmtpProbeJobData, SmtpProbeResult>;
  readonly events: QueueEvents;
  /** How long a finished probe is kept and handed to anyone asking the same again. */
  readonly cacheSeconds: number;
  /** How long to wait for a worker before giving up. */
  readonly waitTimeoutMs: number;
}

/**
 * The SmtpProber port over BullMQ: the probe runs in whichever worker shares the Redis. The
 * deterministic job id makes identical probes in flight one job, and a finished one is reused
 * until it ages out (removeOnComplete); failures are not kept, so asking again retries.
 */
export function createQueuedSmtpProber(options: QueuedProberOptions): SmtpProber {
  return {
    async probe(request: SmtpProbeRequest): Promise<SmtpProbeResult> {
      const job = await options.queue.add(
        'probe',
        { request },
        {
          jobId: smtpProbeJobId(request),
          removeOnComplete: { age: options.cacheSeconds },
          removeOnFail: true,
          // Only our own failures throw (the result covers whatever the server does).
          attempts: 3,
          backoff: { type: 'exponential', delay: 2_000 },
        },
      );
      return (await job.waitUntilFinished(options.events, options.waitTimeoutMs)) as SmtpProbeResult;
    },
  };
}
