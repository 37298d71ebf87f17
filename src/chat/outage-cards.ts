/**
 * Cards of outage-window requests: the request in front of its approvers (Approve, Deny, Propose
 * another time), the same card with the approvals so far while a quorum is not reached, and the
 * outcome that replaces every copy once decided or expired, with no live buttons left.
 */
import { DateTime } from 'luxon';
import { describeDuration, formatDuration } from '../patching/duration.js';
import type { Criticality, Severity } from '../patching/inventory.js';
import type { OutageRequest } from '../outages/outage-record.js';
import type { OutageView } from '../outages/outage-view.js';
import { formFor } from './action-forms.js';
import { ACTION_IDS, type ActionId } from './action-ids.js';
import type { Card, CardAction, CardBlock } from './card.js';
import { describeOverdue, describeTime, type Reading } from './patch-text.js';

const RANK: Readonly<Record<Severity | Criticality, number>> = { critical: 3, high: 2, medium: 1, low: 0 };

/** "Sat 28 Nov 22:00 Europe/Berlin to Sun 29 Nov 02:00 Europe/Berlin (4 hours)". */
export function describeOutageWindow(start: number, end: number, reading: Reading): string {
  return `${describeTime(start, reading)} to ${describeTime(end, reading)} (${describeDuration(end - start)})`;
}

/** "Bob Manager"; a handle the inventory does not know stays a handle. */
function nameOf(handle: string, view: OutageView): string {
  const person = [...view.approvers, ...(view.requester ? [view.requester] : [])].find(
    (candidate) => candidate.handle === handle,
  );
  return person?.name ?? handle;
}

function names(handles: readonly string[], view: OutageView): string {
  const named = handles.map((handle) => nameOf(handle, view));
  return named.length <= 1 ? (named[0] ?? 'nobody') : `${named.slice(0, -1).join(', ')} and ${named.at(-1)!}`;
}

/** One sentence: how bad it is to leave the patches unapplied, from the worst severity and the system's criticality. */
export function outageRisk(view: OutageView, reading: Reading): string {
  const { system, patches } = view;
  if (patches.length === 0)
    return `No patch on ${system.name} is overdue, so not doing it leaves nothing known open yet; the patches only come closer to their due dates.`;
  const worst = patches.reduce((a, b) => (RANK[b.severity] > RANK[a.severity] ? b : a));
  const oldest = Math.min(...patches.map((patch) => patch.dueAt));
  const score = RANK[worst.severity] + RANK[system.criticality];
  const level = score >= 5 ? 'very high' : score >= 4 ? 'high' : score >= 2 ? 'moderate' : 'low';
  return `Risk of not doing it: ${level}, as a ${worst.severity} patch has been overdue for ${describeDuration(reading.now - oldest)} on ${system.name}, a ${system.criticality}-criticality ${system.kind}, and what it fixes stays open until the window happens.`;
}

function facts(view: OutageView, reading: Reading, start = view.request.start): CardBlock {
  const { request, system } = view;
  return {
    kind: 'facts',
    facts: [
      { label: 'System', value: `${system.name} (${system.kind}, ${system.criticality} criticality)` },
      { label: 'Window', value: describeOutageWindow(start, start + (request.end - request.start), reading) },
      { label: 'Reason', value: request.reason },
      { label: 'Asked by', value: nameOf(request.requestedBy, view) },
      {
        label: 'Would apply',
        value:
          view.patches.length === 0
            ? 'no overdue patch'
            : view.patches
                .map((patch) => `${patch.key} (${patch.severity}, ${describeOverdue(patch.dueAt, reading)})`)
                .join('; '),
      },
    ],
  };
}

/** "1 of 2 approvals: Bob Manager"; "0 of 1 approvals". */
export function describeQuorum(request: OutageRequest, view: OutageView): string {
  const so = `${request.approvals.length} of ${view.approval.quorum} approval${view.approval.quorum === 1 ? '' : 's'}`;
  return request.approvals.length > 0 ? `${so}: ${names(request.approvals, view)}` : so;
}

/** The request while it waits: every copy the same, with live buttons. */
export function outageRequestCard(view: OutageView, reading: Reading): Card {
  const { request, system } = view;
  const headline = `Outage window requested: ${system.name}, ${describeTime(request.start, reading)} for ${describeDuration(request.end - request.start)}`;
  const deciders = view.approvers.map((person) => person.name).join(', ') || view.approval.approvers.join(', ');
  const button = (id: ActionId, label: string, typed: string, style?: CardAction['style']): CardAction => {
    const form = formFor(id);
    return { id, label, value: String(request.id), typed, ...(style ? { style } : {}), ...(form ? { form } : {}) };
  };
  return {
    summary: headline,
    blocks: [
      { kind: 'header', text: headline },
      facts(view, reading),
      { kind: 'text', text: outageRisk(view, reading) },
      {
        kind: 'text',
        text: `${describeQuorum(request, view)}. Who decides: ${deciders}; one denial or another proposed time decides at once. Unless decided, the request expires ${describeTime(request.expiresAt, reading)}. Request #${request.id}.`,
        emphasis: 'subtle',
      },
      {
        kind: 'actions',
        actions: [
          button(ACTION_IDS.outageApprove, 'Approve', `outage approve ${request.id}`, 'primary'),
          button(ACTION_IDS.outageDeny, 'Deny', `outage deny ${request.id} --reason <why>`, 'danger'),
          button(ACTION_IDS.outagePropose, 'Propose another time', `outage propose ${request.id} <when>`),
        ],
      },
    ],
  };
}

