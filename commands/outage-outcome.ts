/**
 * The owner's answer to the question at the end of an approved window (the Patched and Not done
 * buttons, or `outage patched|not-done <id>`): recorded, then the question is replaced in place by
 * the answer, so no live buttons remain. Refusals go to the one who clicked alone.
 */
import type { Clock } from '../src/clock.js';
import type { ChatActor } from '../src/chat/chat-place.js';
import { ACTION_IDS, type ActionId } from '../src/chat/action-ids.js';
import type { Card } from '../src/chat/card.js';
import type { Conversation, MessageRef } from '../src/chat/conversation.js';
import type { OpenDatabase } from '../src/store/database.js';
import { type OutageOutcome, recordOutageOutcome } from '../src/store/outage-outcomes.js';
import { actorName, requireIdentity, resolveActor } from './patch-actor.js';
import { type RefusalRecord, whisperRefusals } from './refusals.js';

export const OUTAGE_OUTCOME_BUTTONS: readonly ActionId[] = [ACTION_IDS.outagePatched, ACTION_IDS.outageNotDone];

export interface OutageOutcomeDeps {
  readonly store: OpenDatabase;
  /** Wall time, for the audit log. */
  readonly clock: Clock;
}

export async function answerOutage(
  outcome: 'patched' | 'not-done',
  requestId: number,
  context: {
    readonly actor: ChatActor;
    readonly conversation: Conversation;
    readonly question?: MessageRef;
    readonly refusal?: RefusalRecord;
  },
  deps: OutageOutcomeDeps,
): Promise<void> {
  await whisperRefusals(
    context.conversation,
    async () => {
      const actor = requireIdentity(await resolveActor(deps.store, context.actor), context.actor);
      const recorded = await recordOutageOutcome(deps.store, {
        id: requestId,
        outcome,
        person: actor.person,
        identity: actor.identity,
        surface: actor.surface,
        now: deps.clock.wallMs(),
      });
      const card = outcomeCard(recorded, actorName(actor));
      if (context.question !== undefined) await context.conversation.update(context.question, card);
      else await context.conversation.post(card);
    },
    context.refusal,
  );
}

export function outcomeCard(outcome: OutageOutcome, who: string): Card {
  const { request } = outcome;
  if (request.status === 'patched') {
    const headline = `${request.system}: patched in the outage window (${who})`;
    const applied = outcome.patched.map((patch) => patch.key);
    return {
      summary: headline,
      blocks: [
        { kind: 'header', text: headline },
        {
          kind: 'text',
          text:
            applied.length > 0
              ? `Marked applied: ${applied.join(', ')}. Their nags stop.`
              : 'Nothing was left open to mark applied.',
        },
      ],
    };
  }
  const headline = `${request.system}: not done in the outage window (${who})`;
  const open = outcome.open.map((patch) => patch.key);
  return {
    summary: headline,
    blocks: [
      { kind: 'header', text: headline },
      {
        kind: 'text',
        text: `${open.length > 0 ? `Still open and escalating: ${open.join(', ')}.` : 'No patch of this window is open.'} Ask for a new window: outage request ${request.system} <when> <duration> <reason>.`,
      },
    ],
  };
}
