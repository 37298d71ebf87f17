/**
 * What a nag says, as plain data for the chat layer to render: how overdue the patch is, what
 * not applying it risks, who is being told, and what happens next and when (issue 5: every
 * message says all of that).
 */
import { describeDuration } from './duration.js';
import type { EscalationState, PlannedNag } from './escalation.js';
import type { EscalationPolicy, Severity, System } from './inventory.js';
import type { NagRecipients } from './nag-recipients.js';
import { describeLocalTime } from './working-time.js';

export interface NagPatch {
  readonly title: string;
  readonly advisory: string | undefined;
  readonly severity: Severity;
  readonly dueAt: number;
}

export interface NagMessage {
  readonly headline: string;
  readonly lines: readonly string[];
  /** The nag's step: its Acknowledge button carries it, so a second click on it is recognised. */
  readonly step?: number;
}

const RISK: Record<Severity, string> = {
  critical: 'a critical flaw stays open: an attacker may already have a working exploit',
  high: 'a serious flaw stays open',
  medium: 'a known flaw stays open',
  low: 'a minor flaw stays open',
};

export function nagMessage(input: {
  readonly nag: PlannedNag;
  readonly state: EscalationState;
  readonly patch: NagPatch;
  readonly system: System;
  readonly policy: EscalationPolicy;
  readonly recipients: NagRecipients;
  /** Who the following level will reach, if there is one. */
  readonly nextRecipients: NagRecipients | undefined;
  /** For an 'outage-denied' nag: who denied the window, and why. */
  readonly denial?: { readonly by: string; readonly reason: string };
}): NagMessage {
  const { nag, state, patch, system, policy, recipients } = input;
  const name = patch.advisory !== undefined ? `${patch.advisory} (${patch.title})` : patch.title;
  const zone = recipients.timekeeper.timeZone;
  const overdueBy = nag.at - patch.dueAt;
  const headline =
    nag.kind === 'coming-due'
      ? `${system.name}: ${name} is due in ${describeDuration(patch.dueAt - nag.at)}`
      : `${system.name}: ${name} is ${describeDuration(overdueBy)} overdue`;
  const lines = [
    `${WHY[nag.kind]}${nag.resumedFrom !== undefined ? ` (${RESUMED[nag.resumedFrom]})` : ''}${input.denial ? ` (denied by ${input.denial.by}: ${input.denial.reason})` : ''}.`,
    `Risk: ${RISK[patch.severity]} on a ${system.criticality}-criticality ${system.kind}, due ${describeLocalTime(patch.dueAt, zone)}.`,
    `Told: ${[...recipients.people.map((person) => person.name), ...(recipients.broadcast ? ['the team channel'] : [])].join(', ')}${recipients.unfilled.length > 0 ? ` (nobody fills: ${recipients.unfilled.join(', ')})` : ''}.`,
    nextStep(state, policy, input.nextRecipients, zone),
  ];
  return { headline, lines, step: nag.step };
}

const WHY: Record<PlannedNag['kind'], string> = {
  'coming-due': 'Reminder before the due date',
  overdue: 'The patch is now overdue',
  escalated: 'Nobody acted in time, so this goes one level up',
  repeat: 'Still not applied: a repeat at the top level',
  resumed: 'Escalation resumes at the level it had reached',
  reopened: 'The patch was reopened',
  'outage-denied': 'An outage window to apply it was denied, so this goes one level up',
};

const RESUMED = { snoozed: 'the snooze ended', 'risk-accepted': 'the risk acceptance expired' } as const;

function nextStep(
  state: EscalationState,
  policy: EscalationPolicy,
  next: NagRecipients | undefined,
  zone: string,
): string {
  if (state.nextAt === null) return 'Next: nothing further is scheduled.';
  const when = describeLocalTime(state.nextAt, zone);
  if (state.phase === 'upcoming')
    return `Next: if it is not applied by the due date, ${when}, the owner is told it is overdue.`;
  const last = policy.levels.length - 1;
  if (state.level < last && next !== undefined)
    return `Next: unless someone acts, ${next.people.map((person) => person.name).join(', ') || 'the next level'} ${next.people.length === 1 ? 'is' : 'are'} told ${when}.`;
  const repeatsLeft = policy.repeatCap - (state.round - 1);
  if (repeatsLeft > 0)
    return `Next: repeated ${when} (${repeatsLeft} more time${repeatsLeft === 1 ? '' : 's'} at most), unless someone acts.`;
  return `Next: this was the last nag the ${policy.name} policy sends; the patch stays on the overdue list.`;
}

/** The recipients of the level after the one just nagged, for "what happens next". */
export function followingLevel(nag: PlannedNag, policy: EscalationPolicy): number | undefined {
  const next = nag.level + 1;
  return nag.level >= 0 && next < policy.levels.length ? next : undefined;
}
