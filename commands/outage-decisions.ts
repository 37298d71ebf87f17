/**
 * Deciding an outage request, clicked or typed, and keeping every copy of its card in step: the
 * clicked copy is replaced through the conversation of the click, the others (the channel where it
 * was asked, each approver's direct message, on Slack and Teams) through the notifiers, from the
 * records of where each copy was posted. Copies on a platform without a notifier are left alone.
 */
import { stoppedAt, type Clock } from '../src/clock.js';
import type { ChatActor, ChatPlatform } from '../src/chat/chat-place.js';
import type { MessageRef, Conversation } from '../src/chat/conversation.js';
import type { NagNotifier } from '../src/chat/nag-notifier.js';
import { outageCard, outageNoteCard } from '../src/chat/outage-cards.js';
import { riskOfferCard } from '../src/chat/risk-cards.js';
import type { Reading } from '../src/chat/patch-text.js';
import { AppError, isAppError } from '../src/errors.js';
import type { OutageRequest } from '../src/outages/outage-record.js';
import type { OutageView } from '../src/outages/outage-view.js';
import { parseWhen } from '../src/outages/when.js';
import type { OpenDatabase } from '../src/store/database.js';
import { expireOutageRequests, outageCards, outageRequestById, voteOnOutage } from '../src/store/outage-requests.js';
import { loadOutageView } from '../src/store/outage-views.js';
import type { OutageDecision } from './outage-command.js';
import { requireIdentity, resolveActor } from './patch-actor.js';

export interface OutageDeps {
  readonly store: OpenDatabase;
  /** Wall time: windows, deadlines and the audit log are calendar times. */
  readonly clock: Clock;
  /** Approvers' direct messages, and updates of copies posted elsewhere; none: only where it was asked. */
  readonly notifiers?: readonly NagNotifier[];
}

/** Times are shown in this zone to people the inventory does not know. */
export const DEFAULT_ZONE = 'UTC';

/** The message a click came from, on the platform of the click. */
export interface ClickedCopy {
  readonly platform: ChatPlatform;
  readonly ref: MessageRef;
}

/**
 * One approver's vote, then every copy shows the request as it stands. Refusals (not an approver,
 * already decided, a time in the past) throw coded errors for the caller to whisper.
 * `clicked`: the copy clicked; without it (typed), a line saying what happened is posted instead.
 */
export async function decideOutage(
  decision: OutageDecision,
  actor: ChatActor,
  conversation: Conversation,
  deps: OutageDeps,
  clicked?: ClickedCopy,
): Promise<void> {
  const now = deps.clock.wallMs();
  const known = requireIdentity(await resolveActor(deps.store, actor), actor);
  const reading: Reading = { now, timeZone: known.person?.timeZone ?? DEFAULT_ZONE };
  const proposedStart = decision.vote === 'propose' ? parseWhen(decision.when, now, reading.timeZone) : undefined;
  try {
    await voteOnOutage(deps.store, {
      person: known.person,
      identity: known.identity,
      surface: known.surface,
      id: decision.id,
      vote: decision.vote,
      ...(decision.vote === 'deny' ? { reason: decision.reason } : {}),
      ...(proposedStart !== undefined ? { proposedStart } : {}),
      now,
    });
  } catch (error) {
    if (isAppError(error, 'CONFLICT')) throw await tooLate(deps, decision.id, error, reading);
    throw error;
  }
  const problems = await showOutageEverywhere(
    deps,
    decision.id,
    clicked ? { ...clicked, conversation, reading } : undefined,
  );
  if (!clicked) await conversation.post(outageNoteCard(await loadOutageView(deps.store.db, decision.id, now), reading));
  if (decision.vote === 'deny') await offerRiskAcceptance(deps, decision.id, conversation, reading);
  if (problems.length > 0)
    await conversation.whisper(
      `Decided, but ${problems.length === 1 ? 'one copy' : `${problems.length} copies`} of the card could not be updated: ${problems.join('; ')}`,
    );
}

/**
 * Whoever denies a window for an overdue patch is offered to accept the risk of not patching it
 * instead, with an expiry (DOMAIN.md section 4: a refusal becomes a risk acceptance on record).
 */
async function offerRiskAcceptance(
  deps: OutageDeps,
  id: number,
  conversation: Conversation,
  reading: Reading,
): Promise<void> {
  const view = await loadOutageView(deps.store.db, id, reading.now);
  const open = view.patches.filter((patch) => patch.status === 'open');
  if (open.length > 0) await conversation.post(riskOfferCard(view.request.system, open));
}

