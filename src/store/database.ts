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
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase as SqliteDatabaseLike } from 'kysely';
import type pg from 'pg';
import { AppError } from '../errors.js';
import type { Database } from './schema.js';
import type { DatabaseLocation, StoreDialect } from './database-location.js';
import { createTimedPool } from './postgres-pool.js';
import { describeStore, sqliteError, type StoreTimeouts } from './store-errors.js';

// Where the store is, apart from opening it: config.ts reads it without loading a driver.
export { databaseLocation, type DatabaseLocation, type StoreDialect } from './database-location.js';
export type { StoreTimeouts } from './store-errors.js';

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** PostgreSQL: the schema mxops's tables live in (public unless the location names one). */
  readonly schema?: string;
  /** Which store, for messages: "PostgreSQL at host:5432/db" (never the password) or "SQLite at <file>". */
  readonly where: string;
  /** Waits for running statements, at most the connect time-out on PostgreSQL, then drops the connections. */
  close(): Promise<void>;
  /** Drops every connection now, for a command that has stopped waiting for the store; close() still follows. */
  abandon(): void;
}

// The drivers (CommonJS) load when a store of theirs is opened, not with this module: a store uses
// one of them, and pg alone costs ~50 ms and undici at start-up (bench/startup.ts).
const require = createRequire(import.meta.url);

const INT8_OID = 20;

/** Connect 10 s, statement 30 s: what MXOPS_DB_CONNECT_TIMEOUT_MS and MXOPS_DB_STATEMENT_TIMEOUT_MS default to. */
export const DEFAULT_STORE_TIMEOUTS: StoreTimeouts = { connectMs: 10_000, statementMs: 30_000 };

export interface OpenOptions {
  /** Called once per statement executed (benchmarks count them). */
  readonly onQuery?: () => void;
  /** The connect (SQLite: busy) and statement time-outs; DEFAULT_STORE_TIMEOUTS unless given. */
  readonly timeouts?: StoreTimeouts;
}

export function openDatabase(location: DatabaseLocation, options: OpenOptions = {}): OpenDatabase {
  return location.dialect === 'postgres' ? openPostgres(location, options) : openSqlite(location, options);
}

function queryLog(options: OpenOptions) {
  const { onQuery } = options;
  return onQuery === undefined
    ? {}
    : { log: (event: { level: string }) => void (event.level === 'query' && onQuery()) };
}

function openSqlite(location: DatabaseLocation, options: OpenOptions): OpenDatabase {
  const file = location.target;
  const timeouts = options.timeouts ?? DEFAULT_STORE_TIMEOUTS;
  const where = describeStore(location);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const Sqlite = require('better-sqlite3') as typeof SqliteDatabase;
  const sqlite = new Sqlite(file);
  // WAL lets readers run beside the one writer; the busy timeout makes a second process wait for
  // the write lock instead of failing at once, and fail (naming the file) past it. SQLite has no
  // connection to time out and better-sqlite3 runs a statement to its end: this is the one wait.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`busy_timeout = ${timeouts.connectMs}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withSqliteErrors(sqlite, (error) => sqliteError(error, where, timeouts)) }),
    ...queryLog(options),
  });
  return { db, dialect: 'sqlite', where, close: () => db.destroy(), abandon: () => undefined };
}

/** better-sqlite3 as Kysely uses it, its lock errors named (store-errors.ts). */
function withSqliteErrors(sqlite: SqliteDatabase.Database, mapError: (error: unknown) => unknown): SqliteDatabaseLike {
  const guard = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw mapError(error);
    }
  };
  return {
    close: () => sqlite.close(),
    prepare: (sql) => {
      const statement = guard(() => sqlite.prepare(sql));
      return {
        reader: statement.reader,
        all: (parameters) => guard(() => statement.all(parameters)),
        run: (parameters) => guard(() => statement.run(parameters)),
        iterate: (parameters) => guard(() => statement.iterate(parameters)),
      };
    },
  };
}

function openPostgres(location: DatabaseLocation, options: OpenOptions): OpenDatabase {
  const { Pool, types } = require('pg') as typeof pg;
  const where = describeStore(location);
  const { pool, abandon } = createTimedPool(
    Pool,
    {
      connectionString: location.target,
      max: 10,
      // mxops's statements are small; a parallel plan gains nothing, and parallel workers have failed
      // to find a schema named in search_path ("schema ... does not exist", seen in CI on a busy catalog).
      options: [
        `-c max_parallel_workers_per_gather=0`,
        ...(location.schema !== undefined ? [`-c search_path=${quoteIdentifier(location.schema)}`] : []),
      ].join(' '),
      // Times are epoch milliseconds in BIGINT columns; pg returns int8 as a string to be safe
      // beyond 2^53, which these values never reach.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID
            ? (value: string) => Number(value)
            : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
      },
    },
    where,
    options.timeouts ?? DEFAULT_STORE_TIMEOUTS,
  );
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...queryLog(options) });
  return { db, dialect: 'postgres', schema: location.schema ?? 'public', where, close: () => db.destroy(), abandon };
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new AppError('BAD_CONFIG', `not a plain schema name: ${name}`);
  return name;
}
