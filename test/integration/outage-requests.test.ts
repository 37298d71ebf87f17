import { clockFrom } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../src/store/audit-log.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPatch, findPerson } from '../../src/store/inventory-queries.js';
import {
  expireOutageRequests,
  outageCards,
  recordOutageCard,
  requestOutage,
  voteOnOutage,
} from '../../src/store/outage-requests.js';
import { unsentNags } from '../../src/store/escalation-sweep.js';
import { requestRiskAcceptance } from '../../src/store/risk-acceptances.js';
import { createPatchNagProcessor } from '../../jobs/patch-nag.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { DAY, HOUR, inventory, PEOPLE, patch, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

// Thursday 26 November 2026, 18:00 in Berlin; the fixture's systems may go down Saturdays 22:00-02:00.
const NOW = Date.parse('2026-11-26T17:00:00Z');
const SATURDAY_22 = Date.parse('2026-11-28T21:00:00Z');
const dave = { ...PEOPLE[1]!, handle: 'dave', name: 'Dave Deputy', chat: { teams: 'aad-dave' } };

describe.each(STORE_DIALECTS)('outage requests on %s', (dialect) => {
  let store: TestDatabase;
  const as = async (handle: string) => ({
    person: await findPerson(store.db, handle),
    identity: `slack:U${handle.toUpperCase()}`,
    surface: 'slack' as const,
  });
  const ask = async (handle: string, start = SATURDAY_22, system = 'mail-gw-1') =>
    requestOutage(store, {
      ...(await as(handle)),
      system,
      start,
      durationMs: 2 * HOUR,
      reason: 'apply the qmail EDNS patch',
      now: NOW,
      timeZone: 'Europe/Berlin',
    });

  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    const policy = {
      ...STANDARD_POLICY,
      outage: {
        approvers: ['bob', 'carol', 'dave'],
        quorum: 2,
        selfApproval: false,
        expireAfterMs: DAY,
        remindBeforeMs: [DAY, HOUR],
      },
    };
    await importInventory(
      store,
      inventory({
        people: [...PEOPLE, dave],
        policies: [policy],
        systems: [system('mail-gw-1', { dependsOn: ['dns-1'] }), system('dns-1', { owner: 'bob' })],
        patches: [patch('mail-gw-1', 'CVE-2026-6000', NOW - 10 * DAY)],
      }),
      { actor: 'test', surface: 'cli', now: NOW, source: 'test' },
    );
  });
  afterEach(async () => {
    await store.drop();
  });

  it('records a request with the overdue patches it would apply, then approves it at quorum', async () => {
    const asked = await ask('alice');
    expect(asked.request).toMatchObject({
      system: 'mail-gw-1',
      start: SATURDAY_22,
      end: SATURDAY_22 + 2 * HOUR,
      status: 'pending',
      requestedBy: 'alice',
      expiresAt: NOW + DAY,
    });
    expect(asked.approvers.map((person) => person.handle)).toEqual(['bob', 'carol', 'dave']);
    expect(asked.overdue.map((patch) => patch.key)).toEqual(['CVE-2026-6000']);

    const id = asked.request.id;
    expect(await voteOnOutage(store, { ...(await as('bob')), id, vote: 'approve', now: NOW + HOUR })).toMatchObject({
      status: 'pending',
      approvals: ['bob'],
    });
    await expect(
      voteOnOutage(store, { ...(await as('bob')), id, vote: 'approve', now: NOW + HOUR }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(
      await voteOnOutage(store, { ...(await as('carol')), id, vote: 'approve', now: NOW + 2 * HOUR }),
    ).toMatchObject({ status: 'approved', approvals: ['bob', 'carol'], decidedBy: 'carol' });
    await expect(
      voteOnOutage(store, { ...(await as('dave')), id, vote: 'deny', reason: 'too late', now: NOW + 3 * HOUR }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: 'this request is already approved' });

    // The approved window now blocks overlapping requests on the same system.
    await expect(ask('alice', SATURDAY_22 + HOUR)).rejects.toThrow(/overlaps the approved window #\d+ on mail-gw-1/);
    const actions: string[] = [];
    for await (const row of readAuditLog(store.db))
      if (row.action.startsWith('outage')) actions.push(`${row.action} ${row.actor}`);
    expect(actions).toEqual(['outage-requested alice', 'outage-approval bob', 'outage-approved carol']);
  });

  it('two approvers deciding at the same moment: exactly one decision is recorded', async () => {
    const { request } = await ask('alice');
    const results = await Promise.allSettled([
      voteOnOutage(store, {
        ...(await as('carol')),
        id: request.id,
        vote: 'deny',
        reason: 'CEO: not in December',
        now: NOW + HOUR,
      }),
      voteOnOutage(store, {
        ...(await as('dave')),
        id: request.id,
        vote: 'propose',
        proposedStart: SATURDAY_22 + 7 * DAY,
        now: NOW + HOUR,
      }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(
      results
        .filter((result) => result.status === 'rejected')
        .map((result) => (result as PromiseRejectedResult).reason.code),
    ).toEqual(['CONFLICT']);
    const decided = (
      results.find((result) => result.status === 'fulfilled') as PromiseFulfilledResult<{ status: string }>
    ).value;
    expect(['denied', 'rescheduled']).toContain(decided.status);
  });

  it('refuses requesters outside the chain, self-approval, strangers and expired requests', async () => {
    await expect(ask('dave')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { request } = await ask('bob', SATURDAY_22, 'dns-1');
    await expect(
      voteOnOutage(store, { ...(await as('bob')), id: request.id, vote: 'approve', now: NOW }),
    ).rejects.toThrow('another approver must decide');
    await expect(
      voteOnOutage(store, { ...(await as('alice')), id: request.id, vote: 'approve', now: NOW }),
    ).rejects.toThrow('only the outage approvers decide this request: bob, carol, dave');
    await expect(
      voteOnOutage(store, {
        person: undefined,
        identity: 'teams:aad-x',
        surface: 'teams',
        id: request.id,
        vote: 'approve',
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await expireOutageRequests(store, NOW + DAY - 1)).toEqual([]);
    expect((await expireOutageRequests(store, NOW + DAY)).map((expired) => [expired.id, expired.status])).toEqual([
      [request.id, 'expired'],
    ]);
    await expect(
      voteOnOutage(store, { ...(await as('carol')), id: request.id, vote: 'approve', now: NOW + DAY }),
    ).rejects.toThrow('already expired');
  });

  it('remembers every posted copy of a request card, once each', async () => {
    const { request } = await ask('alice');
    await recordOutageCard(store.db, request.id, { platform: 'slack', conversation: 'CMAILOPS', message: '1.1' });
    await recordOutageCard(store.db, request.id, { platform: 'teams', conversation: 'a:dave', message: 'x' });
    await recordOutageCard(store.db, request.id, { platform: 'slack', conversation: 'CMAILOPS', message: '1.1' });
    expect((await outageCards(store.db, request.id)).map((card) => card.platform).sort()).toEqual(['slack', 'teams']);
  });

  it('a denial escalates the overdue patch one level at once, saying who denied it and why', async () => {
    const { request } = await ask('alice');
    const before = await findPatch(store.db, 'mail-gw-1', 'CVE-2026-6000');
    expect(before?.escalation).toMatchObject({ phase: 'upcoming', level: -1 });
    await voteOnOutage(store, {
      ...(await as('carol')),
      id: request.id,
      vote: 'deny',
      reason: 'CEO: no outage in December',
      now: NOW + HOUR,
    });
    const after = await findPatch(store.db, 'mail-gw-1', 'CVE-2026-6000');
    // Never nagged yet (no sweep ran), so the next level is the first.
    expect(after?.escalation).toMatchObject({ phase: 'overdue', level: 0, step: 1, nextAt: NOW + HOUR + 2 * DAY });
    const [nag] = await unsentNags(store.db);
    expect(nag).toEqual({ patchId: after!.id, step: 1 });

    const slack = recordingNotifier('slack');
    expect(
      await createPatchNagProcessor({ store, notifiers: [slack.notifier], clock: clockFrom(() => NOW + HOUR) })({
        id: 'nag',
        data: nag,
      } as never),
    ).toBe('sent');
    const thread = slack.messages.find((message) => message.kind === 'thread-start')!;
    expect(JSON.stringify(thread.card)).toContain(
      'An outage window to apply it was denied, so this goes one level up (denied by carol: CEO: no outage in December).',
    );
  });

  it('lets an outage approver who denied a window ask to accept the risk instead', async () => {
    // Dave is an outage approver, neither in Alice's chain nor a risk approver.
    const requested = await requestRiskAcceptance(store, {
      ...(await as('dave')),
      system: 'mail-gw-1',
      reason: 'no outage before the audit',
      controls: [],
      expiresAt: NOW + 30 * DAY,
      now: NOW,
    });
    expect(requested.acceptances).toMatchObject([{ requestedBy: 'dave', status: 'pending' }]);
  });
});
