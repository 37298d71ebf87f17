import type { Clock } from '../src/clock.js';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Card } from '../src/chat/card.js';
import type { NagNotifier } from '../src/chat/nag-notifier.js';
import { nagCard } from '../src/chat/patch-nag-cards.js';
import { nagMessage } from '../src/patching/nag-message.js';
import { nagRecipients } from '../src/patching/nag-recipients.js';
import { nagJobId, readNagJobData } from '../src/queue/patch-jobs.js';
import type { OpenDatabase } from '../src/store/database.js';
import {
  type ClaimedNag,
  claimNag,
  completeNag,
  type DeliveryReport,
  recordDirectMessage,
  recordPlatformDelivered,
  recordThreadStarted,
} from '../src/store/nag-records.js';

export interface PatchNagDeps {
  readonly store: OpenDatabase;
  /** One per configured platform; none: nags are recorded and audited as undeliverable. */
  readonly notifiers: readonly NagNotifier[];
  /** Wall time: due dates, claims and the audit log are calendar times. */
  readonly clock: Clock;
}

/**
 * How often a nag job may be taken over from a worker that died holding it (BullMQ's
 * maxStalledCount). BullMQ's default of 1 fails the job for good at the second take-over, and the
 * sweep's re-enqueue (same job id) then adds nothing while the failed job is kept (a week): a
 * worker crash-looping twice would lose the nags it held. Taking a nag over is safe, since each
 * message is recorded and looked for before it is posted; the limit is only there to stop a nag
 * that kills every worker running it.
 */
export const NAG_MAX_STALLED_COUNT = 10;

/**
 * Delivers one recorded nag: claims it (a nag already sent, or made moot by an acknowledgement,
 * snooze, risk acceptance or patch, is skipped), sends the level's people a direct message and
 * posts it in the patch's thread on each platform, then records it as sent. Platform failures
 * throw, and BullMQ retries with backoff.
 *
 * Each message is one step: skipped if an earlier attempt recorded it; on a retry, looked for on
 * the platform (its marker in the message metadata on Slack) and recorded if found; otherwise
 * posted and recorded at once, before the next step. So a worker killed at any step and taken over
 * posts each message once, except where the platform cannot be searched (Teams) and the kill falls
 * between the platform taking a message and its record.
 */
export function createPatchNagProcessor(deps: PatchNagDeps) {
  return async (job: Job): Promise<string> => {
    const id = readNagJobData(job.data);
    if (typeof id === 'string') throw new UnrecoverableError(`bad patch-nag job ${job.id}: ${id}`);
    const outcome = await claimNag(deps.store, id, deps.clock.wallMs());
    if (outcome.kind === 'skip') return outcome.reason;
    const report = await deliver(outcome.claimed, deps);
    await completeNag(deps.store, outcome.claimed, deps.clock.wallMs(), report);
    return outcome.claimed.retry ? 'resent' : 'sent';
  };
}

async function deliver(claimed: ClaimedNag, deps: PatchNagDeps): Promise<DeliveryReport> {
  const { nag, patch, system, policy, chain, leaders } = claimed;
  const recipients = nagRecipients(nag.level, policy, chain, leaders);
  const nextLevel = nag.level >= 0 && nag.level + 1 < policy.levels.length ? nag.level + 1 : undefined;
  const card = nagCard(
    nagMessage({
      nag,
      state: patch.escalation,
      patch,
      system,
      policy,
      recipients,
      nextRecipients: nextLevel === undefined ? undefined : nagRecipients(nextLevel, policy, chain, leaders),
      ...(claimed.denial !== undefined ? { denial: claimed.denial } : {}),
    }),
    patch,
  );
  const marker = nagJobId(claimed.id);
  const threads: string[] = [];
  const directMessages: string[] = [];
  const problems: string[] = [];
  if (deps.notifiers.length === 0) problems.push('no chat platform is configured');
  for (const notifier of deps.notifiers) {
    const { platform } = notifier;
    const channel = system.channel[platform];
    if (channel === undefined) {
      problems.push(`${system.name} has no ${platform} channel`);
      continue;
    }
    // The thread post is the last step on a platform: recorded, every step before it was too.
    if (claimed.delivered.includes(platform)) {
      threads.push(`${platform}:${channel}`);
      continue;
    }
    for (const person of recipients.people) {
      const user = person.chat[platform];
      if (user === undefined) {
        problems.push(`${person.name} has no ${platform} identity`);
        continue;
      }
      await directMessageOnce(claimed, deps.store, notifier, user, card, marker);
      directMessages.push(`${platform}:${person.handle}`);
    }
    const thread = claimed.threads.find((known) => known.platform === platform);
    if (thread === undefined) {
      // A root an earlier attempt posted and died before saving would otherwise start a second thread.
      const found = claimed.retry ? await notifier.findThreadStart?.(channel, marker, nag.at) : undefined;
      const started = found ?? (await notifier.startThread(channel, card, marker));
      await recordThreadStarted(deps.store, claimed.id, platform, started);
    } else {
      const found = claimed.retry && (await notifier.inThread(thread, marker));
      if (!found) await notifier.replyInThread(thread, card, { broadcast: recipients.broadcast, marker });
      await recordPlatformDelivered(deps.store, claimed.id, platform);
    }
    threads.push(`${platform}:${channel}`);
  }
  return { threads, directMessages, problems };
}

/**
 * One direct message of the nag, once: recorded by an earlier attempt, or found in the person's
 * chat on a retry, it is not sent again. A first attempt need not look: the claim found the nag
 * `pending`, so no worker had started on it.
 */
async function directMessageOnce(
  claimed: ClaimedNag,
  store: OpenDatabase,
  notifier: NagNotifier,
  user: string,
  card: Card,
  marker: string,
): Promise<void> {
  const { platform } = notifier;
  if (claimed.sentDirect.some((sent) => sent.platform === platform && sent.recipient === user)) return;
  const found = claimed.retry ? await notifier.findDirect?.(user, marker, claimed.nag.at) : undefined;
  const sent = found ?? (await notifier.directMessage(user, card, marker));
  await recordDirectMessage(store, claimed.id, {
    platform,
    recipient: user,
    conversation: sent.conversation,
    message: sent.message,
  });
}
