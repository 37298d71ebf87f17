/**
 * The background work of `mxops worker` and `mxops start`: the escalation sweep and nags, the
 * watches' re-checks and the scheduled audit checkpoints, posting through the process's notifiers
 * (notifiers.ts). Each is handed to `own` as it starts, so one started before a later one failed
 * is closed too; the caller says how (lifecycle.ts).
 */
import { systemClock } from '../clock.js';
import type { Redis } from 'ioredis';
import { closeExpiredRequests } from '../../commands/outage-decisions.js';
import { createMailWatchProcessor } from '../../jobs/mail-watch.js';
import { createOutageStepProcessor } from '../../jobs/outage-step.js';
import { createPatchNagProcessor, NAG_MAX_STALLED_COUNT } from '../../jobs/patch-nag.js';
import { createPatchSweepProcessor } from '../../jobs/patch-sweep.js';
import type { NagNotifier } from '../chat/nag-notifier.js';
import type { Config } from '../config.js';
import { startPatchWorkers, type PatchProcessors } from '../queue/patch-workers.js';
import { startWatchWorker } from '../queue/watch-workers.js';
import type { OpenDatabase } from '../store/database.js';
import { scheduleCheckpoints } from './audit-checkpoints.js';
import { diagnosisDeps, diagnosisRunner, fixedProbes } from './diagnosis-runner.js';
import { httpsFetcher } from './https-settings.js';
import { DAY_MS } from './open-store.js';
import { inProcessProber, smtpSettings } from './smtp-settings.js';

export async function startBackgroundWorkers(
  config: Config,
  connection: Redis,
  store: OpenDatabase,
  notifiers: readonly NagNotifier[],
  onError: (error: Error) => void,
  own: (name: string, close: () => Promise<void>) => void,
): Promise<void> {
  const checkpoints = await scheduleCheckpoints(config, connection, store, onError);
  if (checkpoints) own('the audit checkpoint worker', () => checkpoints.close());
  const escalation = await startPatchWorkers({
    connection,
    prefix: config.queue.prefix,
    processors: patchProcessors(store, notifiers),
    sweepEveryMs: config.sweepIntervalSeconds * 1000,
    onError,
  });
  own('the escalation workers', () => escalation.close());
  // A watch's SMTP probes run in this worker: it is one itself, and waiting on the probe queue from here could starve it.
  const smtp = smtpSettings(config, inProcessProber(config, false));
  const run = diagnosisRunner(diagnosisDeps(config, fixedProbes(smtp, httpsFetcher(config, false))));
  const watches = await startWatchWorker({
    connection,
    prefix: config.queue.prefix,
    processor: (unschedule) =>
      createMailWatchProcessor({
        store,
        notifiers,
        diagnose: (target) => run(target),
        keepMs: config.checkHistoryDays * DAY_MS,
        clock: systemClock,
        unschedule,
      }),
    onError,
  });
  own('the watch worker', () => watches.close());
}

/** The escalation's jobs over the store and the notifiers; each sweep also closes expired outage requests. */
function patchProcessors(store: OpenDatabase, notifiers: readonly NagNotifier[]): PatchProcessors {
  const deliveries = { store, notifiers, clock: systemClock };
  return {
    sweep: (queues) =>
      createPatchSweepProcessor({
        store,
        ...queues,
        clock: systemClock,
        expireOutages: (at) => closeExpiredRequests(store, notifiers, at),
      }),
    nag: createPatchNagProcessor(deliveries),
    nagMaxStalledCount: NAG_MAX_STALLED_COUNT,
    outageStep: createOutageStepProcessor(deliveries),
  };
}
