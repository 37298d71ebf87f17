/**
 * Acknowledging a nag (issue 15). An acknowledgement says "I have seen it": it holds the level
 * reached for the policy's `ackFor`, once per level unless the policy's `ack.maxCount` allows more,
 * and it does not stop the level's clock, so a patch nobody applies still climbs the chain on
 * schedule. Acknowledging after every nag once kept a patch at the owner for ever (87 nags in 90
 * days, manager and leadership never told); what moves a patch on is applying it, an outage
 * window or an accepted risk, and a refused acknowledgement says so.
 *
 * A click on a nag already answered (a double click, a retried delivery, a second person on the
 * same card) changes nothing and is told who answered it and when.
 */
import { AppError } from '../errors.js';
import { refuseWhenSettled, type EscalationState } from './escalation.js';
import { DEFAULT_ACK, type EscalationPolicy } from './inventory.js';
import { describeLocalTime } from './working-time.js';

export interface AckRequest {
  /** Handle (or chat identity) of who acknowledges. */
  readonly by: string;
  /** The step of the nag whose button was clicked; absent (a typed command): the latest nag. */
  readonly nag?: number;
  /** The zone the times in a refusal are written in: the reader's. */
  readonly timeZone: string;
}

/** What the rest of the patch's life offers instead of another acknowledgement. */
const INSTEAD =
  'apply it, request an outage window (outage request), or ask for the risk to be accepted (patch accept-risk)';

export function acknowledge(
  state: EscalationState,
  policy: EscalationPolicy,
  now: number,
  request: AckRequest,
): EscalationState {
  refuseWhenSettled(state, 'acknowledged');
  const when = (at: number): string => describeLocalTime(at, request.timeZone);
  const { lastAck } = state;
  // A nag button cannot name a later nag than the latest planned; a typed ack answers that one.
  const answering = Math.min(request.nag ?? state.step, state.step);
  if (lastAck !== undefined && answering <= lastAck.step) {
    throw new AppError(
      'CONFLICT',
      `this nag was already acknowledged by ${lastAck.by} at ${when(lastAck.at)}; nothing changed`,
    );
  }
  if (state.phase === 'acknowledged') {
    // Only a state stored before acknowledgements were recorded gets here.
    throw new AppError(
      'CONFLICT',
      `this patch is already acknowledged until ${when(state.holdUntil ?? now)}; nothing changed`,
    );
  }
  if (state.phase === 'snoozed') {
    throw new AppError(
      'CONFLICT',
      `this patch is snoozed until ${when(state.holdUntil ?? now)}: nobody is nagged before then, so there is nothing to acknowledge`,
    );
  }
  if (state.phase === 'exhausted') {
    throw new AppError(
      'CONFLICT',
      `escalation of this patch is over: every level of the ${policy.name} policy was told, and an acknowledgement would hold nothing. It stays on the overdue list until you ${INSTEAD}`,
    );
  }
  const used = acknowledgementsUsed(state);
  const allowed = ackLimits(policy).maxCount;
  if (used >= allowed) {
    const held =
      allowed === 0
        ? `the ${policy.name} policy allows no acknowledgements`
        : `this level was already acknowledged ${times(used)}${lastAck ? ` (last by ${lastAck.by} at ${when(lastAck.at)})` : ''}, the most the ${policy.name} policy allows`;
    throw new AppError('FORBIDDEN', `${held}, so escalation goes on as scheduled. Instead, ${INSTEAD}`);
  }
  const holdUntil = now + policy.ackForMs;
  return {
    ...state,
    phase: 'acknowledged',
    holdUntil,
    nextAt: holdUntil,
    lastAck: {
      step: state.step,
      by: request.by,
      at: now,
      level: state.level,
      count: used + 1,
      levelEndsAt: state.nextAt,
    },
  };
}

/** The policy's limits, or the default for a policy stored before it had any. */
export function ackLimits(policy: EscalationPolicy): { readonly maxCount: number } {
  return policy.ack ?? DEFAULT_ACK;
}

/** Acknowledgements made at the level reached: a new level starts with none. */
export function acknowledgementsUsed(state: EscalationState): number {
  return state.lastAck !== undefined && state.lastAck.level === state.level ? state.lastAck.count : 0;
}

/**
 * When an acknowledged patch next moves (a nag, unless it is applied or its risk accepted): the
 * end of the acknowledgement or, if later, the end of its level's wait. Null when not acknowledged.
 */
export function acknowledgementEndsAt(state: EscalationState): number | null {
  if (state.phase !== 'acknowledged' || state.holdUntil === null) return null;
  return Math.max(state.holdUntil, state.lastAck?.levelEndsAt ?? state.holdUntil);
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}