/** "already approved by Bob Manager and Carol Chief": who decided what, not only that it is decided. */
async function tooLate(deps: OutageDeps, id: number, error: AppError, reading: Reading): Promise<AppError> {
  const request = await outageRequestById(deps.store.db, id);
  if (request === undefined || request.status === 'pending') return error;
  if (request.status === 'expired')
    return new AppError('CONFLICT', `outage request #${id} expired without a decision; ask again`, { cause: error });
  const view = await loadOutageView(deps.store.db, id, reading.now);
  const name = (handle: string): string => view.approvers.find((person) => person.handle === handle)?.name ?? handle;
  const by = request.status === 'approved' ? request.approvals.map(name).join(' and ') : name(request.decidedBy ?? '?');
  const what =
    request.status === 'approved' ? 'approved' : request.status === 'denied' ? 'denied' : 'answered with another time';
  return new AppError('CONFLICT', `outage request #${id} was already ${what} by ${by}`, { cause: error });
}

/** The clicked copy: replaced through the click's own conversation, in the clicker's zone. */
interface ClickedHere extends ClickedCopy {
  readonly conversation: Conversation;
  readonly reading: Reading;
}

/** How many rounds to re-read a request that changed while its copies were being updated. */
const REFRESH_ROUNDS = 3;

/**
 * Replaces every recorded copy of the request's card with the card as the request stands. A vote
 * landing while copies are being updated (two approvers at once) could leave a copy showing the
 * older state, so the request is read again afterwards and the copies redone if it changed: the
 * last writer always writes the last state. Returns what could not be updated, for the clicker.
 */
export async function showOutageEverywhere(deps: OutageDeps, id: number, clicked?: ClickedHere): Promise<string[]> {
  let problems: string[] = [];
  for (let round = 0; round < REFRESH_ROUNDS; round++) {
    const now = deps.clock.wallMs();
    const view = await loadOutageView(deps.store.db, id, now);
    problems = await updateCopies(deps, view, now, clicked);
    const after = await outageRequestById(deps.store.db, id);
    if (after === undefined || stateOf(after) === stateOf(view.request)) break;
  }
  return problems;
}

function stateOf(request: OutageRequest): string {
  return `${request.status}:${request.approvals.join(',')}`;
}

async function updateCopies(
  deps: OutageDeps,
  view: OutageView,
  now: number,
  clicked: ClickedHere | undefined,
): Promise<string[]> {
  // Copies other than the clicked one have no single reader: the requester's zone, named in every time.
  const shared: Reading = { now, timeZone: view.requester?.timeZone ?? DEFAULT_ZONE };
  const problems: string[] = [];
  const tried = async (where: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (clicked)
    await tried(`${clicked.platform} ${clicked.ref.conversation}`, () =>
      clicked.conversation.update(clicked.ref, outageCard(view, { ...clicked.reading, now })),
    );
  const card = outageCard(view, shared);
  for (const copy of await outageCards(deps.store.db, view.request.id)) {
    if (clicked && copy.platform === clicked.platform && sameMessage(copy, clicked.ref)) continue;
    const notifier = deps.notifiers?.find((candidate) => candidate.platform === copy.platform);
    if (notifier === undefined) continue;
    await tried(`${copy.platform} ${copy.conversation}`, () => notifier.update(copy, card));
  }
  return problems;
}

/** Teams adds ";messageid=<root>" to a channel thread's conversation id: the message id decides. */
function sameMessage(copy: MessageRef, ref: MessageRef): boolean {
  return copy.message === ref.message && copy.conversation.split(';')[0] === ref.conversation.split(';')[0];
}

export interface ClosedRequest {
  readonly request: OutageRequest;
  /** Copies that could not be replaced. */
  readonly problems: readonly string[];
}

/**
 * Expires the requests nobody decided in time and replaces every copy of their cards with the
 * outcome. The sweep calls it; it is safe to call again (an expired request is not expired twice).
 */
export async function closeExpiredRequests(
  store: OpenDatabase,
  notifiers: readonly NagNotifier[],
  now: number,
): Promise<ClosedRequest[]> {
  const expired = await expireOutageRequests(store, now);
  const closed: ClosedRequest[] = [];
  for (const request of expired)
    closed.push({
      request,
      problems: await showOutageEverywhere({ store, notifiers, clock: stoppedAt(now) }, request.id),
    });
  return closed;
}
