import type { Clock } from '../src/clock.js';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Card } from '../src/chat/card.js';
import type { NagNotifier } from '../src/chat/nag-notifier.js';
import { outageEndCard, outageReminderCard, outageStartCard } from '../src/chat/outage-step-cards.js';
import { readStepKind } from '../src/outages/outage-steps.js';
import { outageStepJobId, readOutageStepJobData } from '../src/queue/outage-jobs.js';
import type { OpenDatabase } from '../src/store/database.js';
import { type ClaimedStep, claimOutageStep, completeOutageStep } from '../src/store/outage-steps.js';

export interface OutageStepDeps {
  readonly store: OpenDatabase;
  readonly notifiers: readonly NagNotifier[];
  /** Wall time: due dates, claims and the audit log are calendar times. */
  readonly clock: Clock;
}

/**
 * Tells the system's owner, in a direct message on each platform they are reachable on, that a
 * window is coming (reminders), starting, or over (with the Patched / Not done question). A step
 * already sent, or of a window no longer approved, is skipped.
 */
export function createOutageStepProcessor(deps: OutageStepDeps) {
  return async (job: Job): Promise<string> => {
    const id = readOutageStepJobData(job.data);
    if (typeof id === 'string') throw new UnrecoverableError(`bad outage-step job ${job.id}: ${id}`);
    const claimed = await claimOutageStep(deps.store, id);
    if (claimed === undefined) return 'skipped';
    const owner = claimed.chain[0];
    const card = stepCard(claimed, owner?.timeZone ?? 'UTC', deps.clock.wallMs());
    const told: string[] = [];
    for (const notifier of deps.notifiers) {
      const user = owner?.chat[notifier.platform];
      if (user === undefined) continue;
      await notifier.directMessage(user, card, outageStepJobId(id));
      told.push(`${notifier.platform}:${owner!.handle}`);
    }
    await completeOutageStep(deps.store, claimed, deps.clock.wallMs(), told);
    return told.length > 0 ? 'sent' : 'nobody to tell';
  };
}

function stepCard(claimed: ClaimedStep, timeZone: string, now: number): Card {
  const reading = { now, timeZone };
  const step = readStepKind(claimed.id.kind);
  switch (step.kind) {
    case 'reminder':
      return outageReminderCard(claimed.request, step.leadMs, reading);
    case 'start':
      return outageStartCard(claimed.request, reading);
    case 'end':
      return outageEndCard(claimed.request, reading);
  }
}
