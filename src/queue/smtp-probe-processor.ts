/**
 * The far half of the queued SMTP prober (queued-smtp-prober.ts is the near one): a worker takes a
 * probe request off the queue and runs the real prober on it. It is the SmtpProber port carried over
 * Redis, with no rule of its own (the destination lock, the job data and the stall times are all
 * this folder's), so it lives here with its other half rather than in jobs/ with the use cases.
 */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { systemClock, type Clock } from '../clock.js';
import type { SmtpProbeResult, SmtpProber } from '../diagnosis/smtp-port.js';
import type { DestinationLock } from './destination-lock.js';
import { readSmtpProbeJobData } from './smtp-probe-jobs.js';

export interface SmtpProbeProcessorDeps {
  readonly prober: SmtpProber;
  readonly lock: DestinationLock;
  /** Longer than the longest probe (the prober's total time-out), so a crashed worker's lock expires. */
  readonly lockTtlMs: number;
  /** About how long a job waits when another probe holds its destination (jittered ±50%). */
  readonly busyRetryMs: number;
  /** Dates the delayed retry (BullMQ schedules by epoch ms); the system clock unless a test sets one. */
  readonly clock?: Clock;
}

/**
 * Runs one SMTP probe per job, one connection per destination address at a time. The prober
 * reports whatever the server does in its result; only our own failures throw, and those are
 * what BullMQ's attempts and backoff retry.
 */
export function createSmtpProbeProcessor(deps: SmtpProbeProcessorDeps) {
  return async (job: Job, token?: string): Promise<SmtpProbeResult> => {
    const data = readSmtpProbeJobData(job.data);
    if (typeof data === 'string') throw new UnrecoverableError(`bad smtp-probe job ${job.id}: ${data}`);
    const release = await deps.lock.acquire(data.request.address, deps.lockTtlMs);
    if (!release) {
      // Jitter, so jobs waiting on one busy address do not all wake at once and collide again.
      await job.moveToDelayed((deps.clock ?? systemClock).wallMs() + deps.busyRetryMs * (0.5 + Math.random()), token);
      throw new DelayedError();
    }
    try {
      return await deps.prober.probe(data.request);
    } finally {
      // A failed release must not fail a finished probe (a retry would connect again); the lock's
      // own expiry frees the address anyway.
      await release().catch(() => undefined);
    }
  };
}
