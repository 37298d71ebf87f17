/**
 * The audit log against an insider with SQL access: rows deleted from the end, every row deleted,
 * a row edited and everything after it re-hashed with the (public) unkeyed hash function, rows
 * reordered. With a key and/or checkpoints, `verify` fails and names the entry; on an untouched
 * log it passes. Real SQLite and PostgreSQL.
 */
import { clockFrom } from '../support/manual-clock.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAuditCheckpoint, runAuditVerify } from '../../commands/audit-log.js';
import { attachAudit } from '../../src/store/audit-attach.js';
import { chainHash } from '../../src/store/audit-chain.js';
import type { AuditCheckpointer } from '../../src/store/audit-checkpointer.js';
import { readCheckpointFile } from '../../src/store/audit-checkpoints.js';
import { useStoreAudit } from '../../src/store/audit-context.js';
import { auditKeyring, NO_AUDIT_KEYS, parseAuditKey } from '../../src/store/audit-keys.js';
import { auditAppender, type AuditRecord, readAuditLog } from '../../src/store/audit-log.js';
import { verifyAuditLog } from '../../src/store/audit-verify.js';
import type { AuditLogTable } from '../../src/store/schema.js';
import { writeTransaction } from '../../src/store/write-transaction.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

const KEY = parseAuditKey('9c1f0d5e7a3b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d');
const NEXT_KEY = parseAuditKey('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
const T0 = Date.UTC(2026, 10, 1);

const person = (n: number): AuditRecord => ({
  at: T0 + n * 60_000,
  actor: 'alice',
  action: 'ack',
  system: 'mail-gw-1',
  surface: 'slack',
  details: { patch: 'CVE-2005-1513', n },
});
const nag = (n: number): AuditRecord => ({
  at: T0 + n * 60_000,
  actor: 'mxops',
  action: 'nag',
  system: 'mail-gw-1',
  surface: 'scheduler',
  details: { n },
});

describe.each(STORE_DIALECTS)('the audit log against an insider on %s', (dialect) => {
  let store: TestDatabase;
  let dir: string;
  let file: string;
  let checkpoints: AuditCheckpointer;
  const errors: Error[] = [];
  let clock = T0;

  /** Attaches keys and the checkpoint file as openStore does. */
  const configure = (keyring = auditKeyring(KEY), withFile = true): void => {
    checkpoints = attachAudit(
      store,
      { keyring, checkpointFile: withFile ? file : undefined, channel: undefined, checkpointMinutes: 60 },
      { clock: clockFrom(() => clock), onError: (error) => errors.push(error) },
    );
  };
  const append = (...records: AuditRecord[]) => writeTransaction(store, (trx) => auditAppender(trx).append(...records));
  const rows = async (): Promise<AuditLogTable[]> => {
    const all: AuditLogTable[] = [];
    for await (const row of readAuditLog(store.db)) all.push(row);
    return all;
  };
  const fileCheckpoints = async () => (await readCheckpointFile(file)).checkpoints;
  const verify = async (keyring = auditKeyring(KEY)) =>
    verifyAuditLog(store.db, { keyring, checkpoints: await fileCheckpoints() });

  /** What an insider can do without the key: edit entry `seq`, then recompute every later hash with the public function. */
  async function rewriteFrom(seq: number, edit: (row: AuditLogTable) => AuditLogTable): Promise<void> {
    const all = await rows();
    let prev = all[seq - 2]?.hash ?? '0'.repeat(64);
    for (const original of all.slice(seq - 1)) {
      const row = original.seq === seq ? edit(original) : original;
      const hash = chainHash({
        seq: row.seq,
        at: row.at,
        actor: row.actor,
        action: row.action,
        system: row.system,
        surface: row.surface,
        details: row.details,
        prevHash: prev,
      });
      await sql`update audit_log set actor = ${row.actor}, details = ${row.details}, prev_hash = ${prev}, hash = ${hash} where seq = ${row.seq}`.execute(
        store.db,
      );
      prev = hash;
    }
  }

  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'mxops-audit-'));
    file = join(dir, 'checkpoints');
    errors.length = 0;
    clock = T0;
  });
  afterEach(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });

  it('passes an untouched keyed log, checkpointed after each person’s act, and says against which checkpoint', async () => {
    configure();
    await append(person(1), person(2));
    await append(nag(3));
    await append(person(4));
    const all = await rows();
    // The key's arrival opens the log; every hash is a MAC under it.
    expect(all.map((row) => row.action)).toEqual(['audit-key-changed', 'ack', 'ack', 'nag', 'ack']);
    expect(all.every((row) => row.hash.startsWith(`hmac-sha256:${KEY.id}:`))).toBe(true);
    // A checkpoint per transaction with a person's act; the nag waits for the schedule.
    expect((await fileCheckpoints()).map((checkpoint) => checkpoint.seq)).toEqual([3, 5]);
    expect(readFileSync(file, 'utf8')).toBe(
      `${new Date(T0).toISOString()} 3 ${all[2]!.hash}\n${new Date(T0).toISOString()} 5 ${all[4]!.hash}\n`,
    );
    expect(await verify()).toMatchObject({
      ok: true,
      entries: 5,
      headHash: all[4]!.hash,
      plainEntries: 0,
      keyIds: [KEY.id],
      checkpoint: { seq: 5 },
    });
    const notes: string[] = [];
    const verdict = await runAuditVerify({
      store,
      keyring: auditKeyring(KEY),
      checkpointFile: file,
      note: (text) => notes.push(text),
    });
    expect(verdict).toEqual({
      output: expect.stringMatching(
        new RegExp(
          `^audit log intact: 5 entries, head ${all[4]!.hash}\nkeyed: every entry MACed under key ${KEY.id}\nmatches the checkpoint of .* at entry 5\n$`,
        ),
      ),
      exitCode: 0,
    });
    expect(notes).toEqual([]);
  });

  it('fails on rows deleted from the end, naming the first missing entry, once a checkpoint saw them', async () => {
    configure();
    for (let n = 1; n <= 6; n++) await append(person(n));
    await sql`delete from audit_log where seq > 4`.execute(store.db);
    // The keyed chain alone cannot tell a cut log from a shorter one ...
    expect(await verifyAuditLog(store.db, { keyring: auditKeyring(KEY) })).toMatchObject({ ok: true, entries: 4 });
    // ... the checkpoint can.
    expect(await verify()).toMatchObject({
      ok: false,
      brokenAt: 5,
      entries: 4,
      problem: expect.stringMatching(
        /^the log ends at entry 4, but the checkpoint of \S+ \(.*checkpoints line 6\) saw entry 7: entries 5-7 were cut off the end$/,
      ),
    });
    const { output, exitCode } = await runAuditVerify({ store, keyring: auditKeyring(KEY), checkpointFile: file });
    expect(exitCode).toBe(1);
    expect(output).toMatch(/^audit log BROKEN at entry 5: the log ends at entry 4/);
  });

  it('fails on a wiped log ("intact: 0 entries" no more)', async () => {
    configure();
    for (let n = 1; n <= 3; n++) await append(person(n));
    await sql`delete from audit_log`.execute(store.db);
    expect(await verify()).toMatchObject({
      ok: false,
      brokenAt: 1,
      entries: 0,
      problem: expect.stringMatching(
        /^the log is empty, but the checkpoint of .* saw entry 4: entries 1-4 were deleted$/,
      ),
    });
    // A checkpoint a person kept is enough, without the file.
    const kept = await runAuditVerify(
      { store, keyring: NO_AUDIT_KEYS },
      { checkpoints: [`4:${(await fileCheckpoints()).at(-1)!.hash}`] },
    );
    expect(kept).toEqual({
      output: expect.stringContaining(
        'BROKEN at entry 1: the log is empty, but the checkpoint given (--checkpoint 4) saw entry 4',
      ),
      exitCode: 1,
    });
  });

  it('fails on an edited row re-hashed onwards with the unkeyed function, naming that row', async () => {
    configure();
    for (let n = 1; n <= 5; n++) await append(person(n));
    await rewriteFrom(3, (row) => ({ ...row, actor: 'mallory' }));
    // With the key, the first re-hashed entry gives itself away, checkpoints or not.
    expect(await verifyAuditLog(store.db, { keyring: auditKeyring(KEY) })).toMatchObject({
      ok: false,
      brokenAt: 3,
      entries: 2,
      problem: 'entry 3 has a plain hash after keyed entries: it was written or re-hashed without MXOPS_AUDIT_KEY',
    });
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('fails on a whole keyed log rewritten from its first entry with plain hashes', async () => {
    configure();
    for (let n = 1; n <= 3; n++) await append(person(n));
    await rewriteFrom(1, (row) => row);
    // No keyed entry is left, but the newest must be under the current key.
    expect(await verifyAuditLog(store.db, { keyring: auditKeyring(KEY) })).toMatchObject({
      ok: false,
      brokenAt: 1,
      problem: expect.stringContaining(`MXOPS_AUDIT_KEY is set (key ${KEY.id}), but entries 1-4 are not under it`),
    });
    // With a checkpoint and no key at all, the checkpoint names the entry that differs.
    expect(await verify(NO_AUDIT_KEYS)).toMatchObject({
      ok: false,
      brokenAt: 2,
      problem: expect.stringMatching(
        /^entry 2 differs from the checkpoint of .*: it had hash hmac-sha256:\S+, it has [0-9a-f]{64}; the log was rewritten at or before entry 2 \(from entry 1\)$/,
      ),
    });
  });

  it('with a plain chain, checkpoints alone catch a re-hashed rewrite and name the checkpointed entry', async () => {
    configure(NO_AUDIT_KEYS);
    for (let n = 1; n <= 6; n++) await append(person(n));
    expect((await rows()).every((row) => /^[0-9a-f]{64}$/.test(row.hash))).toBe(true);
    await rewriteFrom(4, (row) => ({ ...row, details: '{"n":4,"patch":"nothing to see"}' }));
    // The chain itself is consistent again: that is what a plain chain cannot prove.
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 6 });
    expect(await verify(NO_AUDIT_KEYS)).toMatchObject({
      ok: false,
      brokenAt: 4,
      entries: 3,
      problem: expect.stringMatching(
        /^entry 4 differs from the checkpoint of .*checkpoints line 4\): .* \(after entry 3, which matches the checkpoint of .*checkpoints line 3\)\)$/,
      ),
    });
  });

  it('fails on reordered rows and on a MAC made with another key', async () => {
    configure();
    for (let n = 1; n <= 4; n++) await append(person(n));
    await sql`update audit_log set seq = -1 where seq = 2`.execute(store.db);
    await sql`update audit_log set seq = 2 where seq = 3`.execute(store.db);
    await sql`update audit_log set seq = 3 where seq = -1`.execute(store.db);
    expect(await verify()).toMatchObject({
      ok: false,
      brokenAt: 2,
      problem: 'entry 2 does not link to entry 1 (prev_hash differs)',
    });

    const other = await openTestDatabase(dialect);
    try {
      useStoreAudit(other, { keyring: auditKeyring(NEXT_KEY) });
      await writeTransaction(other, (trx) => auditAppender(trx).append(person(1)));
      // A key the verifier does not hold is named, not trusted.
      expect(await verifyAuditLog(other.db, { keyring: auditKeyring(KEY) })).toMatchObject({
        ok: false,
        brokenAt: 1,
        problem: expect.stringContaining(
          `MACed with key ${NEXT_KEY.id}, which is neither MXOPS_AUDIT_KEY (${KEY.id}) nor in MXOPS_AUDIT_KEYS`,
        ),
      });
      // A forged MAC under the right key id does not match.
      const first = (await other.db.selectFrom('audit_log').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow())
        .hash;
      await sql`update audit_log set actor = 'mallory' where seq = 2`.execute(other.db);
      expect(await verifyAuditLog(other.db, { keyring: auditKeyring(NEXT_KEY) })).toMatchObject({
        ok: false,
        brokenAt: 2,
        problem: `entry 2 does not match its MAC under key ${NEXT_KEY.id}: it was changed after it was written, or re-hashed without the key`,
      });
      expect(first).toMatch(/^hmac-sha256:/);
    } finally {
      await other.drop();
    }
  });

  it('rotates keys: the change is on record under the new key, older entries verify with MXOPS_AUDIT_KEYS', async () => {
    configure(auditKeyring(KEY));
    await append(person(1));
    configure(auditKeyring(NEXT_KEY, [KEY]));
    // Until something is written under the new key, verify says what to do.
    expect(await verify(auditKeyring(NEXT_KEY, [KEY]))).toMatchObject({
      ok: false,
      brokenAt: 1,
      problem: expect.stringContaining('run mxops audit checkpoint'),
    });
    const taken = await runAuditCheckpoint({ store, checkpointer: checkpoints });
    expect(taken).toEqual({
      output: expect.stringMatching(/^\S+ 3 hmac-sha256:\S+\nkeep: --checkpoint 3:hmac-sha256:/),
      errors: '',
      exitCode: 0,
    });
    const all = await rows();
    expect(all.map((row) => [row.action, row.hash.split(':')[1]])).toEqual([
      ['audit-key-changed', KEY.id],
      ['ack', KEY.id],
      ['audit-key-changed', NEXT_KEY.id],
    ]);
    expect(JSON.parse(all[2]!.details)).toEqual({ keyId: NEXT_KEY.id, previousKeyId: KEY.id });
    expect(await verify(auditKeyring(NEXT_KEY, [KEY]))).toMatchObject({
      ok: true,
      entries: 3,
      keyIds: [KEY.id, NEXT_KEY.id],
      checkpoint: { seq: 3 },
    });
    expect(await verify(auditKeyring(NEXT_KEY))).toMatchObject({
      ok: false,
      brokenAt: 1,
      problem: expect.stringContaining(`MACed with key ${KEY.id}, which is neither`),
    });
    // The key is in no row.
    for (const row of all) expect(JSON.stringify(row)).not.toMatch(/9c1f0d5e7a3b2c4d|0123456789abcdef0123/);
  });

  it('keeps a keyed log keyed: a process without the key changes nothing', async () => {
    configure();
    await append(person(1));
    configure(NO_AUDIT_KEYS, false);
    await expect(append(person(2))).rejects.toMatchObject({
      code: 'BAD_CONFIG',
      message: expect.stringContaining('MXOPS_AUDIT_KEY is not set here'),
    });
    expect(await rows()).toHaveLength(2);
  });

  it('appends checkpoints to the file and never rewrites it, however many write at once', async () => {
    writeFileSync(
      file,
      '# kept by cron since 2026-10-01\n2026-10-01T00:00:00.000Z 0 0000000000000000000000000000000000000000000000000000000000000000\n',
    );
    const before = readFileSync(file, 'utf8');
    configure();
    await append(person(1));
    await Promise.all(Array.from({ length: 20 }, () => runAuditCheckpoint({ store, checkpointer: checkpoints })));
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(before)).toBe(true);
    const lines = text.slice(before.length).split('\n').filter(Boolean);
    expect(lines).toHaveLength(21);
    for (const line of lines) expect(line).toMatch(/^\S+Z 2 hmac-sha256:[0-9a-f]{16}:[0-9a-f]{64}$/);
    expect(await readCheckpointFile(file)).toMatchObject({ unreadable: [], missing: false });
    expect(await verify()).toMatchObject({ ok: true, entries: 2 });
  });
});
