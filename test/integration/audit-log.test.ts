import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditAppender, type AuditRecord, readAuditLog, toAuditEntry } from '../../src/store/audit-log.js';
import { verifyAuditLog } from '../../src/store/audit-verify.js';
import { writeTransaction } from '../../src/store/write-transaction.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

const execFileAsync = promisify(execFile);

const record = (n: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  at: Date.UTC(2026, 10, 1) + n * 60_000,
  actor: 'alice',
  action: 'ack',
  system: 'mail-gw-1',
  surface: 'slack',
  details: { patch: 'CVE-2005-1513', n },
  ...extra,
});

async function append(store: TestDatabase, ...records: AuditRecord[]): Promise<void> {
  await writeTransaction(store, (trx) => auditAppender(trx).append(...records));
}

describe.each(STORE_DIALECTS)('audit log on %s', (dialect) => {
  let store: TestDatabase;
  beforeEach(async () => {
    store = await openTestDatabase(dialect);
  });
  afterEach(async () => {
    await store.drop();
  });

  it('chains entries in order across transactions and verifies them', async () => {
    await append(store, record(1), record(2));
    await append(store, record(3, { system: undefined, actor: 'mxops', surface: 'scheduler', action: 'nag' }));
    const rows = [];
    for await (const row of readAuditLog(store.db, { pageSize: 2 })) rows.push(toAuditEntry(row));
    expect(rows.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(rows[2]!.prevHash).toBe(rows[1]!.hash);
    expect(rows[2]).toMatchObject({ system: null, actor: 'mxops', surface: 'scheduler', details: { n: 3 } });
    expect(await verifyAuditLog(store.db)).toEqual({
      ok: true,
      entries: 3,
      headHash: rows[2]!.hash,
      plainEntries: 3,
      keyIds: [],
    });
  });

  it('detects an edited entry, a deleted entry and a relinked chain', async () => {
    await append(store, record(1), record(2), record(3), record(4));
    await sql`update audit_log set actor = 'mallory' where seq = 2`.execute(store.db);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: false, brokenAt: 2, entries: 1 });

    await sql`delete from audit_log where seq = 2`.execute(store.db);
    expect(await verifyAuditLog(store.db)).toMatchObject({
      ok: false,
      brokenAt: 3,
      problem: 'entry 2 is missing (the next one is 3)',
    });

    // Renumbering to hide the gap breaks the link instead.
    await sql`update audit_log set seq = 2 where seq = 3`.execute(store.db);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('an empty log verifies with no entries', async () => {
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 0 });
  });

  it('a rolled-back change leaves no audit entry', async () => {
    await expect(
      writeTransaction(store, async (trx) => {
        await auditAppender(trx).append(record(1));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 0 });
  });

  it('two replica processes appending at once keep one unbroken chain', async () => {
    const writers = ['replica-a', 'replica-b'].map((actor) =>
      execFileAsync(process.execPath, [
        '--import',
        'tsx',
        'test/support/audit-writer-process.ts',
        JSON.stringify(store.location),
        actor,
        '25',
      ]),
    );
    await Promise.all(writers);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 50 });
    const actors = new Set<string>();
    for await (const row of readAuditLog(store.db)) actors.add(row.actor);
    expect(actors).toEqual(new Set(['replica-a', 'replica-b']));
  });
});
