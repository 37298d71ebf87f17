/**
 * `mxops audit verify`: recomputes the chain from the first entry and compares it with the
 * checkpoints it is given. Reports the first entry whose sequence number, link, hash or MAC is
 * wrong, or that differs from a checkpoint, or the first one missing from the end.
 *
 * What each part proves (README, "The audit log"):
 * - the chain: no entry was changed, inserted, removed or moved, unless everything after it was
 *   re-hashed too, which with a plain chain anyone with SQL access can do;
 * - the key: nobody without MXOPS_AUDIT_KEY re-hashed anything. An entry with a plain hash after a
 *   keyed one, a MAC that does not match, or a newest entry not under the current key fails;
 * - checkpoints: the log still holds, unchanged, every entry it held when each was taken, so a cut
 *   tail, a wiped log or a rewrite re-hashed with the key (by someone who holds it) shows too.
 */
import type { Kysely } from 'kysely';
import { chainHash, GENESIS_HASH, hashForm } from './audit-chain.js';
import { type AuditCheckpoint, describeCheckpoint } from './audit-checkpoints.js';
import { type AuditKeyring, NO_AUDIT_KEYS } from './audit-keys.js';
import { readAuditLog } from './audit-log.js';
import type { Database } from './schema.js';

export interface AuditVerifyOptions {
  readonly keyring?: AuditKeyring;
  readonly checkpoints?: readonly AuditCheckpoint[];
}

export type AuditVerdict =
  | {
      readonly ok: true;
      readonly entries: number;
      readonly headHash: string;
      /** Entries with a plain hash (at the start: before a key was set). */
      readonly plainEntries: number;
      /** The keys the entries are under, in the order they were used. */
      readonly keyIds: readonly string[];
      /** The checkpoint with the highest sequence number compared; undefined: none was given. */
      readonly checkpoint?: AuditCheckpoint;
    }
  | { readonly ok: false; readonly entries: number; readonly brokenAt: number; readonly problem: string };

export async function verifyAuditLog(db: Kysely<Database>, options: AuditVerifyOptions = {}): Promise<AuditVerdict> {
  const keyring = options.keyring ?? NO_AUDIT_KEYS;
  const bySeq = new Map<number, AuditCheckpoint[]>();
  for (const checkpoint of options.checkpoints ?? [])
    bySeq.set(checkpoint.seq, [...(bySeq.get(checkpoint.seq) ?? []), checkpoint]);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let plainEntries = 0;
  const keyIds: string[] = [];
  /** The newest entry that matched a checkpoint: where a later mismatch's search can start. */
  let matched: AuditCheckpoint | undefined;
  /** The first entry of the run at the end that is not under the current key. */
  let notUnderCurrentSince: number | undefined;
  for await (const row of readAuditLog(db)) {
    const broken = (problem: string): AuditVerdict => ({
      ok: false,
      entries: expectedSeq - 1,
      brokenAt: row.seq,
      problem,
    });
    if (row.seq !== expectedSeq) return broken(`entry ${expectedSeq} is missing (the next one is ${row.seq})`);
    if (row.prev_hash !== prevHash)
      return broken(`entry ${row.seq} does not link to entry ${row.seq - 1} (prev_hash differs)`);
    const form = hashForm(row.hash);
    const fields = {
      seq: row.seq,
      at: row.at,
      actor: row.actor,
      action: row.action,
      system: row.system,
      surface: row.surface,
      details: row.details,
      prevHash: row.prev_hash,
    };
    if (form === undefined)
      return broken(
        `entry ${row.seq} has a hash mxops does not write (neither SHA-256 nor hmac-sha256:<key id>:<MAC>)`,
      );
    if (!form.keyed) {
      if (keyIds.length > 0)
        return broken(
          `entry ${row.seq} has a plain hash after keyed entries: it was written or re-hashed without MXOPS_AUDIT_KEY`,
        );
      if (chainHash(fields) !== row.hash)
        return broken(`entry ${row.seq} was changed after it was written (its hash does not match its content)`);
      plainEntries++;
    } else {
      const key = keyring.known.get(form.keyId);
      if (key === undefined) {
        return broken(
          keyring.current === undefined
            ? `entry ${row.seq} is MACed with key ${form.keyId} and no key is set here to check it: set MXOPS_AUDIT_KEY (and MXOPS_AUDIT_KEYS for earlier keys)`
            : `entry ${row.seq} is MACed with key ${form.keyId}, which is neither MXOPS_AUDIT_KEY (${keyring.current.id}) nor in MXOPS_AUDIT_KEYS: add that key to check it`,
        );
      }
      if (chainHash(fields, key) !== row.hash)
        return broken(
          `entry ${row.seq} does not match its MAC under key ${form.keyId}: it was changed after it was written, or re-hashed without the key`,
        );
      if (keyIds.at(-1) !== form.keyId) keyIds.push(form.keyId);
    }
    for (const checkpoint of bySeq.get(row.seq) ?? []) {
      if (checkpoint.hash !== row.hash) {
        const since = matched
          ? `after entry ${matched.seq}, which matches ${describeCheckpoint(matched)}`
          : 'from entry 1';
        return broken(
          `entry ${row.seq} differs from ${describeCheckpoint(checkpoint)}: it had hash ${checkpoint.hash}, it has ${row.hash}; the log was rewritten at or before entry ${row.seq} (${since})`,
        );
      }
      matched = checkpoint;
    }
    notUnderCurrentSince =
      form.keyed && form.keyId === keyring.current?.id ? undefined : (notUnderCurrentSince ?? row.seq);
    prevHash = row.hash;
    expectedSeq++;
  }
  const entries = expectedSeq - 1;
  const cut = newestBeyond(bySeq, entries);
  if (cut !== undefined) {
    const problem =
      entries === 0
        ? `the log is empty, but ${describeCheckpoint(cut)} saw entry ${cut.seq}: entries 1-${cut.seq} were deleted`
        : `the log ends at entry ${entries}, but ${describeCheckpoint(cut)} saw entry ${cut.seq}: entries ${entries + 1}-${cut.seq} were cut off the end`;
    return { ok: false, entries, brokenAt: entries + 1, problem };
  }
  if (keyring.current !== undefined && notUnderCurrentSince !== undefined) {
    const start = notUnderCurrentSince;
    return {
      ok: false,
      entries: start - 1,
      brokenAt: start,
      problem:
        `MXOPS_AUDIT_KEY is set (key ${keyring.current.id}), but entries ${start}-${entries} are not under it, and the newest entry must be: ` +
        `they were written or rewritten without it. If the key was only just set or rotated, run mxops audit checkpoint, which records the change under the new key`,
    };
  }
  return {
    ok: true,
    entries,
    headHash: prevHash,
    plainEntries,
    keyIds,
    ...(matched ? { checkpoint: newest(bySeq, matched) } : {}),
  };
}

function newestBeyond(bySeq: ReadonlyMap<number, AuditCheckpoint[]>, entries: number): AuditCheckpoint | undefined {
  let found: AuditCheckpoint | undefined;
  for (const [seq, checkpoints] of bySeq)
    if (seq > entries && (found === undefined || seq > found.seq)) found = checkpoints[0];
  return found;
}

/** Of the checkpoints at the newest matched sequence number, the latest taken. */
function newest(bySeq: ReadonlyMap<number, AuditCheckpoint[]>, matched: AuditCheckpoint): AuditCheckpoint {
  return (bySeq.get(matched.seq) ?? [matched]).reduce((a, b) => ((b.at ?? 0) > (a.at ?? 0) ? b : a));
}
