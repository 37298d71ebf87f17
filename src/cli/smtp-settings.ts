/** How the checks reach mail servers: probes in this process, or jobs for `mxops worker` (--queue). */
import { hostname } from 'node:os';
import type { ProbeOptions } from '../../commands/check.js';
import type { Config } from '../config.js';
import type { SmtpProber } from '../diagnosis/smtp-port.js';
import type { SmtpSettings } from '../diagnosis/smtp-sessions.js';
import { createSmtpProber } from '../net/smtp-prober.js';
import { createFollowUpScheduler } from '../queue/follow-up-scheduler.js';
import { queuedProbeWaitMs } from '../queue/probe-stall.js';
import { createQueuedSmtpProber } from '../queue/queued-smtp-prober.js';
import type { QueueHandle } from './open-queue.js';

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
  return {
    port: config.smtp.port,
    heloName: config.smtp.heloName ?? hostname(),
    prober: createQueuedSmtpProber({
      queue,
      events,
      cacheSeconds: config.queue.probeCacheSeconds,
      waitTimeoutMs: queuedProbeWaitMs(config.smtp.totalTimeoutMs),
    }),
    followUps: { scheduler: createFollowUpScheduler(queue), delayMs: config.queue.greylistRecheckSeconds * 1000 },
  };
}

export async function smtpSettings(
  config: Config,
  input: Pick<ProbeOptions, 'queue' | 'allowPrivate'>,
): Promise<SmtpSettings> {
  if (!input.queue)
    return {
      port: config.smtp.port,
      heloName: config.smtp.heloName ?? hostname(),
      prober: inProcessProber(config, input.allowPrivate ?? false),
    };
  // BullMQ and ioredis only for --queue.
  const { openQueue } = await import('./open-queue.js');
  return queuedSmtpSettings(config, await openQueue(config));
}
