/**
 * Audit checkpoints posted to the audit channel (MXOPS_AUDIT_CHANNEL) through the nag notifier
 * of its platform: a post in a channel the database's users cannot edit is a copy of the head
 * they cannot reach, with the time the platform stamped on it. Each post is a new top-level
 * message carrying `audit-checkpoint-<seq>` as its marker. Wired here, where the store's sink port
 * meets the chat notifiers, so neither of them imports the other.
 */
import { checkpointCard } from '../chat/audit-checkpoint-card.js';
import type { NagNotifier } from '../chat/nag-notifier.js';
import { AppError } from '../errors.js';
import type { AuditChannel } from '../store/audit-config.js';
import type { CheckpointSink } from '../store/audit-checkpointer.js';
import { formatCheckpointLine, keptCheckpoint } from '../store/audit-checkpoints.js';

/** The sink for the audit channel; BAD_CONFIG when its platform is not configured here. */
export function checkpointChannelSink(channel: AuditChannel, notifiers: readonly NagNotifier[]): CheckpointSink {
  const notifier = notifiers.find((candidate) => candidate.platform === channel.platform);
  if (notifier === undefined) {
    throw new AppError(
      'BAD_CONFIG',
      `MXOPS_AUDIT_CHANNEL names a ${channel.platform === 'slack' ? 'Slack' : 'Teams'} channel, but ${channel.platform === 'slack' ? 'MXOPS_SLACK_BOT_TOKEN' : 'MXOPS_TEAMS_APP_ID'} is not set`,
    );
  }
  return {
    name: `the ${channel.platform === 'slack' ? 'Slack' : 'Teams'} audit channel ${channel.id}`,
    immediate: false,
    async write(head, at) {
      const card = checkpointCard({ ...head, at, kept: keptCheckpoint(head), line: formatCheckpointLine(head, at) });
      await notifier.startThread(channel.id, card, `audit-checkpoint-${head.seq}`);
    },
  };
}
