/**
 * The phrases patch cards are made of: due dates and how overdue, escalation, maintenance windows,
 * people. Times are shown in the reader's zone when the inventory knows it (else UTC); a
 * maintenance window in its own zone, as the system's people plan it.
 */
import { acknowledgementEndsAt } from '../patching/acknowledgement.js';
import { describeDuration } from '../patching/duration.js';
import type { EscalationState } from '../patching/escalation.js';
import { formatClock, formatWeekdays } from '../patching/inventory-fields.js';
import type { ChatAddress, EscalationPolicy, FreezePeriod, MaintenanceWindow, Person } from '../patching/inventory.js';
import { nextMaintenanceSlots } from '../patching/maintenance-windows.js';
import { describeLocalTime } from '../patching/working-time.js';

/** Who reads the card, and when: times are written in their zone. */
export interface Reading {
  readonly now: number;
  readonly timeZone: string;
}

export function describeTime(at: number, reading: Reading): string {
  return describeLocalTime(at, reading.timeZone);
}

/** "3 days 4 hours overdue (due Thu 8 Oct 02:00 Europe/Berlin)" or "due Mon 30 Nov 09:00 UTC, in 5 days". */
export function describeDue(dueAt: number, reading: Reading): string {
  const when = describeTime(dueAt, reading);
  return dueAt < reading.now
    ? `${describeDuration(reading.now - dueAt)} overdue (due ${when})`
    : `due ${when}, in ${describeDuration(dueAt - reading.now)}`;
}

export function describeOverdue(dueAt: number, reading: Reading): string {
  return `${describeDuration(reading.now - dueAt)} overdue`;
}

/** "overdue, level 2 of 4 (owner, team-channel); next step Thu 3 Dec 10:00 Europe/Berlin". */
export function describeEscalation(
  state: EscalationState,
  policy: EscalationPolicy | undefined,
  reading: Reading,
): string {
  const levels = policy?.levels.length;
  const level =
    state.level < 0
      ? 'not escalated yet'
      : `level ${state.level + 1}${levels !== undefined ? ` of ${levels}` : ''}${policy?.levels[state.level] ? ` (${policy.levels[state.level]!.targets.join(', ')})` : ''}`;
  const held = state.holdUntil !== null ? ` until ${describeTime(state.holdUntil, reading)}` : '';
  // Acknowledged, the next step is the later of the hold's end and the level's own wait.
  const nextAt = acknowledgementEndsAt(state) ?? state.nextAt;
  const next = nextAt !== null ? `next step ${describeTime(nextAt, reading)}` : 'no further step';
  return `${state.phase}${held}, ${level}; ${next}`;
}

/**
 * What an acknowledgement does not stop (acknowledgement.ts): "The level's clock keeps running:
 * unless the patch is applied or the risk accepted, escalation goes on Tue 24 Nov 11:00 UTC."
 * Without a state (several patches, each on its own clock): "... goes on as scheduled."
 */
export function describeAckSequel(
  state: EscalationState | undefined,
  reading: Reading,
  subject = 'the patch is',
): string {
  const endsAt = state === undefined ? null : acknowledgementEndsAt(state);
  const when = endsAt === null ? 'as scheduled' : endsAt === state?.holdUntil ? 'then' : describeTime(endsAt, reading);
  return `The level's clock keeps running: unless ${subject} applied or the risk accepted, escalation goes on ${when}.`;
}

/** "sat,sun 22:00 for 4 hours (Europe/Berlin); next Sat 5 Dec 22:00 Europe/Berlin". */
export function describeWindow(window: MaintenanceWindow, freezes: readonly FreezePeriod[], now: number): string {
  const [next] = nextMaintenanceSlots(now, window.durationMs, [window], freezes, 1);
  const upcoming =
    next !== undefined
      ? `next ${describeLocalTime(next.start, window.timeZone)}`
      : 'no opening in the next year outside freezes';
  return `${formatWeekdays(window.days)} ${formatClock(window.startMinute)} for ${describeDuration(window.durationMs)} (${window.timeZone}); ${upcoming}`;
}

export function describeFreeze(freeze: FreezePeriod, reading: Reading): string {
  return `${describeTime(freeze.from, reading)} to ${describeTime(freeze.to, reading)}: ${freeze.reason}`;
}

export function describeChat(address: ChatAddress): string {
  const parts = [
    address.slack !== undefined ? `Slack ${address.slack}` : undefined,
    address.teams !== undefined ? `Teams ${address.teams}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'no chat address';
}

/** "Alice Owner (alice)"; a handle the inventory does not know stays a handle. */
export function describePerson(person: Person | string): string {
  return typeof person === 'string' ? `${person} (not in the inventory)` : `${person.name} (${person.handle})`;
}

export function plural(count: number, noun: string): string {
  if (count === 1) return `1 ${noun}`;
  return `${count} ${noun}${/(s|sh|ch|x)$/.test(noun) ? 'es' : 's'}`;
}
