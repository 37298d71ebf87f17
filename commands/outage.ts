/**
 * `outage ...` in Slack (/outage), Teams and the console: ask for a maintenance window, list the
 * windows to come, decide a request by typing. A request's card is posted where it was asked and
 * sent to each approver by direct message; every copy is recorded so a decision can replace them
 * all. Refusals (bad input, unknown system, outside the windows, not yours) go to the typist alone
 * and post nothing.
 */
import type { ChatActor } from '../src/chat/chat-place.js';
import type { Conversation } from '../src/chat/conversation.js';
import { outageListCard, outageRequestCard } from '../src/chat/outage-cards.js';
import type { Reading } from '../src/chat/patch-text.js';
import { parseWhen } from '../src/outages/when.js';
import { recordOutageCard, requestOutage } from '../src/store/outage-requests.js';
import { loadOutageView, upcomingOutages } from '../src/store/outage-views.js';
import { decideOutage, DEFAULT_ZONE, type OutageDeps } from './outage-decisions.js';
import { answerOutage } from './outage-outcome.js';
import { OUTAGE_HELP, parseOutageCommand, type OutageCommand } from './outage-command.js';
import { requireIdentity, resolveActor, type KnownActor } from './patch-actor.js';
import { typedRefusal, whisperRefusals } from './refusals.js';

export { OUTAGE_HELP } from './outage-command.js';
export type { OutageDeps } from './outage-decisions.js';

export interface OutageCommandContext {
  readonly actor: ChatActor;
  readonly conversation: Conversation;
}

/** Said by a surface started without the store (only tests do that). */
export const OUTAGE_UNAVAILABLE = 'Outage requests are not available here: this mxops runs without its database.';

export async function handleOutage(text: string, context: OutageCommandContext, deps: OutageDeps): Promise<void> {
  const { conversation, actor } = context;
  const command = parseOutageCommand(text);
  if (command.kind === 'help') return conversation.whisper(OUTAGE_HELP);
  if (command.kind === 'invalid')
    return conversation.whisper(
      `${command.message}\nUsage: ${command.usage.includes('\n') ? `\n${command.usage}` : command.usage}`,
    );
  const refusal = command.kind === 'list' ? undefined : typedRefusal(deps, actor, `outage ${text}`);
  await whisperRefusals(
    conversation,
    async () => {
      const known = await resolveActor(deps.store, actor);
      const reading: Reading = { now: deps.clock.wallMs(), timeZone: known?.person?.timeZone ?? DEFAULT_ZONE };
      switch (command.kind) {
        case 'list':
          await conversation.post(outageListCard(await upcomingOutages(deps.store.db, reading.now), reading));
          return;
        case 'request':
          await askForWindow(command, requireIdentity(known, actor), context, deps, reading);
          return;
        case 'decide':
          await decideOutage(command, actor, conversation, deps);
          return;
        case 'answer':
          await answerOutage(command.outcome, command.id, { actor, conversation, refusal }, deps);
          return;
      }
    },
    refusal,
  );
}

export async function askForWindow(
  command: Extract<OutageCommand, { kind: 'request' }>,
  actor: KnownActor,
  context: OutageCommandContext,
  deps: OutageDeps,
  reading: Reading,
): Promise<void> {
  const { conversation } = context;
  const start = parseWhen(command.when, reading.now, reading.timeZone);
  const asked = await requestOutage(deps.store, {
    person: actor.person,
    identity: actor.identity,
    surface: actor.surface,
    system: command.system,
    start,
    durationMs: command.durationMs,
    reason: command.reason,
    now: reading.now,
    timeZone: reading.timeZone,
  });
  const { id } = asked.request;
  const view = await loadOutageView(deps.store.db, id, reading.now);
  const here = await conversation.post(outageRequestCard(view, reading));
  await recordOutageCard(deps.store.db, id, { platform: context.actor.platform, ...here });
  const missed: string[] = [];
  for (const notifier of deps.notifiers ?? []) {
    for (const approver of view.approvers) {
      const user = approver.chat[notifier.platform];
      // A requester who may not count towards their own request has nothing to decide.
      if (user === undefined || (approver.handle === asked.request.requestedBy && !view.approval.selfApproval))
        continue;
      try {
        const sent = await notifier.directMessage(
          user,
          outageRequestCard(view, { now: reading.now, timeZone: approver.timeZone }),
          `outage-${id}`,
        );
        await recordOutageCard(deps.store.db, id, { platform: notifier.platform, ...sent });
      } catch (error) {
        missed.push(
          `${approver.name} on ${notifier.platform === 'slack' ? 'Slack' : 'Teams'} (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
  }
  if (missed.length > 0)
    await conversation.whisper(
      `Request #${id} is posted here, but could not reach ${missed.join('; ')} directly: show them this card.`,
    );
}
