import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../src/store/audit-log.js';
import { verifyAuditLog } from '../../src/store/audit-verify.js';
import { importInventory } from '../../src/store/inventory-import.js';
import {
  exportInventory,
  findPatch,
  managementChain,
  overduePatches,
  systemsWithOpenPatches,
} from '../../src/store/inventory-queries.js';
import { DAY, inventory, patch, system } from '../support/inventory-fixture.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

const now = Date.parse('2026-11-20T10:00:00Z');
const context = { actor: 'alice', surface: 'cli' as const, now, source: 'inventory.yaml' };

describe.each(STORE_DIALECTS)('inventory store on %s', (dialect) => {
  let store: TestDatabase;
  beforeEach(async () => {
    store = await openTestDatabase(dialect);
  });
  afterEach(async () => {
    await store.drop();
  });

  const doc = inventory({
    systems: [system('mail-gw-1'), system('dns-1', { kind: 'dns', owner: 'bob' })],
    patches: [
      patch('mail-gw-1', 'CVE-2026-0001', now - 10 * DAY),
      patch('dns-1', 'CVE-2026-0002', now - DAY, { severity: 'low', dueAt: now + 30 * DAY }),
    ],
  });

  it('imports, derives due dates from the SLA, and a second import changes and audits nothing', async () => {
    const first = await importInventory(store, doc, context);
    expect(first).toEqual({
      people: { added: 3, updated: 0, unchanged: 0 },
      policies: { added: 1, updated: 0, unchanged: 0 },
      systems: { added: 2, updated: 0, unchanged: 0 },
      patches: { added: 2, updated: 0, unchanged: 0 },
    });
    const critical = await findPatch(store.db, 'mail-gw-1', 'CVE-2026-0001');
    expect(critical).toMatchObject({
      dueAt: now - 3 * DAY,
      dueSource: 'sla',
      status: 'open',
      escalation: { phase: 'upcoming', step: 0 },
    });
    expect(await findPatch(store.db, 'dns-1', 'CVE-2026-0002')).toMatchObject({
      dueAt: now + 30 * DAY,
      dueSource: 'set',
    });
    const audited = (await verifyAuditLog(store.db)) as { entries: number };
    expect(audited.entries).toBe(3 + 1 + 2 + 2 + 1);

    const again = await importInventory(store, doc, { ...context, now: now + DAY });
    expect(again.systems).toEqual({ added: 0, updated: 0, unchanged: 2 });
    expect(again.patches).toEqual({ added: 0, updated: 0, unchanged: 2 });
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: audited.entries });
    expect(await exportInventory(store.db)).toEqual({
      people: [...doc.people].sort((a, b) => a.handle.localeCompare(b.handle)),
      policies: doc.policies,
      systems: [...doc.systems].sort((a, b) => a.name.localeCompare(b.name)),
      patches: [...doc.patches].sort((a, b) => a.system.localeCompare(b.system)),
    });
  });

  it('updates what changed, keeps escalation, and audits each change with its system', async () => {
    await importInventory(store, doc, context);
    const changed = inventory({
      systems: [system('mail-gw-1', { criticality: 'critical' }), system('dns-1', { kind: 'dns', owner: 'bob' })],
      patches: [patch('mail-gw-1', 'CVE-2026-0001', now - 10 * DAY, { dueAt: now + 5 * DAY })],
    });
    const summary = await importInventory(store, changed, { ...context, actor: 'bob' });
    expect(summary.systems).toEqual({ added: 0, updated: 1, unchanged: 1 });
    expect(summary.patches).toEqual({ added: 0, updated: 1, unchanged: 0 });
    // Not reminded yet: the reminder moves with the new due date.
    expect(await findPatch(store.db, 'mail-gw-1', 'CVE-2026-0001')).toMatchObject({
      dueAt: now + 5 * DAY,
      dueSource: 'set',
      escalation: { nextAt: now + 2 * DAY },
    });
    const entries = [];
    for await (const row of readAuditLog(store.db))
      if (row.actor === 'bob') entries.push({ action: row.action, system: row.system });
    expect(entries).toEqual([
      { action: 'system-updated', system: 'mail-gw-1' },
      { action: 'patch-updated', system: 'mail-gw-1' },
      { action: 'import', system: null },
    ]);
  });

  it('refuses references to records that exist nowhere, and writes nothing', async () => {
    const broken = inventory({
      systems: [system('mail-gw-1', { owner: 'dave', policy: 'gold', dependsOn: ['dns-9'] })],
      patches: [patch('mx-7', 'CVE-2026-0003', now)],
    });
    await expect(importInventory(store, broken, context)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('system mail-gw-1: owner "dave" is not in this file nor in the inventory'),
    });
    await expect(importInventory(store, broken, context)).rejects.toThrow(
      /policy "gold"[\s\S]*dependsOn "dns-9"[\s\S]*system "mx-7"/,
    );
    expect(await exportInventory(store.db)).toEqual({ people: [], policies: [], systems: [], patches: [] });
    expect(await verifyAuditLog(store.db)).toMatchObject({ entries: 0 });
  });

  it('resolves references against what is already stored (a file of patches alone)', async () => {
    await importInventory(store, doc, context);
    const patchesOnly = {
      people: [],
      policies: [],
      systems: [],
      patches: [patch('dns-1', 'CVE-2026-0004', now - 100 * DAY, { severity: 'medium' })],
    };
    expect((await importInventory(store, patchesOnly, { ...context, source: 'patches.csv' })).patches).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
  });

  it('lists overdue patches, systems with open patches, and the management chain', async () => {
    await importInventory(store, doc, context);
    expect((await overduePatches(store.db, now)).map((p) => [p.system, p.key, p.owner])).toEqual([
      ['mail-gw-1', 'CVE-2026-0001', 'alice'],
    ]);
    expect((await systemsWithOpenPatches(store.db)).map((s) => [s.system.name, s.open, s.firstDueAt])).toEqual([
      ['dns-1', 1, now + 30 * DAY],
      ['mail-gw-1', 1, now - 3 * DAY],
    ]);
    expect((await managementChain(store.db, 'alice')).map((p) => p.handle)).toEqual(['alice', 'bob', 'carol']);
  });
});
