/**
 * The escalation of one overdue patch, as a state machine over plain data (PagerDuty's model,
 * DOMAIN.md section 4): a reminder before the due date; at the due date the first level; after
 * each level's wait the next level; the last level repeats up to the policy's cap, then stops.
 * An acknowledgement holds the level reached without stopping its clock (acknowledgement.ts): when
 * both are over, the next level is nagged. Snoozing or accepting the risk holds escalation; when
 * that hold ends the same level is nagged again. Every nag gets the next `step` number, which is
 * its identity: the store records (patch, step) once, so a replayed sweep cannot send a nag twice.
 *
 * Nothing here reads a clock or sends anything: the caller passes `now` and acts on the result.
 */
import { AppError } from '../errors.js';
import { describeDuration } from './duration.js';
import type { EscalationPolicy } from './inventory.js';

export type EscalationPhase =
  'upcoming' | 'overdue' | 'acknowledged' | 'snoozed' | 'risk-accepted' | 'exhausted' | 'done';

export interface EscalationState {
  readonly phase: EscalationPhase;
  /** The level reached; -1 until the patch is overdue. */
  readonly level: number;
  /** How many times the reached level has been nagged since it was reached or resumed. */
  readonly round: number;
  /** Nags planned so far; the next nag is step + 1. */
  readonly step: number;
  /** When the sweep must look at this patch again; null when nothing will happen by itself. */
  readonly nextAt: number | null;
  /** Whether the coming-due reminder went out. */
  readonly reminded: boolean;
  /** Snoozes used; the policy caps them. */
  readonly snoozes: number;
  /** End of the acknowledgement, snooze or risk acceptance holding escalation. */
  readonly holdUntil: number | null;
  /** The latest acknowledgement; absent until there is one (and in states stored before issue 15). */
  readonly lastAck?: AckRecord;
}

export interface AckRecord {
  /** The latest nag planned when it was made: it answers every nag up to this step. */
  readonly step: number;
  /** Handle (or chat identity) of who acknowledged. */
  readonly by: string;
  readonly at: number;
  /** The level it held, and how many acknowledgements that level has had (the policy caps them). */
  readonly level: number;
  readonly count: number;
  /** When the level held was due to move on: the clock an acknowledgement does not stop. */
  readonly levelEndsAt: number | null;
}

/** Why a nag goes out: the words of its first line depend on it. */
export type NagKind = 'coming-due' | 'overdue' | 'escalated' | 'repeat' | 'resumed' | 'reopened' | 'outage-denied';

export interface PlannedNag {
  readonly step: number;
  /** -1 for the coming-due reminder (the owner only), else the index into policy.levels. */
  readonly level: number;
  readonly kind: NagKind;
  readonly at: number;
  /** For 'resumed': what had held escalation. */
  readonly resumedFrom?: 'snoozed' | 'risk-accepted';
}

export interface PatchTiming {
  readonly dueAt: number;
}

/**
 * Where a nag at `level` may be delivered: the start of the recipient's next working time at or
 * after `at` (the caller knows who the recipient is and their zone). Return `at` to send now.
 */
export type WorkingTimeOf = (level: number, at: number) => number;

export type AdvanceResult =
  | { readonly outcome: 'nag'; readonly state: EscalationState; readonly nag: PlannedNag }
  | { readonly outcome: 'deferred'; readonly state: EscalationState; readonly until: number }
  | { readonly outcome: 'exhausted'; readonly state: EscalationState }
  | { readonly outcome: 'idle'; readonly state: EscalationState };

/** The state of a patch just added to the inventory. */
export function startEscalation(patch: PatchTiming, policy: EscalationPolicy): EscalationState {
  return {
    phase: 'upcoming',
    level: -1,
    round: 0,
    step: 0,
    nextAt: policy.remindBeforeMs > 0 ? patch.dueAt - policy.remindBeforeMs : patch.dueAt,
    reminded: false,
    snoozes: 0,
    holdUntil: null,
  };
}

/**
 * A new due date (re-import, or set by hand) for a patch nobody has been nagged about yet moves
 * its reminder; once overdue, escalation already under way keeps its course.
 */
