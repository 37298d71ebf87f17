import { type Job, UnrecoverableError } from 'bullmq';
import type { NagNotifier } from '../src/chat/nag-notifier.js';
import { nagCard } from '../src/chat/patch-nag-cards.js';
import { nagMessage } from '../src/patching/nag-message.js';
import { nagRecipients } from '../src/patching/nag-recipients.js';
import { nagJobId, readNagJobData } from '../src/queue/patch-jobs.js';
import type { OpenDatabase } from '../src/store/database.js';
import { type ClaimedNag, claimNag, completeNag, type DeliveryReport, recordPlatformDelivered } from '../src/store/nag-records.js';
import { saveThread } from '../src/store/patch-threads.js';

export interface PatchNagDeps {
  readonly store: OpenDatabase;
  /** One per configured platform; none: nags are recorded and audited as undeliverable. */
  readonly notifiers: readonly NagNotifier[];
  readonly now: () => number;
}

/**
 * Delivers one recorded nag: claims it (a nag already sent, or made moot by an acknowledgement,
 * snooze, risk acceptance or patch, is skipped), posts it in the patch's thread on each platform
 * and sends the level's people a direct message, then records it as sent. Platform failures
 * throw, and BullMQ retries with backoff.
 */
export function createPatchNagProcessor(deps: PatchNagDeps) {
  return async (job: Job): Promise<string> => {
    const id = readNagJobData(job.data);
    if (typeof id === 'string') throw new UnrecoverableError(`bad patch-nag job ${job.id}: ${id}`);
    const outcome = await claimNag(deps.store, id, deps.now());
    if (outcome.kind === 'skip') return outcome.reason;
    const report = await deliver(outcome.claimed, deps);
    await completeNag(deps.store, outcome.claimed, deps.now(), report);
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
    const thread = claimed.threads.find((known) => known.platform === platform);
    // The thread post is the last step on a platform: recorded, or found in the thread, it means
    // an earlier attempt finished there (the second check covers a crash before the record).
    const finished = claimed.delivered.includes(platform) || (claimed.retry && thread !== undefined && (await notifier.inThread(thread, marker)));
    if (finished) {
      threads.push(`${platform}:${channel}`);
      continue;
    }
    for (const person of recipients.people) {
      const user = person.chat[platform];
      if (user === undefined) problems.push(`${person.name} has no ${platform} identity`);
      else {
        await notifier.directMessage(user, card, marker);
        directMessages.push(`${platform}:${person.handle}`);
      }
    }
    if (thread === undefined) {
      const started = await notifier.startThread(channel, card, marker);
      await saveThread(deps.store.db, patch.id, { platform, conversation: started.conversation, message: started.message });
    } else {
      await notifier.replyInThread(thread, card, { broadcast: recipients.broadcast, marker });
    }
    await recordPlatformDelivered(deps.store, claimed.id, platform);
    threads.push(`${platform}:${channel}`);
  }
  return { threads, directMessages, problems };
}
