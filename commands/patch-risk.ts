/**
 * Risk acceptance from chat: `patch accept-risk` (and the Accept risk button) puts a request in
 * front of the policy's risk approvers, where it was asked and in their direct messages; `patch
 * approve|reject` (and the buttons on the request) decide it. The store enforces who may.
 */
import type { Card } from '../src/chat/card.js';
import type { NagNotifier } from '../src/chat/nag-notifier.js';
import type { Reading } from '../src/chat/patch-text.js';
import { riskDecisionCard, riskRequestCard, risksCard } from '../src/chat/risk-cards.js';
import type { OpenDatabase } from '../src/store/database.js';
import { decideRiskAcceptance, requestRiskAcceptance, riskAcceptancesInForce } from '../src/store/risk-acceptances.js';
import { actorName, type KnownActor } from './patch-actor.js';
import type { AcceptRiskRequest } from './patch-request.js';

export interface RiskDeps {
  readonly store: OpenDatabase;
  /** Where approvers get their copy of a request; none: only where it was asked. */
  readonly notifiers?: readonly NagNotifier[];
}

/** The request cards (one per patch), after each risk approver got them in a direct message. */
export async function requestRisk(
  request: AcceptRiskRequest,
  actor: KnownActor,
  deps: RiskDeps,
  reading: Reading,
): Promise<Card[]> {
  const expiresAt = 'at' in request.until ? request.until.at : reading.now + request.until.afterMs;
  const requested = await requestRiskAcceptance(deps.store, {
    person: actor.person,
    identity: actor.identity,
    surface: actor.surface,
    system: request.system,
    ...(request.patch !== undefined ? { patch: request.patch } : {}),
    reason: request.reason,
    controls: request.controls,
    expiresAt,
    now: reading.now,
  });
  const cards = requested.acceptances.map((acceptance) => riskRequestCard(acceptance, requested.approvers, reading));
  for (const notifier of deps.notifiers ?? []) {
    for (const approver of requested.approvers) {
      const user = approver.chat[notifier.platform];
      if (user === undefined) continue;
      for (const [index, card] of cards.entries())
        await notifier.directMessage(user, card, `risk-${requested.acceptances[index]!.id}`);
    }
  }
  return cards;
}

export async function decideRisk(
  decision: { readonly id: number; readonly decision: 'approve' | 'reject'; readonly comment?: string },
  actor: KnownActor,
  deps: RiskDeps,
  reading: Reading,
): Promise<Card> {
  const decided = await decideRiskAcceptance(deps.store, {
    person: actor.person,
    identity: actor.identity,
    surface: actor.surface,
    id: decision.id,
    decision: decision.decision,
    ...(decision.comment !== undefined ? { comment: decision.comment } : {}),
    now: reading.now,
  });
  return riskDecisionCard(decided, actorName(actor), reading, decision.comment);
}

export async function listRisks(deps: RiskDeps, reading: Reading): Promise<Card> {
  return risksCard(await riskAcceptancesInForce(deps.store.db), reading);
}
