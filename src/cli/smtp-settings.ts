/**
 * How the checks reach mail servers: probes in this process, or jobs for `mxops worker` (--queue,
 * and the chat surfaces of `mxops start`). Every SmtpSettings of the process is built here, by
 * smtpSettings(), so the port and the HELO name cannot differ between the CLI, chat and workers.
 */
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { SmtpProber } from '../diagnosis/smtp-port.js';
import type { SmtpSettings } from '../diagnosis/smtp-settings.js';
import { createSmtpProber } from '../net/smtp-prober.js';
import { createFollowUpScheduler } from '../queue/follow-up-scheduler.js';
import { queuedProbeWaitMs } from '../queue/probe-stall.js';
import { createQueuedSmtpProber } from '../queue/queued-smtp-prober.js';
import type { Lifecycle } from './lifecycle.js';
import type { QueueHandle } from './open-queue.js';

/** The configured port and HELO name around `prober`: the one place SmtpSettings are made. */
export function smtpSettings(config: Config, prober: SmtpProber, followUps?: SmtpSettings['followUps']): SmtpSettings {
  return {
    port: config.smtp.port,
    heloName: config.smtp.heloName ?? hostname(),
    prober,
    ...(followUps ? { followUps } : {}),
  };
}

/** Probes from this process, under the configured time-outs and address rule (or --allow-private). */
export function inProcessProber(config: Config, allowPrivate: boolean): SmtpProber {
  const { connectTimeoutMs, bannerTimeoutMs, commandTimeoutMs, totalTimeoutMs } = config.smtp;
  return createSmtpProber({
    limits: { connectTimeoutMs, bannerTimeoutMs, commandTimeoutMs, totalTimeoutMs },
    allowPrivateTargets: config.smtp.allowPrivateTargets || allowPrivate,
  });
}

/** Probes as jobs on the queue, with greylisting follow-ups scheduled there too. */
export function queuedSmtpSettings(
  config: Config,
  { queue, events }: Pick<QueueHandle, 'queue' | 'events'>,
): SmtpSettings {
  const prober = createQueuedSmtpProber({
    queue,
    events,
    cacheSeconds: config.queue.probeCacheSeconds,
    waitTimeoutMs: queuedProbeWaitMs(config.smtp.totalTimeoutMs),
  });
  return smtpSettings(config, prober, {
    scheduler: createFollowUpScheduler(queue),
    delayMs: config.queue.greylistRecheckSeconds * 1000,
  });
}

/** As the command line asks (`--queue`, `--allow-private`); the queue, if used, is closed with the command (`lifecycle`). */
export async function smtpSettingsFor(
  config: Config,
  input: { readonly queue?: boolean | undefined; readonly allowPrivate?: boolean | undefined },
  lifecycle: Lifecycle | undefined,
): Promise<SmtpSettings> {
  if (!input.queue) return smtpSettings(config, inProcessProber(config, input.allowPrivate ?? false));
  if (lifecycle === undefined) throw new Error('--queue needs a lifecycle to close the queue with');
  // BullMQ and ioredis only for --queue.
  const { openQueue } = await import('./open-queue.js');
  return queuedSmtpSettings(config, await openQueue(config, lifecycle));
}
