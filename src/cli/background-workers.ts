/**
 * The background work of `mxops worker` and `mxops start`: the escalation sweep and nags, and the
 * watches' re-checks, posting through whichever platforms are configured.
 */
import type { Redis } from 'ioredis';
import { closeExpiredRequests } from '../../commands/outage-decisions.js';
import { createNagNotifiers } from '../chat/nag-notifiers.js';
import type { Config } from '../config.js';
import { startPatchWorkers } from '../queue/patch-workers.js';
import { startWatchWorker } from '../queue/watch-workers.js';
import { createRedisConversationReferenceStore } from '../store/redis-conversation-references.js';
import type { OpenDatabase } from '../store/database.js';
import { postCheckpointsToChannel, scheduleCheckpoints } from './audit-checkpoints.js';
import { httpsFetcher } from './https-settings.js';
import { diagnosisRunner } from './mailcheck-deps.js';
import { DAY_MS } from './open-store.js';
import { smtpSettings } from './smtp-settings.js';

export async function startBackgroundWorkers(
  config: Config,
  connection: Redis,
  store: OpenDatabase,
  onError: (error: Error) => void,
): Promise<{ close(): Promise<void> }> {
  const notifiers = await createNagNotifiers({
    slack: config.slack,
    teams: config.teams,
    teamsReferences: createRedisConversationReferenceStore(connection, config.queue.prefix),
  });
  postCheckpointsToChannel(config, store, notifiers);
  const checkpoints = await scheduleCheckpoints(config, connection, store, onError);
  const escalation = await startPatchWorkers({
    connection,
    prefix: config.queue.prefix,
    store,
    notifiers,
    sweepEveryMs: config.sweepIntervalSeconds * 1000,
    now: () => Date.now(),
    onError,
    expireOutages: (now) => closeExpiredRequests(store, notifiers, now),
  });
  // A watch's SMTP probes run in this worker: it is one itself, and waiting on the probe queue from here could starve it.
  const run = diagnosisRunner(
    config,
    await smtpSettings(config, { queue: false, allowPrivate: false }),
    httpsFetcher(config, false),
  );
  const watches = await startWatchWorker({
    connection,
    prefix: config.queue.prefix,
    store,
    notifiers,
    diagnose: (target) => run(target),
    keepMs: config.checkHistoryDays * DAY_MS,
    now: () => new Date(),
    onError,
  });
  return {
    async close() {
      await Promise.all([escalation.close(), watches.close(), checkpoints?.close()]);
    },
  };
}
