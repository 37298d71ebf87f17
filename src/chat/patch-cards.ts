/**
 * The cards of the `patch` commands (DESIGN.md, "One card model, two renderers"): built from the
 * inventory's plain data, rendered by the Slack, Teams and console renderers like every card.
 */
import { describeDuration } from '../patching/duration.js';
import type { EscalationPolicy, Person, System } from '../patching/inventory.js';
import type { PatchAction, PatchActionResult } from '../patching/patch-action.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import type { Card, CardBlock } from './card.js';
import {
  describeAckSequel,
  describeChat,
  describeDue,
  describeEscalation,
  describeFreeze,
  describeOverdue,
  describePerson,
  describeTime,
  describeWindow,
  plural,
  type Reading,
} from './patch-text.js';

/** Rows shown in a list card; the rest are counted in a "N more" line. */
export const MAX_ROWS = 15;

function moreLine(more: number, hint: string): CardBlock[] {
  return more > 0 ? [{ kind: 'text', text: `${more} more ${hint}`, emphasis: 'subtle' }] : [];
}

function patchName(patch: StoredPatch): string {
  return patch.advisory !== undefined ? `${patch.key}: ${patch.title}` : patch.key;
}

export interface OpenSystemRow {
  readonly system: System;
  readonly owner: Person | string;
  readonly open: number;
  readonly firstDueAt: number;
}

/** `patch list`: systems with open patches, the most urgent first. */
export function listCard(rows: readonly OpenSystemRow[], reading: Reading): Card {
  if (rows.length === 0)
    return {
      summary: 'No system has open patches.',
      blocks: [
        { kind: 'header', text: 'Open patches' },
        { kind: 'text', text: 'No system has open patches.' },
      ],
    };
  const shown = rows.slice(0, MAX_ROWS);
  const blocks: CardBlock[] = [
    { kind: 'header', text: `Open patches on ${plural(rows.length, 'system')}` },
    ...shown.map((row): CardBlock => ({
      kind: 'text',
      text: `${row.system.name} (${row.system.kind}, owner ${describePerson(row.owner)}): ${plural(row.open, 'open patch')}, first ${describeDue(row.firstDueAt, reading)}`,
    })),
    ...moreLine(rows.length - shown.length, 'systems with open patches: patch show <system> for one'),
  ];
  return { summary: `${plural(rows.length, 'system')} with open patches`, blocks };
}

export interface OverdueRow {
  readonly patch: StoredPatch;
  readonly owner: Person | string;
}

/** `patch overdue`: overdue patches, most overdue first; accepted risks apart, with their expiry. */
export function overdueCard(
  overdue: readonly OverdueRow[],
  riskAccepted: readonly OverdueRow[],
  reading: Reading,
): Card {
  const shown = overdue.slice(0, MAX_ROWS);
  const blocks: CardBlock[] = [
    {
      kind: 'header',
      text: overdue.length === 0 ? 'No patch is overdue' : `${plural(overdue.length, 'overdue patch')}`,
    },
  ];
  for (const { patch, owner } of shown) {
    blocks.push({
      kind: 'text',
      text: `${patch.system} ${patchName(patch)} (${patch.severity}): ${describeOverdue(patch.dueAt, reading)}, owner ${describePerson(owner)}; ${patch.escalation.phase}${patch.escalation.level >= 0 ? `, level ${patch.escalation.level + 1}` : ''}`,
    });
  }
  blocks.push(...moreLine(overdue.length - shown.length, 'overdue patches: patch show <system> for one system'));
  if (riskAccepted.length > 0) {
    blocks.push(
      { kind: 'divider' },
      { kind: 'text', text: `Risk accepted (${riskAccepted.length})`, emphasis: 'strong' },
    );
    for (const { patch, owner } of riskAccepted.slice(0, MAX_ROWS)) {
      const expiry =
        patch.escalation.holdUntil !== null
          ? `expires ${describeTime(patch.escalation.holdUntil, reading)}`
          : 'no expiry recorded';
      blocks.push({
        kind: 'text',
        text: `${patch.system} ${patchName(patch)} (${patch.severity}): ${describeOverdue(patch.dueAt, reading)}, owner ${describePerson(owner)}; ${expiry}`,
      });
    }
    blocks.push(...moreLine(riskAccepted.length - MAX_ROWS, 'accepted risks'));
  }
  const summary = `${plural(overdue.length, 'overdue patch')}${riskAccepted.length > 0 ? `, ${riskAccepted.length} more with the risk accepted` : ''}`;
  return { summary, blocks };
}