/** What the request came to, in one line; undefined while it waits. */
export function describeOutcome(view: OutageView, reading: Reading): string | undefined {
  const { request, system } = view;
  const decider = request.decidedBy !== undefined ? nameOf(request.decidedBy, view) : 'an approver';
  switch (request.status) {
    case 'pending':
      return undefined;
    case 'approved':
      return `Approved by ${names(request.approvals, view)}: ${system.name} may be taken down ${describeOutageWindow(request.start, request.end, reading)}.`;
    case 'denied':
      return `Denied by ${decider}: ${request.decisionNote ?? 'no reason given'}.`;
    case 'rescheduled': {
      const start = request.proposedStart ?? request.start;
      const local = DateTime.fromMillis(start, { zone: reading.timeZone }).toFormat('yyyy-MM-dd HH:mm');
      return `${decider} proposed another time: ${describeOutageWindow(start, start + (request.end - request.start), reading)}. To take it, ask again: outage request ${system.name} ${local} ${formatDuration(request.end - request.start)} ${request.reason}`;
    }
    case 'patched':
      return `Approved by ${names(request.approvals, view)}; the window took place and the owner marked its patches applied.`;
    case 'not-done':
      return `Approved by ${names(request.approvals, view)}; the window took place but the patches were not applied: a new window is needed.`;
    case 'expired':
      return `Nobody decided by ${describeTime(request.expiresAt, reading)}, so the request expired; ask again if the window is still needed.`;
  }
}

const VERDICT: Readonly<Record<Exclude<OutageRequest['status'], 'pending'>, string>> = {
  approved: 'Outage approved',
  denied: 'Outage denied',
  rescheduled: 'Another time proposed for the outage',
  expired: 'Outage request expired',
  patched: 'Outage done, patched',
  'not-done': 'Outage done, not patched',
};

/** The decided request: replaces every copy, with no buttons. */
export function outageOutcomeCard(view: OutageView, reading: Reading): Card {
  const { request, system } = view;
  if (request.status === 'pending') return outageRequestCard(view, reading);
  const headline = `${VERDICT[request.status]}: ${system.name}, ${describeTime(request.start, reading)} for ${describeDuration(request.end - request.start)}`;
  return {
    summary: headline,
    blocks: [
      { kind: 'header', text: headline },
      facts(view, reading),
      { kind: 'text', text: describeOutcome(view, reading) ?? '' },
      { kind: 'text', text: `Request #${request.id}.`, emphasis: 'subtle' },
    ],
  };
}

/** The card a request shows as it stands: waiting (with buttons) or decided (without). */
export function outageCard(view: OutageView, reading: Reading): Card {
  return view.request.status === 'pending' ? outageRequestCard(view, reading) : outageOutcomeCard(view, reading);
}

/** Where a decision was typed rather than clicked: one line, no buttons. */
export function outageNoteCard(view: OutageView, reading: Reading): Card {
  const text = `Outage request #${view.request.id} (${view.system.name}): ${describeOutcome(view, reading) ?? `${describeQuorum(view.request, view)}, waiting for more.`}`;
  return { summary: text, blocks: [{ kind: 'text', text }] };
}

/** `outage list`: requests waiting for a decision and approved windows to come, soonest first. */
export function outageListCard(requests: readonly OutageRequest[], reading: Reading): Card {
  const title = 'Outage windows';
  if (requests.length === 0) {
    const text = 'No outage window is waiting for a decision or approved to come.';
    return {
      summary: text,
      blocks: [
        { kind: 'header', text: title },
        { kind: 'text', text },
      ],
    };
  }
  const line = (request: OutageRequest): CardBlock => ({
    kind: 'text',
    text: `#${request.id} ${request.system}, ${describeOutageWindow(request.start, request.end, reading)}: ${
      request.status === 'approved'
        ? `approved (${request.approvals.join(', ')})`
        : `waiting for a decision${request.approvals.length > 0 ? ` (approved so far: ${request.approvals.join(', ')})` : ''}, until ${describeTime(request.expiresAt, reading)}`
    }; asked by ${request.requestedBy}: ${request.reason}`,
  });
  return {
    summary: `${requests.length} outage window(s)`,
    blocks: [{ kind: 'header', text: title }, ...requests.map(line)],
  };
}