export function moveDueDate(state: EscalationState, patch: PatchTiming, policy: EscalationPolicy): EscalationState {
  if (state.phase !== 'upcoming') return state;
  const restarted = startEscalation(patch, policy);
  return { ...state, nextAt: state.reminded ? patch.dueAt : restarted.nextAt };
}

/** What the sweep does with a patch whose nextAt has come. */
export function advanceEscalation(
  state: EscalationState,
  patch: PatchTiming,
  policy: EscalationPolicy,
  now: number,
  workingTime: WorkingTimeOf,
): AdvanceResult {
  if (state.nextAt === null || now < state.nextAt) return { outcome: 'idle', state };
  const next = nextStep(state, patch, policy, now);
  if (next === undefined) return { outcome: 'idle', state };
  if (next === 'exhausted') return { outcome: 'exhausted', state: { ...state, phase: 'exhausted', nextAt: null } };
  if (next.nag === undefined) return { outcome: 'idle', state: next.state };
  if (policy.quietHours) {
    const deliverable = workingTime(next.nag.level, now);
    // Nothing changes but the time to look again: the same nag is planned then.
    if (deliverable > now) return { outcome: 'deferred', state: { ...state, nextAt: deliverable }, until: deliverable };
  }
  return { outcome: 'nag', state: next.state, nag: next.nag };
}

type Step = { readonly state: EscalationState; readonly nag?: PlannedNag } | 'exhausted' | undefined;

function nextStep(state: EscalationState, patch: PatchTiming, policy: EscalationPolicy, now: number): Step {
  const last = policy.levels.length - 1;
  const nag = (level: number, kind: NagKind, extra: Partial<PlannedNag> = {}): PlannedNag => ({
    step: state.step + 1,
    level,
    kind,
    at: now,
    ...extra,
  });
  const waitAfter = (level: number): number => now + policy.levels[level]!.waitMs;

  switch (state.phase) {
    case 'done':
    case 'exhausted':
      return undefined;
    case 'acknowledged': {
      const released: EscalationState = { ...state, phase: state.level < 0 ? 'upcoming' : 'overdue', holdUntil: null };
      // The level's clock ran on under the acknowledgement (issue 15): no fresh wait at the same
      // level, the next one is nagged when both are over. An acknowledgement stored before the
      // clock was recorded counts as having outlasted it.
      const levelEndsAt = state.lastAck?.levelEndsAt ?? now;
      if (levelEndsAt > now) return { state: { ...released, nextAt: levelEndsAt } };
      return nextStep({ ...released, nextAt: now }, patch, policy, now);
    }
    case 'snoozed':
    case 'risk-accepted': {
      const resumedFrom = state.phase;
      const released = { ...state, holdUntil: null };
      if (now < patch.dueAt) return nextStep({ ...released, phase: 'upcoming', nextAt: now }, patch, policy, now);
      // Resume at the level reached (the first, if the hold began before the due date).
      const level = Math.max(state.level, 0);
      return {
        state: { ...released, phase: 'overdue', level, round: 1, step: state.step + 1, nextAt: waitAfter(level) },
        nag: nag(level, 'resumed', { resumedFrom }),
      };
    }
    case 'upcoming': {
      if (now < patch.dueAt) {
        // Looked at early (the due date moved later): nothing to say until it is due.
        if (state.reminded || policy.remindBeforeMs <= 0) return { state: { ...state, nextAt: patch.dueAt } };
        return {
          state: { ...state, reminded: true, step: state.step + 1, nextAt: patch.dueAt },
          nag: nag(-1, 'coming-due'),
        };
      }
      return {
        state: { ...state, phase: 'overdue', level: 0, round: 1, step: state.step + 1, nextAt: waitAfter(0) },
        nag: nag(0, 'overdue'),
      };
    }
    case 'overdue': {
      if (state.round === 0) {
        const level = Math.max(state.level, 0);
        return {
          state: { ...state, level, round: 1, step: state.step + 1, nextAt: waitAfter(level) },
          nag: nag(level, 'reopened'),
        };
      }
      if (state.level < last) {
        const level = state.level + 1;
        return {
          state: { ...state, level, round: 1, step: state.step + 1, nextAt: waitAfter(level) },
          nag: nag(level, 'escalated'),
        };
      }
      if (state.round > policy.repeatCap) return 'exhausted';
      return {
        state: { ...state, round: state.round + 1, step: state.step + 1, nextAt: waitAfter(last) },
        nag: nag(last, 'repeat'),
      };
    }
  }
}

