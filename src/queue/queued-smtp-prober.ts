import type { Queue, QueueEvents } from 'bullmq';
import { systemClock, type Clock } from '../clock.js';
import {
  blankProbeResult,
  type ProbeOptions,
  type SmtpProbeRequest,
  type SmtpProbeResult,
  type SmtpProber,
} from '../diagnosis/smtp-port.js';
import { smtpProbeJobId, type SmtpProbeJobData } from './smtp-probe-jobs.js';

export interface QueuedProberOptions {
  readonly queue: Queue<SmtpProbeJobData, SmtpProbeResult>;
  readonly events: QueueEvents;
  /** How long a finished probe is kept and handed to anyone asking the same again. */
  readonly cacheSeconds: number;
  /**
   * How long to wait for a worker before giving up: queuedProbeWaitMs (probe-stall.ts) covers a
   * worker dying mid-probe and another taking the job over. Past it, a probe still running is
   * reported as such, with where its result will be.
   */
  readonly waitTimeoutMs: number;
  /** Ages kept probes against BullMQ's finishedOn (epoch ms); the system clock unless a test sets one. */
  readonly clock?: Clock;
}

/**
 * The SmtpProber port over BullMQ: the probe runs in whichever worker shares the Redis. The
 * deterministic job id makes identical probes in flight one job, and a finished one is reused
 * until it ages out (removeOnComplete); failures are not kept, so asking again retries.
 */
export function createQueuedSmtpProber(options: QueuedProberOptions): SmtpProber {
  // Each waitUntilFinished adds a 'closing' listener to the queue for as long as it waits; a busy
  // bot waits on many probes at once, which is not a leak.
  options.queue.setMaxListeners(Math.max(options.queue.getMaxListeners(), 1_000));
  const clock = options.clock ?? systemClock;
  return {
    async probe(request: SmtpProbeRequest, probeOptions: ProbeOptions = {}): Promise<SmtpProbeResult> {
      const add = () =>
        options.queue.add(
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
      // BullMQ prunes aged jobs only when another completes: a quiet queue would hand back an old
      // session for ever, so an expired one is removed before the probe is added anew.
      // A fresh probe (Re-check) drops a finished one whatever its age; one still running is joined.
      const kept = await options.queue.getJob(smtpProbeJobId(request));
      const expired =
        kept?.finishedOn !== undefined &&
        (probeOptions.fresh === true || clock.wallMs() - kept.finishedOn > options.cacheSeconds * 1000);
      if (kept && expired) await kept.remove().catch(() => undefined);
      const job = await add();
      try {
        return (await job.waitUntilFinished(options.events, options.waitTimeoutMs)) as SmtpProbeResult;
      } catch (error) {
        // The port promises a result: a probe no worker finished is reported, not thrown.
        const state = await job.getState().catch(() => 'unknown');
        if (state === 'active') return stillRunning(request, job.id ?? smtpProbeJobId(request), options);
        return unfinished(request, error instanceof Error ? error.message : String(error), options.waitTimeoutMs);
      }
    },
  };
}

/** A worker has it, and is slower than the wait: not a failure of the server, and not lost. */
function stillRunning(request: SmtpProbeRequest, jobId: string, options: QueuedProberOptions): SmtpProbeResult {
  const waited = Math.round(options.waitTimeoutMs / 1000);
  return {
    ...blankProbeResult(request),
    abort: {
      step: 'connect',
      reason: 'error',
      detail:
        options.cacheSeconds > 0
          ? `the probe is still running in a worker after ${waited} s (job ${jobId}); its result is kept for ${options.cacheSeconds} s after it ends: run the check again then to see it`
          : `the probe is still running in a worker after ${waited} s (job ${jobId}); its result is not kept (MXOPS_PROBE_CACHE_SECONDS=0)`,
    },
    totalMs: options.waitTimeoutMs,
  };
}

function unfinished(request: SmtpProbeRequest, why: string, waitedMs: number): SmtpProbeResult {
  return {
    ...blankProbeResult(request),
    abort: {
      step: 'connect',
      reason: 'error',
      detail: `no worker finished the probe within ${Math.round(waitedMs / 1000)} s (is mxops worker running against this Redis?): ${why}`,
    },
    totalMs: waitedMs,
  };
}
