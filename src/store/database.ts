/**
 * Opens the store: SQLite (better-sqlite3) by default, in a file created on first use, or
 * PostgreSQL (pg) when the URL says so. Both sit behind one Kysely<Database>, so queries are
 * written once (DESIGN.md: "SQLite is the embedded default store; PostgreSQL is the store for
 * several replicas").
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import { AppError } from '../errors.js';
import type { Database } from './schema.js';
import type { DatabaseLocation, StoreDialect } from './database-location.js';

// Where the store is, apart from opening it: config.ts reads it without loading a driver.
export { databaseLocation, type DatabaseLocation, type StoreDialect } from './database-location.js';

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** PostgreSQL: the schema mxops's tables live in (public unless the location names one). */
  readonly schema?: string;
  close(): Promise<void>;
}

// The drivers (CommonJS) load when a store of theirs is opened, not with this module: a store uses
// one of them, and pg alone costs ~50 ms and undici at start-up (bench/startup.ts).
const require = createRequire(import.meta.url);

const INT8_OID = 20;

/** How long a SQLite writer waits for another process's write lock before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export interface OpenOptions {
  /** Called once per statement executed (benchmarks count them). */
  readonly onQuery?: () => void;
}

export function openDatabase(location: DatabaseLocation, options: OpenOptions = {}): OpenDatabase {
  return location.dialect === 'postgres' ? openPostgres(location, options) : openSqlite(location.target, options);
}

function queryLog(options: OpenOptions) {
  const { onQuery } = options;
  return onQuery === undefined ? {} : { log: (event: { level: string }) => void (event.level === 'query' && onQuery()) };
}

function openSqlite(file: string, options: OpenOptions): OpenDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const Sqlite = require('better-sqlite3') as typeof SqliteDatabase;
  const sqlite = new Sqlite(file);
  // WAL lets readers run beside the one writer; the busy timeout makes a second process wait for
  // the write lock instead of failing at once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), ...queryLog(options) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

function openPostgres(location: DatabaseLocation, options: OpenOptions): OpenDatabase {
  const { Pool, types } = require('pg') as typeof pg;
  const pool = new Pool({
    connectionString: location.target,
    max: 10,
    ...(location.schema !== undefined ? { options: `-c search_path=${quoteIdentifier(location.schema)}` } : {}),
    // Times are epoch milliseconds in BIGINT columns; pg returns int8 as a string to be safe
    // beyond 2^53, which these values never reach.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...queryLog(options) });
  return { db, dialect: 'postgres', schema: location.schema ?? 'public', close: () => db.destroy() };
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new AppError('BAD_CONFIG', `not a plain schema name: ${name}`);
  return name;
}
