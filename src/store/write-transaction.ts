/**
 * Every change to the inventory runs in one serialized write transaction, with its audit entries.
 * Serializing writes keeps the audit hash chain a single line (each entry names the one before it)
 * and turns "two replicas sweep at once" into "one after the other", which the sweep's records
 * then make harmless. The volume (nags, clicks, imports) is far below what one writer handles.
 */
import { type Kysely, sql } from 'kysely';
import { auditTransaction } from './audit-context.js';
import type { OpenDatabase } from './database.js';
import type { Database } from './schema.js';

/** Any 64-bit constant; all mxops replicas must agree on it. */
const POSTGRES_WRITE_LOCK = 0x6d786f7073; // "mxops"

/**
 * Runs `work` in a transaction that holds the store's write lock. Inside, use only the `trx` it is
 * given: on SQLite the one connection is held for the duration, so the outer handle would wait.
 */
export async function writeTransaction<T>(
  store: OpenDatabase,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  // The audit appender finds the store's keys through the transaction; the checkpointer hears of the commit.
  const audit = auditTransaction(store);
  const result = await lockedTransaction(store, (trx) => work(audit.bind(trx)));
  await audit.committed();
  return result;
}

async function lockedTransaction<T>(store: OpenDatabase, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    return store.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${POSTGRES_WRITE_LOCK})`.execute(trx);
      return work(trx);
    });
  }
  // BEGIN IMMEDIATE takes the write lock up front: a deferred BEGIN that reads and then writes can
  // fail with SQLITE_BUSY when another process wrote in between, where this waits (busy_timeout).
  return store.db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}