export interface SystemDetails {
  readonly system: System;
  readonly owner: Person | string;
  readonly policy: EscalationPolicy | undefined;
  readonly patches: readonly StoredPatch[];
}

/** `patch show <system>`: the system, when it may go down, and each patch with its escalation. */
export function showCard(details: SystemDetails, reading: Reading): Card {
  const { system, policy } = details;
  const open = details.patches.filter((patch) => patch.status === 'open');
  const done = details.patches.filter((patch) => patch.status === 'done');
  const freezes = system.freezes.filter((freeze) => freeze.to > reading.now);
  const blocks: CardBlock[] = [
    { kind: 'header', text: system.name },
    {
      kind: 'facts',
      facts: [
        { label: 'Kind', value: system.kind },
        { label: 'Criticality', value: system.criticality },
        { label: 'Owner', value: describePerson(details.owner) },
        { label: 'Channel', value: describeChat(system.channel) },
        { label: 'Policy', value: policy === undefined ? `${system.policy} (not in the inventory)` : policy.name },
        { label: 'Depends on', value: system.dependsOn.join(', ') || 'nothing' },
      ],
    },
    {
      kind: 'text',
      text:
        system.maintenanceWindows.length === 0
          ? 'Maintenance windows: none'
          : [
              'Maintenance windows:',
              ...system.maintenanceWindows.map((window) => describeWindow(window, system.freezes, reading.now)),
            ].join('\n'),
    },
    ...(freezes.length > 0
      ? [
          {
            kind: 'text',
            text: ['Freezes:', ...freezes.map((freeze) => describeFreeze(freeze, reading))].join('\n'),
          } as const,
        ]
      : []),
    { kind: 'divider' },
    {
      kind: 'text',
      text: open.length === 0 ? 'No open patches.' : `${plural(open.length, 'open patch')}:`,
      emphasis: 'strong',
    },
  ];
  for (const patch of open.slice(0, MAX_ROWS)) {
    blocks.push({
      kind: 'text',
      text: `${patchName(patch)} (${patch.severity})\nopen, ${describeDue(patch.dueAt, reading)}\nescalation: ${describeEscalation(patch.escalation, policy, reading)}`,
    });
  }
  blocks.push(...moreLine(open.length - MAX_ROWS, 'open patches'));
  if (done.length > 0) {
    const latest = [...done].sort((a, b) => (b.doneAt ?? 0) - (a.doneAt ?? 0)).slice(0, 5);
    blocks.push({
      kind: 'text',
      text: `Applied: ${latest.map((patch) => `${patch.key}${patch.doneAt !== undefined ? ` (${describeTime(patch.doneAt, reading)}${patch.doneBy ? ` by ${patch.doneBy}` : ''})` : ''}`).join('; ')}${done.length > latest.length ? ` and ${done.length - latest.length} more` : ''}`,
      emphasis: 'subtle',
    });
  }
  return { summary: `${system.name}: ${plural(open.length, 'open patch')}`, blocks };
}

export interface SystemPeople {
  readonly system: System;
  /** The owner first, then each manager above them. */
  readonly chain: readonly Person[];
  readonly policy: EscalationPolicy | undefined;
  readonly approvers: readonly (Person | string)[];
}

const CHAIN_LABELS = ['Owner', 'Manager', "Manager's manager"];

