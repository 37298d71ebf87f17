import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../src/store/audit-log.js';
import { sweepDuePatches } from '../../src/store/escalation-sweep.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPatch, findPerson } from '../../src/store/inventory-queries.js';
import {
  decideRiskAcceptance,
  requestRiskAcceptance,
  riskAcceptancesInForce,
} from '../../src/store/risk-acceptances.js';
import type { Person } from '../../src/patching/inventory.js';
import { DAY, inventory, PEOPLE, patch, system } from '../support/inventory-fixture.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

const start = Date.parse('2026-11-20T10:00:00Z');
const dave: Person = {
  handle: 'dave',
  name: 'Dave Risk',
  chat: { slack: 'UDAVE' },
  timeZone: 'UTC',
  workingHours: PEOPLE[0]!.workingHours,
};

describe.each(STORE_DIALECTS)('risk acceptance on %s', (dialect) => {
  let store: TestDatabase;
  const as = async (handle: string) => ({
    person: await findPerson(store.db, handle),
    identity: `slack:U${handle.toUpperCase()}`,
    surface: 'slack' as const,
  });

  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    // carol is the policy's risk approver; dave is a second one for the four-eyes case.
    const doc = inventory({
      people: [...PEOPLE, dave],
      systems: [system('mail-gw-1')],
      patches: [patch('mail-gw-1', 'CVE-2026-2000', start - 10 * DAY)],
    });
    await importInventory(
      store,
      { ...doc, policies: [{ ...doc.policies[0]!, riskApprovers: ['carol', 'dave'] }] },
      { actor: 'alice', surface: 'cli', now: start, source: 'test' },
    );
    await sweepDuePatches(store, start);
  });
  afterEach(async () => {
    await store.drop();
  });

  const ask = async (handle: string, expiresAt = start + 30 * DAY) =>
    requestRiskAcceptance(store, {
      ...(await as(handle)),
      system: 'mail-gw-1',
      reason: 'CEO will not approve the outage before year end',
      controls: ['inbound only from the relay', 'frozen by policy'],
      expiresAt,
      now: start,
    });

  it('pauses nagging once approved, lists it with its expiry, and resumes at the level reached when it expires', async () => {
    const requested = await ask('alice');
    expect(requested.approvers.map((person) => person.handle)).toEqual(['carol', 'dave']);
    const [acceptance] = requested.acceptances;
    expect(acceptance).toMatchObject({
      status: 'pending',
      requestedBy: 'alice',
      controls: ['inbound only from the relay', 'frozen by policy'],
    });
    // Pending changes nothing yet.
    expect((await findPatch(store.db, 'mail-gw-1', 'CVE-2026-2000'))?.escalation.phase).toBe('overdue');

    const approved = await decideRiskAcceptance(store, {
      ...(await as('carol')),
      id: acceptance!.id,
      decision: 'approve',
      now: start + DAY,
    });
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'carol' });
    expect((await findPatch(store.db, 'mail-gw-1', 'CVE-2026-2000'))?.escalation).toMatchObject({
      phase: 'risk-accepted',
      level: 0,
      nextAt: start + 30 * DAY,
    });
    expect(await riskAcceptancesInForce(store.db)).toMatchObject([
      { id: acceptance!.id, system: 'mail-gw-1', patch: 'CVE-2026-2000', expiresAt: start + 30 * DAY },
    ]);

    // Nothing to nag while accepted, whatever the sweeps.
    expect((await sweepDuePatches(store, start + 29 * DAY)).planned).toHaveLength(0);
    const resumed = await sweepDuePatches(store, start + 30 * DAY);
    expect(resumed.planned).toHaveLength(1);
    expect(
      await store.db
        .selectFrom('nags')
        .select(['kind', 'level'])
        .where('step', '=', resumed.planned[0]!.step)
        .executeTakeFirst(),
    ).toEqual({ kind: 'resumed', level: 0 });
    expect(await riskAcceptancesInForce(store.db)).toEqual([]);
    const actions = [];
    for await (const row of readAuditLog(store.db)) actions.push(`${row.action} ${row.actor}`);
    expect(actions.slice(-3)).toEqual(['risk-requested alice', 'risk-approved carol', 'risk-expired mxops']);
  });

  it('only a risk approver may decide, never the one who asked, and the first decision wins', async () => {
    const [acceptance] = (await ask('carol')).acceptances;
    const decide = async (handle: string, decision: 'approve' | 'reject') =>
      decideRiskAcceptance(store, { ...(await as(handle)), id: acceptance!.id, decision, now: start + DAY });
    await expect(decide('alice', 'approve')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('Carol Chief, Dave Risk'),
    });
    await expect(decide('carol', 'approve')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('another risk approver'),
    });
    expect(await decide('dave', 'reject')).toMatchObject({ status: 'rejected', decidedBy: 'dave' });
    await expect(decide('dave', 'approve')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'this risk acceptance was already rejected by dave',
    });
    expect((await findPatch(store.db, 'mail-gw-1', 'CVE-2026-2000'))?.escalation.phase).toBe('overdue');
  });

  it('refuses bad requests and changes nothing', async () => {
    await expect(
      requestRiskAcceptance(store, {
        ...(await as('alice')),
        system: 'mail-gw-1',
        reason: ' ',
        controls: [],
        expiresAt: start + DAY,
        now: start,
      }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(ask('alice', start - 1)).rejects.toThrow('must expire in the future');
    await expect(ask('alice', start + 400 * DAY)).rejects.toThrow('at most a year');
    await expect(
      requestRiskAcceptance(store, {
        person: undefined,
        identity: 'slack:UNKNOWN',
        surface: 'slack',
        system: 'mail-gw-1',
        reason: 'why not',
        controls: [],
        expiresAt: start + DAY,
        now: start,
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await ask('alice');
    await expect(ask('bob')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('already pending or in force for CVE-2026-2000'),
    });
    expect(await store.db.selectFrom('risk_acceptances').select('id').execute()).toHaveLength(1);
  });
});
