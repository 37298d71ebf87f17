/** The rules of risk acceptance (patching/risk-acceptance.ts): terms, who may ask, four eyes. */
import { describe, expect, it } from 'vitest';
import type { Person } from '../../src/patching/inventory.js';
import {
  checkRiskTerms,
  MAX_RISK_ACCEPTANCE_MS,
  refuseRiskAlreadyAsked,
  requireMayAskToAcceptRisk,
  type RiskAcceptance,
  riskAcceptanceDecision,
} from '../../src/patching/risk-acceptance.js';
import type { StoredPatch } from '../../src/patching/stored-patch.js';
import { DAY, PEOPLE, STANDARD_POLICY, system } from '../support/inventory-fixture.js';

const NOW = Date.parse('2026-11-26T17:00:00Z');
const gateway = system('mail-gw-1');
const person = (handle: string): Person => PEOPLE.find((candidate) => candidate.handle === handle)!;
const dave: Person = { ...person('carol'), handle: 'dave', name: 'Dave Risk', manager: undefined };
const erin: Person = { ...person('carol'), handle: 'erin', name: 'Erin Outage' };
const mallory: Person = { ...person('carol'), handle: 'mallory', name: 'Mallory' };

const refusal = (run: () => unknown): { code: string; message: string } | 'allowed' => {
  try {
    run();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  return 'allowed';
};

describe('the terms of a risk acceptance', () => {
  it('needs a reason and an expiry in the future, at most a year away', () => {
    expect(refusal(() => checkRiskTerms({ reason: 'CEO says no', expiresAt: NOW + 90 * DAY, now: NOW }))).toBe(
      'allowed',
    );
    expect(refusal(() => checkRiskTerms({ reason: '  ', expiresAt: NOW + DAY, now: NOW }))).toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('needs a reason'),
    });
    expect(refusal(() => checkRiskTerms({ reason: 'x', expiresAt: NOW, now: NOW }))).toMatchObject({
      message: 'a risk acceptance must expire in the future',
    });
    expect(refusal(() => checkRiskTerms({ reason: 'x', expiresAt: NOW + MAX_RISK_ACCEPTANCE_MS, now: NOW }))).toBe(
      'allowed',
    );
    expect(
      refusal(() => checkRiskTerms({ reason: 'x', expiresAt: NOW + MAX_RISK_ACCEPTANCE_MS + 1, now: NOW })),
    ).toMatchObject({ message: expect.stringContaining('at most a year') });
  });
});

describe('who may ask to accept a risk', () => {
  const askers = { chain: [person('alice'), person('bob')], approvers: [dave], outageApprovers: [erin] };

  it('the owner chain, the risk approvers and the outage approvers', () => {
    for (const asker of [person('alice'), person('bob'), dave, erin])
      expect(refusal(() => requireMayAskToAcceptRisk(gateway, STANDARD_POLICY, askers, asker))).toBe('allowed');
  });

  it('nobody else, and they are told who may', () => {
    expect(refusal(() => requireMayAskToAcceptRisk(gateway, STANDARD_POLICY, askers, mallory))).toEqual({
      code: 'FORBIDDEN',
      message:
        'only the owner of mail-gw-1, their management chain, the risk approvers and the outage approvers may ask to accept a risk: Alice Owner, Bob Manager, Dave Risk, Erin Outage',
    });
    expect(refusal(() => requireMayAskToAcceptRisk(gateway, STANDARD_POLICY, askers, undefined))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('nobody at all when the policy names no risk approvers', () => {
    expect(
      refusal(() => requireMayAskToAcceptRisk(gateway, STANDARD_POLICY, { ...askers, approvers: [] }, person('alice'))),
    ).toEqual({
      code: 'FORBIDDEN',
      message:
        'the standard policy names no risk approvers, so no risk on mail-gw-1 can be accepted: add riskApprovers to the policy',
    });
  });
});

describe('one acceptance per patch at a time', () => {
  const patches = [
    { id: 1, key: 'CVE-1' },
    { id: 2, key: 'CVE-2' },
    { id: 3, key: 'CVE-3' },
  ] as StoredPatch[];

  it('names every patch already pending or accepted', () => {
    expect(refusal(() => refuseRiskAlreadyAsked(gateway, patches, new Set([1, 3])))).toEqual({
      code: 'CONFLICT',
      message: 'a risk acceptance is already pending or in force for CVE-1, CVE-3 on mail-gw-1',
    });
    expect(refusal(() => refuseRiskAlreadyAsked(gateway, patches, new Set([7])))).toBe('allowed');
  });
});

describe('deciding a risk acceptance (four eyes)', () => {
  const pending: RiskAcceptance = {
    id: 7,
    patchId: 1,
    system: 'mail-gw-1',
    patch: 'CVE-1',
    requestedBy: 'alice',
    reason: 'CEO says no',
    controls: ['relay only'],
    expiresAt: NOW + 90 * DAY,
    status: 'pending',
    decidedBy: undefined,
    decidedAt: undefined,
    createdAt: NOW - DAY,
  };
  const approvers = [person('carol'), dave];
  const decide = (acceptance: RiskAcceptance, decider: Person | undefined, decision: 'approve' | 'reject') =>
    refusal(() => riskAcceptanceDecision(acceptance, { decider, decision, now: NOW }, STANDARD_POLICY, approvers));

  it('a risk approver approves or rejects', () => {
    expect(
      riskAcceptanceDecision(pending, { decider: dave, decision: 'approve', now: NOW }, STANDARD_POLICY, approvers),
    ).toEqual({
      status: 'approved',
      decidedBy: 'dave',
    });
    expect(
      riskAcceptanceDecision(
        pending,
        { decider: person('carol'), decision: 'reject', now: NOW },
        STANDARD_POLICY,
        approvers,
      ),
    ).toEqual({ status: 'rejected', decidedBy: 'carol' });
  });

  it('nobody else decides, however high in the chain', () => {
    expect(decide(pending, person('bob'), 'approve')).toEqual({
      code: 'FORBIDDEN',
      message: 'only the risk approvers of the standard policy may decide: Carol Chief, Dave Risk',
    });
    expect(decide(pending, undefined, 'approve')).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      refusal(() =>
        riskAcceptanceDecision(pending, { decider: dave, decision: 'approve', now: NOW }, STANDARD_POLICY, []),
      ),
    ).toMatchObject({ message: expect.stringContaining('none are configured') });
  });

  it('whoever asked may not decide their own request', () => {
    expect(decide({ ...pending, requestedBy: 'dave' }, dave, 'approve')).toEqual({
      code: 'FORBIDDEN',
      message: 'you asked for this risk acceptance, so another risk approver must decide it',
    });
  });

  it('the first decision wins and later ones are told who decided', () => {
    expect(decide({ ...pending, status: 'approved', decidedBy: 'carol' }, dave, 'reject')).toEqual({
      code: 'CONFLICT',
      message: 'this risk acceptance was already approved by carol',
    });
    expect(decide({ ...pending, status: 'expired' }, dave, 'approve')).toMatchObject({
      message: 'this risk acceptance was already expired',
    });
  });

  it('an acceptance past its expiry cannot be approved, only rejected', () => {
    const lapsed = { ...pending, expiresAt: NOW };
    expect(decide(lapsed, dave, 'approve')).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('expired before it was approved'),
    });
    expect(decide(lapsed, dave, 'reject')).toBe('allowed');
  });
});