/**
 * An outage window to apply an overdue patch was denied: that is not the end of it (DOMAIN.md
 * section 4). The next level is told at once, with the denial, and escalation goes on from there.
 * Undefined when there is nothing to escalate: not overdue yet, applied, or its risk accepted.
 */
export function escalateForDenial(
  state: EscalationState,
  patch: PatchTiming,
  policy: EscalationPolicy,
  now: number,
): { state: EscalationState; nag: PlannedNag } | undefined {
  if (now < patch.dueAt || state.phase === 'done' || state.phase === 'risk-accepted') return undefined;
  const level = Math.min(state.level + 1, policy.levels.length - 1);
  const nag: PlannedNag = { step: state.step + 1, level, kind: 'outage-denied', at: now };
  return {
    state: {
      ...state,
      phase: 'overdue',
      level,
      round: 1,
      step: nag.step,
      holdUntil: null,
      nextAt: now + policy.levels[level]!.waitMs,
    },
    nag,
  };
}

/** A snooze needs a reason and stays within the policy's count and length. */
export function snooze(
  state: EscalationState,
  policy: EscalationPolicy,
  now: number,
  durationMs: number,
  reason: string,
): EscalationState {
  refuseWhenSettled(state, 'snoozed');
  if (reason.trim() === '')
    throw new AppError('BAD_INPUT', 'a snooze needs a reason: snooze <duration> --reason "why it can wait"');
  if (durationMs > policy.snooze.maxLengthMs) {
    throw new AppError(
      'BAD_INPUT',
      `a snooze may last at most ${describeDuration(policy.snooze.maxLengthMs)} under the ${policy.name} policy`,
    );
  }
  if (state.snoozes >= policy.snooze.maxCount) {
    throw new AppError(
      'FORBIDDEN',
      `this patch was already snoozed ${state.snoozes} time${state.snoozes === 1 ? '' : 's'}, the most the ${policy.name} policy allows: patch it, request an outage window, or accept the risk`,
    );
  }
  const holdUntil = now + durationMs;
  return { ...state, phase: 'snoozed', snoozes: state.snoozes + 1, holdUntil, nextAt: holdUntil };
}

/** An approved risk acceptance pauses nagging until it expires; then it resumes at the level reached. */
export function acceptRisk(state: EscalationState, now: number, expiresAt: number): EscalationState {
  refuseWhenSettled(state, 'risk-accepted');
  if (expiresAt <= now) throw new AppError('BAD_INPUT', 'a risk acceptance must expire in the future');
  return { ...state, phase: 'risk-accepted', holdUntil: expiresAt, nextAt: expiresAt };
}

export function markDone(state: EscalationState): EscalationState {
  return { ...state, phase: 'done', holdUntil: null, nextAt: null };
}

/**
 * A patch marked done by mistake, or a window that ended unpatched: the level reached is nagged
 * again at once (round 0 means "not nagged at this level since"), and escalation goes on from there.
 */
export function reopen(state: EscalationState, now: number): EscalationState {
  return { ...state, phase: state.level >= 0 ? 'overdue' : 'upcoming', holdUntil: null, round: 0, nextAt: now };
}

/** Nothing holds a patch that is applied, or whose risk is accepted (a risk acceptance may replace a hold). */
export function refuseWhenSettled(state: EscalationState, wanted: EscalationPhase): void {
  if (state.phase === 'done') throw new AppError('CONFLICT', 'this patch is already marked as applied');
  if (state.phase === 'risk-accepted' && wanted !== 'risk-accepted') {
    throw new AppError('CONFLICT', 'the risk of not applying this patch is accepted until its expiry; nothing to hold');
  }
}
