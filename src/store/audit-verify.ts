/**
 * `mxops audit verify`: recomputes the hash chain from the first entry. Reports the first entry
 * whose hash, link or sequence number is wrong, and the head (count and last hash) so a copy of it
 * kept elsewhere also detects entries cut off the end, which a chain alone cannot.
 */
import type { Kysely } from 'kysely';
import { chainHash, GENESIS_HASH } from './audit-chain.js';
import { readAuditLog } from './audit-log.js';
import type { Database } from './schema.js';

export type AuditVerdict =
  | { readonly ok: true; readonly entries: number; readonly headHash: string }
  | { readonly ok: false; readonly entries: number; readonly brokenAt: number; readonly problem: string };

export async function verifyAuditLog(db: Kysely<Database>): Promise<AuditVerdict> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for await (const row of readAuditLog(db)) {
    const broken = (problem: string): AuditVerdict => ({ ok: false, entries: expectedSeq - 1, brokenAt: row.seq, problem });
    if (row.seq !== expectedSeq) return broken(`entry ${expectedSeq} is missing (the next one is ${row.seq})`);
    if (row.prev_hash !== prevHash) return broken(`entry ${row.seq} does not link to entry ${row.seq - 1} (prev_hash differs)`);
    const hash = chainHash({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, system: row.system, surface: row.surface, details: row.details, prevHash: row.prev_hash });
    if (hash !== row.hash) return broken(`entry ${row.seq} was changed after it was written (its hash does not match its content)`);
    prevHash = row.hash;
    expectedSeq++;
  }
  return { ok: true, entries: expectedSeq - 1, headHash: prevHash };
}
