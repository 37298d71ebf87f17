import { describe, expect, it } from 'vitest';
import { castVote, type PendingRequest } from '../../src/outages/outage-approval.js';
import { checkOutageRequest, type OutageCheckContext } from '../../src/outages/outage-request.js';
import { DEFAULT_OUTAGE_APPROVAL } from '../../src/patching/inventory.js';
import { HOUR, DAY, system } from '../support/inventory-fixture.js';

// Thursday 26 November 2026, 18:00 in Berlin. The fixture's system may go down on Saturdays
// 22:00-02:00 Berlin time.
const NOW = Date.parse('2026-11-26T17:00:00Z');
const SATURDAY_22 = Date.parse('2026-11-28T21:00:00Z');
const context: OutageCheckContext = { now: NOW, booked: [], timeZone: 'Europe/Berlin' };
const gateway = system('mail-gw-1', { dependsOn: ['dns-1'] });

const problems = (run: () => void): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('checking an outage request before it is posted', () => {
  it('accepts a window inside a maintenance window, clear of freezes and other windows', () => {
    expect(
      problems(() =>
        checkOutageRequest(
          { system: gateway, start: SATURDAY_22, durationMs: 2 * HOUR, reason: 'qmail EDNS patch' },
          context,
        ),
      ),
    ).toBe('accepted');
  });

  it('refuses the past, no reason and an absurd length at once', () => {
    expect(
      problems(() =>
        checkOutageRequest({ system: gateway, start: NOW - HOUR, durationMs: 9 * DAY, reason: ' ' }, context),
      ),
    ).toBe(
      'cannot ask for an outage of mail-gw-1: \n- say why: the approvers decide on the reason\n- an outage lasts more than nothing and at most 1 week (asked: 1 week 2 days)\n- the window would start in the past (Thu 26 Nov 17:00 Europe/Berlin); give a time from now on',
    );
  });

  it('suggests the next allowed slots when outside the maintenance windows', () => {
    expect(
      problems(() =>
        checkOutageRequest(
          { system: gateway, start: SATURDAY_22 - DAY, durationMs: 2 * HOUR, reason: 'patch' },
          context,
        ),
      ),
    ).toBe(
      "cannot ask for an outage of mail-gw-1: Fri 27 Nov 22:00 Europe/Berlin for 2 hours is outside mail-gw-1's maintenance windows; the next allowed: Sat 28 Nov 22:00 Europe/Berlin, Sat 5 Dec 22:00 Europe/Berlin, Sat 12 Dec 22:00 Europe/Berlin",
    );
    // Longer than the window itself: nothing fits.
    expect(
      problems(() =>
        checkOutageRequest({ system: gateway, start: SATURDAY_22, durationMs: 5 * HOUR, reason: 'patch' }, context),
      ),
    ).toMatch(/no allowed window of that length in the next year$/);
  });

  it('refuses a freeze, and skips frozen Saturdays in the suggestions', () => {
    const frozen = system('mail-gw-1', {
      freezes: [
        { from: Date.parse('2026-11-28T00:00:00Z'), to: Date.parse('2026-12-06T00:00:00Z'), reason: 'year-end' },
      ],
    });
    expect(
      problems(() =>
        checkOutageRequest({ system: frozen, start: SATURDAY_22, durationMs: HOUR, reason: 'patch' }, context),
      ),
    ).toBe(
      'cannot ask for an outage of mail-gw-1: it falls in the freeze "year-end" from Sat 28 Nov 01:00 Europe/Berlin to Sun 6 Dec 01:00 Europe/Berlin',
    );
    expect(
      problems(() =>
        checkOutageRequest({ system: frozen, start: SATURDAY_22 - DAY, durationMs: HOUR, reason: 'patch' }, context),
      ),
    ).toContain('the next allowed: Sat 12 Dec 22:00 Europe/Berlin');
  });

  it('refuses overlaps with approved windows on the system and on what it depends on, not on others', () => {
    const booked = [
      { id: 7, system: 'dns-1', start: SATURDAY_22 + HOUR, end: SATURDAY_22 + 3 * HOUR },
      { id: 8, system: 'mail-gw-2', start: SATURDAY_22, end: SATURDAY_22 + 3 * HOUR },
    ];
    expect(
      problems(() =>
        checkOutageRequest(
          { system: gateway, start: SATURDAY_22, durationMs: 2 * HOUR, reason: 'patch' },
          { ...context, booked },
        ),
      ),
    ).toBe(
      'cannot ask for an outage of mail-gw-1: it overlaps the approved window #7 on dns-1, which mail-gw-1 depends on (Sat 28 Nov 23:00 Europe/Berlin to Sun 29 Nov 01:00 Europe/Berlin)',
    );
    expect(
      problems(() =>
        checkOutageRequest(
          { system: gateway, start: SATURDAY_22, durationMs: HOUR, reason: 'patch' },
          { ...context, booked },
        ),
      ),
    ).toBe('accepted');
  });

  it('lets a system without maintenance windows go down at any future time', () => {
    const anytime = system('lab-1', { maintenanceWindows: [] });
    expect(
      problems(() =>
        checkOutageRequest({ system: anytime, start: NOW + HOUR, durationMs: HOUR, reason: 'patch' }, context),
      ),
    ).toBe('accepted');
  });
});

