import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createSmtpProbeProcessor } from './smtp-probe-processor.js';
import type { SmtpProbeResult, SmtpProber } from '../diagnosis/smtp-port.js';
import { createDestinationLock } from './destination-lock.js';
import { PROBE_STALL } from './probe-stall.js';
import { SMTP_PROBE_QUEUE, type SmtpProbeJobData } from './smtp-probe-jobs.js';

export interface SmtpWorkerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly concurrency: number;
  readonly prober: SmtpProber;
  readonly probeTimeoutMs: number;
  /** BullMQ's job lock; a worker that dies mid-job loses it after this long and the job is retried elsewhere. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** How long a destination stays locked if its worker dies mid-probe (default: probe time-out + 30 s). */
  readonly destinationLockMs?: number;
  /** About how long a job waits when another probe holds its destination (default 250 ms, jittered). */
  readonly busyRetryMs?: number;
}

/** A BullMQ worker for SMTP probes. Close it (await worker.close()) on SIGTERM: running probes finish first. */
export function createSmtpWorker(options: SmtpWorkerOptions): Worker<SmtpProbeJobData, SmtpProbeResult> {
  const processor = createSmtpProbeProcessor({
    prober: options.prober,
    lock: createDestinationLock(options.connection, options.prefix),
    lockTtlMs: options.destinationLockMs ?? options.probeTimeoutMs + PROBE_STALL.destinationLockExtraMs,
    busyRetryMs: options.busyRetryMs ?? 250,
  });
  return new Worker<SmtpProbeJobData, SmtpProbeResult>(SMTP_PROBE_QUEUE, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    // Named in probe-stall.ts: how long a check waits for a probe is derived from them.
    lockDuration: options.lockDurationMs ?? PROBE_STALL.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? PROBE_STALL.stalledIntervalMs,
  });
}
