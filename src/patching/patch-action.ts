/**
 * What people do to a patch from chat or the CLI (acknowledge, snooze, mark patched) and what
 * each does to its escalation. Acting on all of a system's open patches is all or nothing: one
 * refusal refuses the lot, and says which patch it was about.
 */
import { AppError, isAppError } from '../errors.js';
import { acknowledge } from './acknowledgement.js';
import { type EscalationState, markDone, snooze } from './escalation.js';
import type { EscalationPolicy, Person, System } from './inventory.js';
import type { StoredPatch } from './stored-patch.js';

export type PatchAction =
  /** `nag`: the step of the nag whose Acknowledge was clicked; absent (typed): the latest nag. */
  | { readonly kind: 'ack'; readonly nag?: number }
  | { readonly kind: 'snooze'; readonly durationMs: number; readonly reason: string }
  | { readonly kind: 'done' };

export interface PatchActionResult {
  readonly system: System;
  readonly patches: readonly StoredPatch[];
}

export interface PatchActing {
  readonly action: PatchAction;
  /** The person acting, as the inventory knows them; undefined when their chat identity is unknown. */
  readonly actor: Person | undefined;
  /** How the actor appears otherwise (slack:U123...). */
  readonly actorIdentity: string;
  readonly now: number;
}

/** Each patch's escalation after the action, in the order given; throws the first refusal. */
export function actOnPatches(
  patches: readonly StoredPatch[],
  policy: EscalationPolicy,
  acting: PatchActing,
): EscalationState[] {
  return patches.map((patch) =>
    named(patches.length > 1 ? patch.key : undefined, () => transition(patch.escalation, policy, acting)),
  );
}

function transition(state: EscalationState, policy: EscalationPolicy, acting: PatchActing): EscalationState {
  const { action, now } = acting;
  switch (action.kind) {
    case 'ack':
      return acknowledge(state, policy, now, {
        by: acting.actor?.handle ?? acting.actorIdentity,
        ...(action.nag !== undefined ? { nag: action.nag } : {}),
        timeZone: acting.actor?.timeZone ?? 'UTC',
      });
    case 'snooze':
      return snooze(state, policy, now, action.durationMs, action.reason);
    case 'done':
      return markDone(state);
  }
}

/** Acting on all of a system's patches, a refusal says which patch it is about. */
function named<T>(key: string | undefined, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (key === undefined || !isAppError(error)) throw error;
    throw new AppError(error.code, `${key}: ${error.message}`, { cause: error });
  }
}
