/**
 * The audit checkpoints of the long-running processes: the audit channel as a place they go to
 * (once the platforms' notifiers exist), and, for workers, the schedule.
 */
import type { Redis } from 'ioredis';
import type { NagNotifier } from '../chat/nag-notifier.js';
import type { Config } from '../config.js';
import { startAuditCheckpointWorker } from '../queue/audit-checkpoint-worker.js';
import { auditCheckpointerOf } from '../store/audit-attach.js';
import type { OpenDatabase } from '../store/database.js';
import { checkpointChannelSink } from './audit-channel-sink.js';

/** Posts the store's checkpoints to MXOPS_AUDIT_CHANNEL, if set; BAD_CONFIG if its platform is not configured. */
export function postCheckpointsToChannel(config: Config, store: OpenDatabase, notifiers: readonly NagNotifier[]): void {
  if (config.audit.channel === undefined) return;
  auditCheckpointerOf(store)?.addSink(checkpointChannelSink(config.audit.channel, notifiers));
}

/** The scheduled checkpoints, when there is somewhere to keep them. */
export async function scheduleCheckpoints(
  config: Config,
  connection: Redis,
  store: OpenDatabase,
  onError: (error: Error) => void,
): Promise<{ close(): Promise<void> } | undefined> {
  const checkpointer = auditCheckpointerOf(store);
  if (checkpointer === undefined || (config.audit.checkpointFile === undefined && config.audit.channel === undefined))
    return undefined;
  return startAuditCheckpointWorker({
    connection,
    prefix: config.queue.prefix,
    store,
    checkpointer,
    everyMs: config.audit.checkpointMinutes * 60_000,
    onError,
  });
}