describe('deciding an outage request', () => {
  const approval = { ...DEFAULT_OUTAGE_APPROVAL, approvers: ['bob', 'carol', 'dave'], quorum: 2 };
  const pending: PendingRequest = { requestedBy: 'alice', status: 'pending', expiresAt: NOW + DAY, approvals: [] };

  it('needs a quorum of distinct approvers; one denial or proposal decides at once', () => {
    const first = castVote(pending, { approver: 'bob', decision: 'approve' }, approval, NOW);
    expect(first).toEqual({ status: 'pending', approvals: ['bob'], needed: 1 });
    expect(() =>
      castVote({ ...pending, approvals: ['bob'] }, { approver: 'bob', decision: 'approve' }, approval, NOW),
    ).toThrow('you already approved');
    expect(
      castVote({ ...pending, approvals: ['bob'] }, { approver: 'carol', decision: 'approve' }, approval, NOW),
    ).toEqual({ status: 'approved', approvals: ['bob', 'carol'] });
    expect(
      castVote(
        { ...pending, approvals: ['bob'] },
        { approver: 'dave', decision: 'deny', reason: ' CEO: no outage in December ' },
        approval,
        NOW,
      ),
    ).toEqual({ status: 'denied', reason: 'CEO: no outage in December' });
    expect(castVote(pending, { approver: 'carol', decision: 'propose', start: NOW + 3 * DAY }, approval, NOW)).toEqual({
      status: 'rescheduled',
      start: NOW + 3 * DAY,
    });
  });

  it('refuses people who may not decide, self-approval, decided and expired requests, and empty reasons', () => {
    expect(() => castVote(pending, { approver: 'mallory', decision: 'approve' }, approval, NOW)).toThrow(
      'only the outage approvers decide this request: bob, carol, dave',
    );
    expect(() =>
      castVote({ ...pending, requestedBy: 'bob' }, { approver: 'bob', decision: 'approve' }, approval, NOW),
    ).toThrow('another approver must decide');
    expect(
      castVote(
        { ...pending, requestedBy: 'bob' },
        { approver: 'bob', decision: 'approve' },
        { ...approval, selfApproval: true },
        NOW,
      ),
    ).toMatchObject({ status: 'pending' });
    expect(() =>
      castVote({ ...pending, status: 'approved' }, { approver: 'carol', decision: 'deny', reason: 'x' }, approval, NOW),
    ).toThrow('already approved');
    expect(() => castVote(pending, { approver: 'carol', decision: 'approve' }, approval, NOW + DAY)).toThrow('expired');
    expect(() => castVote(pending, { approver: 'carol', decision: 'deny', reason: '' }, approval, NOW)).toThrow(
      'a denial needs a reason',
    );
    expect(() => castVote(pending, { approver: 'carol', decision: 'propose', start: NOW }, approval, NOW)).toThrow(
      'future',
    );
  });
});