/** `patch who <system>`: who owns it, who is above them, who may accept its risks. */
export function whoCard(people: SystemPeople): Card {
  const { system, chain } = people;
  const facts = chain.map((person, index) => ({
    label: CHAIN_LABELS[index] ?? `Management, level ${index}`,
    value: `${describePerson(person)}: ${describeChat(person.chat)}; ${person.timeZone}`,
  }));
  if (chain.length === 0) facts.push({ label: 'Owner', value: describePerson(system.owner) });
  const approvers = people.approvers.length > 0 ? people.approvers.map(describePerson).join(', ') : 'none named';
  return {
    summary: `${system.name} is owned by ${chain[0] !== undefined ? chain[0].name : system.owner}`,
    blocks: [
      { kind: 'header', text: `Who answers for ${system.name}` },
      { kind: 'facts', facts },
      { kind: 'text', text: `Risk approvers (${people.policy?.name ?? system.policy} policy): ${approvers}` },
      {
        kind: 'text',
        text: 'The owner and their management chain may ack, snooze, mark done and add patches.',
        emphasis: 'subtle',
      },
    ],
  };
}

/** The confirmation of an ack, snooze or done, posted where it was typed: the channel sees who did what. */
export function actionCard(action: PatchAction, result: PatchActionResult, actor: string, reading: Reading): Card {
  const count = plural(result.patches.length, 'patch');
  const holdUntil = result.patches[0]?.escalation.holdUntil;
  const until = holdUntil !== null && holdUntil !== undefined ? ` until ${describeTime(holdUntil, reading)}` : '';
  const headline =
    action.kind === 'ack'
      ? `Acknowledged ${count} on ${result.system.name}${until}`
      : action.kind === 'snooze'
        ? `Snoozed ${count} on ${result.system.name} for ${describeDuration(action.durationMs)}${until}`
        : `Marked ${count} on ${result.system.name} as applied`;
  const line = (patch: StoredPatch): string =>
    action.kind === 'snooze' ? `${patchName(patch)} (snooze ${patch.escalation.snoozes})` : patchName(patch);
  const blocks: CardBlock[] = [
    { kind: 'text', text: headline, emphasis: 'strong' },
    { kind: 'text', text: result.patches.map(line).join('\n') },
    ...(action.kind === 'snooze' ? [{ kind: 'text', text: `Reason: ${action.reason}` } as const] : []),
  ];
  const after =
    action.kind === 'done'
      ? 'Nobody will be nagged about these any more.'
      : action.kind === 'ack'
        ? result.patches.length === 1
          ? describeAckSequel(result.patches[0]?.escalation, reading, 'it is')
          : describeAckSequel(undefined, reading, 'they are')
        : 'Escalation resumes then, at the level reached.';
  blocks.push({ kind: 'text', text: `By ${actor}. ${after}`, emphasis: 'subtle' });
  return { summary: headline, blocks };
}

export type AddOutcome = 'added' | 'updated' | 'unchanged';

/** The answer to `patch add`: what the inventory now holds, and whether anything changed. */
export function addedCard(outcome: AddOutcome, patch: StoredPatch, actor: string, reading: Reading): Card {
  const headline =
    outcome === 'added'
      ? `Added ${patch.key} to ${patch.system}`
      : outcome === 'updated'
        ? `Updated ${patch.key} on ${patch.system}`
        : `${patch.key} is already on ${patch.system}; nothing changed`;
  return {
    summary: headline,
    blocks: [
      { kind: 'text', text: headline, emphasis: 'strong' },
      {
        kind: 'text',
        text: `${patchName(patch)} (${patch.severity}), released ${describeTime(patch.releasedAt, reading)}, ${describeDue(patch.dueAt, reading)}${patch.dueSource === 'sla' ? " (from the policy's SLA)" : ''}`,
      },
      { kind: 'text', text: `By ${actor}.`, emphasis: 'subtle' },
    ],
  };
}
