/**
 * `patch ...` in Slack (/patch), Teams and the console: read the inventory (list, overdue, show,
 * who) or change it (ack, snooze, done, add). Platform-neutral: the surface says who typed it and
 * hands over the conversation. Refusals (bad input, no such system, not yours) go to the user
 * alone and change nothing.
 */
import type { Clock } from '../src/clock.js';
import type { ChatActor } from '../src/chat/chat-place.js';
import type { Card } from '../src/chat/card.js';
import type { Conversation } from '../src/chat/conversation.js';
import { actionCard, listCard, overdueCard, showCard, whoCard } from '../src/chat/patch-cards.js';
import type { Reading } from '../src/chat/patch-text.js';
import type { OpenDatabase } from '../src/store/database.js';
import { applyPatchAction } from '../src/store/patch-actions.js';
import { loadOpenSystems, loadOverdue, loadSystemDetails, loadSystemPeople } from './patch-views.js';
import { addPatch } from './patch-add.js';
import { actorName, requireIdentity, resolveActor, type KnownActor } from './patch-actor.js';
import { parsePatchCommand, PATCH_HELP, type PatchRequest } from './patch-request.js';
import { typedRefusal, whisperRefusals } from './refusals.js';
import { decideRisk, listRisks, requestRisk } from './patch-risk.js';
import type { NagNotifier } from '../src/chat/nag-notifier.js';

export { PATCH_HELP } from './patch-request.js';

export interface PatchDeps {
  readonly store: OpenDatabase;
  /** Wall time: due dates, holds and the audit log are calendar times. */
  readonly clock: Clock;
  /** Direct messages to risk approvers; none: requests are shown only where they were asked. */
  readonly notifiers?: readonly NagNotifier[];
}

export interface PatchCommandContext {
  readonly actor: ChatActor;
  readonly conversation: Conversation;
}

/** Said by a surface started without the store (only tests do that). */
export const PATCH_UNAVAILABLE = 'The patch inventory is not available here: this mxops runs without its database.';

/** Times are shown in this zone to people the inventory does not know. */
const DEFAULT_ZONE = 'UTC';

export async function handlePatch(text: string, context: PatchCommandContext, deps: PatchDeps): Promise<void> {
  const { conversation } = context;
  const request = parsePatchCommand(text);
  if (request.kind === 'help') return conversation.whisper(PATCH_HELP);
  if (request.kind === 'invalid')
    return conversation.whisper(
      `${request.message}\nUsage: ${request.usage.includes('\n') ? `\n${request.usage}` : request.usage}`,
    );
  const reads =
    request.kind === 'list' ||
    request.kind === 'overdue' ||
    request.kind === 'show' ||
    request.kind === 'who' ||
    request.kind === 'risks';
  await whisperRefusals(
    conversation,
    async () => {
      for (const card of await answer(request, context.actor, deps)) await conversation.post(card);
    },
    reads ? undefined : typedRefusal(deps, context.actor, `patch ${text}`),
  );
}

async function answer(
  request: Exclude<PatchRequest, { kind: 'help' | 'invalid' }>,
  actor: ChatActor,
  deps: PatchDeps,
): Promise<Card[]> {
  const { store } = deps;
  const known = await resolveActor(store, actor);
  const reading: Reading = { now: deps.clock.wallMs(), timeZone: known?.person?.timeZone ?? DEFAULT_ZONE };
  switch (request.kind) {
    case 'accept-risk':
      return requestRisk(request, requireIdentity(known, actor), deps, reading);
    case 'decide-risk':
      return [await decideRisk(request, requireIdentity(known, actor), deps, reading)];
    case 'risks':
      return [await listRisks(deps, reading)];
    default:
      return [await answerOne(request, known, actor, deps, reading)];
  }
}

async function answerOne(
  request: Exclude<PatchRequest, { kind: 'help' | 'invalid' | 'accept-risk' | 'decide-risk' | 'risks' }>,
  known: KnownActor | undefined,
  actor: ChatActor,
  deps: PatchDeps,
  reading: Reading,
): Promise<Card> {
  const { store } = deps;
  switch (request.kind) {
    case 'list':
      return listCard(await loadOpenSystems(store), reading);
    case 'overdue': {
      const { overdue, riskAccepted } = await loadOverdue(store, reading.now);
      return overdueCard(overdue, riskAccepted, reading);
    }
    case 'show':
      return showCard(await loadSystemDetails(store, request.system), reading);
    case 'who':
      return whoCard(await loadSystemPeople(store, request.system));
    case 'act':
      return act(request, requireIdentity(known, actor), deps, reading);
    case 'add':
      return addPatch(store, request, requireIdentity(known, actor), reading);
  }
}

async function act(
  request: Extract<PatchRequest, { kind: 'act' }>,
  actor: KnownActor,
  deps: PatchDeps,
  reading: Reading,
): Promise<Card> {
  const result = await applyPatchAction(deps.store, {
    system: request.system,
    ...(request.patch !== undefined ? { patch: request.patch } : {}),
    action: request.action,
    actor: actor.person,
    actorIdentity: actor.identity,
    surface: actor.surface,
    now: reading.now,
  });
  return actionCard(request.action, result, actorName(actor), reading);
}
