/**
 * Whether an outage window may be asked for at all, checked before anything is posted: a start
 * in the future, a sensible length, a reason, inside one of the system's maintenance windows (with
 * the next allowed slots suggested), clear of freeze periods, and not overlapping a window already
 * approved on the same system or on a system it depends on. Every problem is reported at once.
 */
import { AppError } from '../errors.js';
import { describeDuration } from '../patching/duration.js';
import type { FreezePeriod, Person, System } from '../patching/inventory.js';
import {
  fitsMaintenanceWindow,
  nextMaintenanceSlots,
  overlappingFreeze,
  overlaps,
} from '../patching/maintenance-windows.js';
import { describeLocalTime } from '../patching/working-time.js';

/** Longer than a week is not a maintenance window but a migration. */
export const MAX_OUTAGE_MS = 7 * 86_400_000;

/** How many alternatives a refusal suggests. */
const SUGGESTED_SLOTS = 3;

export interface OutageAsk {
  readonly system: System;
  readonly start: number;
  readonly durationMs: number;
  readonly reason: string;
}

/** A window already approved (or under way), on any system. */
export interface BookedWindow {
  readonly id: number;
  readonly system: string;
  readonly start: number;
  readonly end: number;
}

export interface OutageCheckContext {
  readonly now: number;
  /** Approved windows that have not ended, on the system and on the systems it depends on. */
  readonly booked: readonly BookedWindow[];
  /** The requester's zone: times in messages are theirs. */
  readonly timeZone: string;
}

/** Asking is pointless when nobody may decide: `approvers`, the policy's outage approvers the inventory knows. */
export function requireOutageApprovers(system: System, approvers: readonly Person[]): void {
  if (approvers.length === 0)
    throw new AppError(
      'FORBIDDEN',
      `nobody may approve outages of ${system.name}: add outage.approvers to the ${system.policy} policy`,
    );
}

export function checkOutageRequest(ask: OutageAsk, context: OutageCheckContext): void {
  const problems: string[] = [];
  const { system, start, durationMs } = ask;
  const end = start + durationMs;
  const when = (at: number): string => describeLocalTime(at, context.timeZone);
  if (ask.reason.trim() === '') problems.push('say why: the approvers decide on the reason');
  if (!(durationMs > 0) || durationMs > MAX_OUTAGE_MS)
    problems.push(
      `an outage lasts more than nothing and at most ${describeDuration(MAX_OUTAGE_MS)} (asked: ${durationMs > 0 ? describeDuration(durationMs) : 'nothing'})`,
    );
  if (start <= context.now)
    problems.push(`the window would start in the past (${when(start)}); give a time from now on`);
  if (problems.length > 0) throw refusal(system, problems);

  // No maintenance windows in the inventory means the system may be taken down at any time.
  if (system.maintenanceWindows.length > 0 && !fitsMaintenanceWindow(start, durationMs, system.maintenanceWindows)) {
    const slots = nextMaintenanceSlots(
      context.now,
      durationMs,
      system.maintenanceWindows,
      system.freezes,
      SUGGESTED_SLOTS,
    );
    const suggestion =
      slots.length > 0
        ? `; the next allowed: ${slots.map((slot) => when(slot.start)).join(', ')}`
        : '; no allowed window of that length in the next year';
    problems.push(
      `${when(start)} for ${describeDuration(durationMs)} is outside ${system.name}'s maintenance windows${suggestion}`,
    );
  }
  const freeze: FreezePeriod | undefined = overlappingFreeze(start, end, system.freezes);
  if (freeze !== undefined)
    problems.push(
      `it falls in the freeze "${freeze.reason || 'freeze'}" from ${when(freeze.from)} to ${when(freeze.to)}`,
    );
  const related = new Set([system.name, ...system.dependsOn]);
  for (const window of context.booked) {
    if (!related.has(window.system) || !overlaps(start, end, window.start, window.end)) continue;
    const whose = window.system === system.name ? system.name : `${window.system}, which ${system.name} depends on`;
    problems.push(
      `it overlaps the approved window #${window.id} on ${whose} (${when(window.start)} to ${when(window.end)})`,
    );
  }
  if (problems.length > 0) throw refusal(system, problems);
}

function refusal(system: System, problems: readonly string[]): AppError {
  const list = problems.length === 1 ? problems[0]! : problems.map((problem) => `\n- ${problem}`).join('');
  return new AppError('BAD_INPUT', `cannot ask for an outage of ${system.name}: ${list}`);
}
