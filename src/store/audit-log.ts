/**
 * The append-only audit log: who did what, when, to which system, through which surface. Entries
 * are written inside the write transaction of the change they record (writeTransaction), so a
 * change and its entry commit together or not at all.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import { canonicalJson, chainHash, type ChainedFields, GENESIS_HASH, keyIdOf } from './audit-chain.js';
import { type AuditHead, transactionAudit } from './audit-context.js';
import { NO_AUDIT_KEYS } from './audit-keys.js';
import type { AuditLogTable, Database } from './schema.js';

/**
 * `console, claimed`: typed in `mxops chat --as <handle>`, and `cli, claimed`: a command run with
 * `--as <handle>` (inventory import), where nothing checks that the person at the keyboard is
 * <handle> (Slack and Teams say who clicked; the console and the command line only repeat a flag).
 * Plain `cli` is the OS account running mxops (cli:<user>), which the OS vouches for.
 */
export type AuditSurface =
  'slack' | 'teams' | 'console' | typeof CLAIMED_CONSOLE_SURFACE | 'cli' | typeof CLAIMED_CLI_SURFACE | 'scheduler';

export const CLAIMED_CONSOLE_SURFACE = 'console, claimed';
export const CLAIMED_CLI_SURFACE = 'cli, claimed';

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
  /**
   * Records a key change if the head is not under the current key (MXOPS_AUDIT_KEY set or
   * rotated since the last entry), so the log's newest entry is under it, as verify requires.
   */
  recordKeyChange(at: number, surface: AuditSurface): Promise<void>;
}

/** The action of the entry that opens a run of entries under a new key. */
export const KEY_CHANGED_ACTION = 'audit-key-changed';

/**
 * For one write transaction: reads the chain's head once, then extends it, MACed with the
 * store's current key when it has one (audit-context.ts).
 */
export function auditAppender(trx: Kysely<Database>): AuditAppender {
  const transaction = transactionAudit(trx);
  const keyring = transaction?.keyring ?? NO_AUDIT_KEYS;
  const key = keyring.current;
  let head: AuditHead | undefined;
  const appendAll = async (
    records: readonly AuditRecord[],
    options: { keyChangeOnly?: { at: number; surface: AuditSurface } } = {},
  ): Promise<void> => {
    const first = records[0] ?? options.keyChangeOnly;
    if (first === undefined) return;
    head ??= await readAuditHead(trx);
    const headKeyId = keyIdOf(head.hash);
    if (key === undefined && headKeyId !== undefined) {
      // A plain entry after keyed ones is what a rewrite without the key looks like: refuse to write one.
      throw new AppError(
        'BAD_CONFIG',
        `the audit log is keyed (entry ${head.seq} is under key ${headKeyId}) and MXOPS_AUDIT_KEY is not set here: set it to change anything`,
      );
    }
    // An empty log has nothing to bring under the key: its first entry will announce it.
    if (records.length === 0 && head.seq === 0) return;
    const keyChange: AuditRecord[] =
      key !== undefined && headKeyId !== key.id
        ? [
            {
              at: first.at,
              actor: 'mxops',
              action: KEY_CHANGED_ACTION,
              surface: first.surface,
              details: { keyId: key.id, previousKeyId: headKeyId ?? null },
            },
          ]
        : [];
    const rows: AuditLogTable[] = [];
    for (const record of [...keyChange, ...records]) {
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
      const hash = chainHash(fields, key);
      rows.push({
        seq: fields.seq,
        at: fields.at,
        actor: fields.actor,
        action: fields.action,
        system: fields.system,
        surface: fields.surface,
        details: fields.details,
        prev_hash: fields.prevHash,
        hash,
      });
      head = { seq: fields.seq, hash };
      transaction?.entries.push({ action: record.action, surface: record.surface });
    }
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await trx
        .insertInto('audit_log')
        .values(rows.slice(start, start + INSERT_CHUNK))
        .execute();
    }
    if (transaction !== undefined && rows.length > 0) transaction.head = head;
  };
  return {
    append: (...records) => appendAll(records),
    appendAll: (records) => appendAll(records),
    recordKeyChange: (at, surface) => appendAll([], { keyChangeOnly: { at, surface } }),
  };
}

/** The newest entry's sequence number and hash; seq 0 and the genesis hash for an empty log. */
export async function readAuditHead(db: Kysely<Database>): Promise<AuditHead> {
  return (
    (await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst()) ?? {
      seq: 0,
      hash: GENESIS_HASH,
    }
  );
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
export async function* readAuditLog(
  db: Kysely<Database>,
  options: { since?: number; pageSize?: number } = {},
): AsyncGenerator<AuditLogTable> {
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
