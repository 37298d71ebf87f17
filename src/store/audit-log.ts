/**
 * The append-only audit log: who did what, when, to which system, through which surface. Entries
 * are written inside the write transaction of the change they record (writeTransaction), so a
 * change and its entry commit together or not at all.
 */
import type { Kysely } from 'kysely';
import { canonicalJson, chainHash, type ChainedFields, GENESIS_HASH } from './audit-chain.js';
import type { AuditLogTable, Database } from './schema.js';

export type AuditSurface = 'slack' | 'teams' | 'console' | 'cli' | 'scheduler';

export interface AuditRecord {
  readonly at: number;
  /** A person's handle, a chat identity (slack:U123), or `mxops` for the scheduler. */
  readonly actor: string;
  /** What happened, in kebab-case: nag, ack, snooze, patched, import, risk-approved... */
  readonly action: string;
  readonly system?: string;
  readonly surface: AuditSurface;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends Omit<AuditRecord, 'details' | 'system'> {
  readonly seq: number;
  readonly system: string | null;
  readonly details: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

/** Rows are inserted in chunks this size: PostgreSQL allows 65535 parameters per statement. */
const INSERT_CHUNK = 500;

export interface AuditAppender {
  append(...records: readonly AuditRecord[]): Promise<void>;
  /** The same for a list of any length (a spread of 100,000 arguments overflows the stack). */
  appendAll(records: readonly AuditRecord[]): Promise<void>;
}

/** For one write transaction: reads the chain's head once, then extends it. */
export function auditAppender(trx: Kysely<Database>): AuditAppender {
  let head: { seq: number; hash: string } | undefined;
  const appendAll = async (records: readonly AuditRecord[]): Promise<void> => {
    if (records.length === 0) return;
    head ??= (await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst()) ?? { seq: 0, hash: GENESIS_HASH };
    const rows: AuditLogTable[] = [];
    for (const record of records) {
      const previous = head;
      const fields: ChainedFields = {
        seq: previous.seq + 1,
        at: record.at,
        actor: record.actor,
        action: record.action,
        system: record.system ?? null,
        surface: record.surface,
        details: canonicalJson(record.details ?? {}),
        prevHash: previous.hash,
      };
      const hash = chainHash(fields);
      rows.push({ seq: fields.seq, at: fields.at, actor: fields.actor, action: fields.action, system: fields.system, surface: fields.surface, details: fields.details, prev_hash: fields.prevHash, hash });
      head = { seq: fields.seq, hash };
    }
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await trx.insertInto('audit_log').values(rows.slice(start, start + INSERT_CHUNK)).execute();
    }
  };
  return { append: (...records) => appendAll(records), appendAll };
}

export function toAuditEntry(row: AuditLogTable): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    system: row.system,
    surface: row.surface as AuditSurface,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Entries in order, a page at a time, so verify and export run in constant memory. */
export async function* readAuditLog(db: Kysely<Database>, options: { since?: number; pageSize?: number } = {}): AsyncGenerator<AuditLogTable> {
  const pageSize = options.pageSize ?? 1000;
  let after = 0;
  for (;;) {
    let query = db.selectFrom('audit_log').selectAll().where('seq', '>', after);
    if (options.since !== undefined) query = query.where('at', '>=', options.since);
    const page = await query.orderBy('seq').limit(pageSize).execute();
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.seq;
  }
}
