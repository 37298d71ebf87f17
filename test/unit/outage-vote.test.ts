/** One vote on an outage request and what it settles (outages/outage-vote.ts, outage-answer.ts). */
import { describe, expect, it } from 'vitest';
import { checkOutageAnswer } from '../../src/outages/outage-answer.js';
import type { OutageRequest } from '../../src/outages/outage-record.js';
import { decideOutageVote, type OutageVoteState } from '../../src/outages/outage-vote.js';
import { startEscalation } from '../../src/patching/escalation.js';
import { DEFAULT_OUTAGE_APPROVAL, type OutageApproval, type Person } from '../../src/patching/inventory.js';
import type { StoredPatch } from '../../src/patching/stored-patch.js';
import { DAY, HOUR, PEOPLE, STANDARD_POLICY } from '../support/inventory-fixture.js';

const NOW = Date.parse('2026-11-26T17:00:00Z');
const START = NOW + 2 * DAY;
const person = (handle: string): Person => PEOPLE.find((candidate) => candidate.handle === handle)!;
const approval: OutageApproval = { ...DEFAULT_OUTAGE_APPROVAL, approvers: ['bob', 'carol'], quorum: 1 };

const request: OutageRequest = {
  id: 12,
  system: 'mail-gw-1',
  start: START,
  end: START + 4 * HOUR,
  reason: 'apply the qmail patch',
  requestedBy: 'alice',
  status: 'pending',
  approvals: [],
  createdAt: NOW - HOUR,
  expiresAt: NOW + DAY,
  decidedBy: undefined,
  decidedAt: undefined,
  decisionNote: undefined,
  proposedStart: undefined,
  patches: ['CVE-1', 'CVE-2'],
};

function storedPatch(id: number, key: string, dueAt: number, phase: 'overdue' | 'risk-accepted'): StoredPatch {
  return {
    id,
    system: 'mail-gw-1',
    key,
    title: key,
    advisory: key,
    severity: 'critical',
    releasedAt: dueAt - 7 * DAY,
    dueAt,
    dueSource: 'sla',
    status: 'open',
    doneAt: undefined,
    doneBy: undefined,
    escalation: { ...startEscalation({ dueAt }, STANDARD_POLICY), phase, level: 0, round: 1, step: 2 },
  };
}

const state: OutageVoteState = {
  request,
  policy: STANDARD_POLICY,
  approval,
  patches: [storedPatch(1, 'CVE-1', NOW - 3 * DAY, 'overdue'), storedPatch(2, 'CVE-2', NOW - DAY, 'risk-accepted')],
};
const ballot = (handle: string | undefined, vote: 'approve' | 'deny' | 'propose', extra = {}) => ({
  person: handle === undefined ? undefined : person(handle),
  identity: `slack:${handle ?? 'UNKNOWN'}`,
  vote,
  ...extra,
});

describe('a vote on an outage request', () => {
  it('an approval that makes the quorum approves and plans the follow-through', () => {
    const decision = decideOutageVote(state, ballot('bob', 'approve'), NOW);
    expect(decision).toMatchObject({
      outcome: { status: 'approved', approvals: ['bob'] },
      approvals: ['bob'],
      voter: 'bob',
      decided: true,
      escalations: [],
    });
    expect(decision.steps.map((step) => step.kind)).toEqual([`remind-${DAY}`, `remind-${HOUR}`, 'start', 'end']);
    expect(decision.steps.at(-1)!.dueAt).toBe(request.end);
  });

  it('an approval short of the quorum leaves it pending, nothing planned', () => {
    const decision = decideOutageVote(
      { ...state, approval: { ...approval, quorum: 2 } },
      ballot('bob', 'approve'),
      NOW,
    );
    expect(decision).toMatchObject({
      outcome: { status: 'pending', needed: 1 },
      approvals: ['bob'],
      decided: false,
      steps: [],
      escalations: [],
    });
  });

  it('a denial escalates the overdue patches it was for, not those whose risk is accepted', () => {
    const decision = decideOutageVote(state, ballot('carol', 'deny', { reason: ' not before the audit ' }), NOW);
    expect(decision.outcome).toEqual({ status: 'denied', reason: 'not before the audit' });
    expect(decision.approvals).toEqual([]);
    expect(decision.steps).toEqual([]);
    expect(decision.escalations.map(({ patch, state: after, nag }) => [patch.key, after.level, nag])).toEqual([
      ['CVE-1', 1, { step: 3, level: 1, kind: 'outage-denied', at: NOW }],
    ]);
  });

  it('a proposal of another time reschedules, keeping the approvals so far', () => {
    const decision = decideOutageVote(
      { ...state, request: { ...request, approvals: ['bob'] }, approval: { ...approval, quorum: 2 } },
      ballot('carol', 'propose', { proposedStart: START + DAY }),
      NOW,
    );
    expect(decision).toMatchObject({
      outcome: { status: 'rescheduled', start: START + DAY },
      approvals: ['bob'],
      decided: true,
    });
  });

  it('someone the inventory does not know is told who the approvers are', () => {
    expect(() => decideOutageVote(state, ballot(undefined, 'approve'), NOW)).toThrow(
      expect.objectContaining({
        code: 'FORBIDDEN',
        message: 'you (slack:UNKNOWN) are not in the inventory; the outage approvers are: bob, carol',
      }),
    );
  });

  it('the approval rules still hold: not an approver, or the requester without selfApproval', () => {
    expect(() => decideOutageVote(state, ballot('alice', 'approve'), NOW)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() =>
      decideOutageVote({ ...state, request: { ...request, requestedBy: 'bob' } }, ballot('bob', 'approve'), NOW),
    ).toThrow(expect.objectContaining({ message: expect.stringContaining('another approver must decide') }));
  });
});

describe("the owner's answer at the end of a window", () => {
  const approved = { status: 'approved' as const, start: NOW - HOUR };

  it('is taken once the approved window has started', () => {
    expect(() => checkOutageAnswer(approved, NOW)).not.toThrow();
    expect(() => checkOutageAnswer({ ...approved, start: NOW + HOUR }, NOW)).toThrow('this window has not started yet');
  });

  it('is taken once, and only for an approved window', () => {
    expect(() => checkOutageAnswer({ ...approved, status: 'patched' }, NOW)).toThrow(
      'this window was already answered: patched',
    );
    expect(() => checkOutageAnswer({ ...approved, status: 'denied' }, NOW)).toThrow(
      'this window was never approved (denied)',
    );
  });
});
