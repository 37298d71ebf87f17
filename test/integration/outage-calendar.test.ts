import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPerson } from '../../src/store/inventory-queries.js';
import { calendarEntries } from '../../src/store/outage-calendar.js';
import { requestOutage, voteOnOutage } from '../../src/store/outage-requests.js';
import { DAY, HOUR, inventory, patch, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

const NOW = Date.parse('2026-11-26T17:00:00Z');
const SATURDAY_22 = Date.parse('2026-11-28T21:00:00Z');

describe.each(STORE_DIALECTS)('calendar entries on %s', (dialect) => {
  let store: TestDatabase;
  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    const policy = {
      ...STANDARD_POLICY,
      outage: { approvers: ['carol'], quorum: 1, selfApproval: false, expireAfterMs: DAY, remindBeforeMs: [] },
    };
    const frozen = system('dns-1', {
      owner: 'bob',
      freezes: [
        { from: NOW + 20 * DAY, to: NOW + 30 * DAY, reason: 'year-end' },
        { from: NOW - 30 * DAY, to: NOW - 20 * DAY, reason: 'audit' },
      ],
    });
    await importInventory(
      store,
      inventory({
        policies: [policy],
        systems: [system('mail-gw-1'), frozen],
        patches: [patch('mail-gw-1', 'CVE-2026-8000', NOW - 10 * DAY)],
      }),
      { actor: 't', surface: 'cli', now: NOW, source: 't' },
    );
  });
  afterEach(async () => {
    await store.drop();
  });

  it('lists approved windows (not pending ones) and freezes that have not ended', async () => {
    const who = async (handle: string) => ({
      person: await findPerson(store.db, handle),
      identity: handle,
      surface: 'cli' as const,
    });
    const asked = await requestOutage(store, {
      ...(await who('alice')),
      system: 'mail-gw-1',
      start: SATURDAY_22,
      durationMs: 2 * HOUR,
      reason: 'qmail patch',
      now: NOW,
      timeZone: 'UTC',
    });
    await requestOutage(store, {
      ...(await who('alice')),
      system: 'mail-gw-1',
      start: SATURDAY_22 + 7 * DAY,
      durationMs: HOUR,
      reason: 'still pending',
      now: NOW,
      timeZone: 'UTC',
    });
    await voteOnOutage(store, { ...(await who('carol')), id: asked.request.id, vote: 'approve', now: NOW });
    const entries = await calendarEntries(store.db, NOW);
    expect(entries.windows).toEqual([
      {
        id: asked.request.id,
        system: 'mail-gw-1',
        start: SATURDAY_22,
        end: SATURDAY_22 + 2 * HOUR,
        reason: 'qmail patch',
        status: 'approved',
        approvedBy: 'carol',
        patches: ['CVE-2026-8000'],
      },
    ]);
    expect(entries.freezes).toEqual([
      { system: 'dns-1', from: NOW + 20 * DAY, to: NOW + 30 * DAY, reason: 'year-end' },
    ]);
  });
});
