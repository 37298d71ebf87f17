/**
 * A store that is down or hung fails with a clear error in bounded time (issue 15, point 4):
 * real PostgreSQL, reached directly or through a stand-in port that can refuse, or accept and
 * never answer; real SQLite with a second connection holding the write lock. Time-outs are set
 * low here; every wait is budgeted from them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { openDatabase, type OpenDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { startStandInPort, type StandInPort } from '../support/stand-in-port.js';
import { POSTGRES_TEST_URL } from '../support/test-database.js';
import { until } from '../support/wait.js';

const TIMEOUTS = { connectMs: 400, statementMs: 600 };
/** pg's own limit on a statement that gets no answer: the server's, plus the grace in postgres-pool.ts. */
const CLIENT_STATEMENT_MS = TIMEOUTS.statementMs + 2_000;
/** For waits that must end on a time-out: the time-out, with room for a loaded machine (never a tight bound). */
const within = (ms: number): number => ms * 5 + 3_000;

const real = new URL(POSTGRES_TEST_URL);
const postgresAt = (port: number, password = ''): string =>
  `postgres://${real.username || 'postgres'}${password ? `:${password}` : ''}@127.0.0.1:${port}${real.pathname}`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; error: unknown; value?: T }> {
  const started = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - started, error: undefined, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe('store time-outs on PostgreSQL', () => {
  const opened: OpenDatabase[] = [];
  const standIns: StandInPort[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await Promise.all(standIns.splice(0).map((port) => port.close()));
  });
  const open = (target: string): OpenDatabase => {
    const store = openDatabase({ dialect: 'postgres', target }, { timeouts: TIMEOUTS });
    opened.push(store);
    return store;
  };
  const standIn = async (mode: 'forward' | 'silent' | 'refuse'): Promise<StandInPort> => {
    const port = await startStandInPort(mode, { host: real.hostname, port: Number(real.port || 5432) });
    standIns.push(port);
    return port;
  };

  it(
    'fails after the connect time-out against a server that accepts and never answers, naming the store and the setting, never the password',
    async () => {
      const silent = await standIn('silent');
      const store = open(postgresAt(silent.port, 'hunter2-secret'));
      const { ms, error } = await timed(() => migrateToLatest(store));
      expect(isAppError(error, 'STORE_UNAVAILABLE')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(
        `PostgreSQL at 127.0.0.1:${silent.port}${real.pathname}: no connection within 0.4 s (MXOPS_DB_CONNECT_TIMEOUT_MS)`,
      );
      expect(message).not.toContain('hunter2');
      expect(silent.accepted()).toBeGreaterThan(0);
      expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.connectMs - 50);
      // Closing a store whose server never answers does not wait for a goodbye that never comes.
      const closing = await timed(() => store.close());
      expect(closing.error).toBeUndefined();
    },
    within(TIMEOUTS.connectMs) * 2,
  );

  it(
    'fails at once, with the cause, when the port is refused',
    async () => {
      const refused = await standIn('refuse');
      const { error } = await timed(() => sql`select 1`.execute(open(postgresAt(refused.port)).db));
      expect(isAppError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`^PostgreSQL at 127\\.0\\.0\\.1:${refused.port}/\\w+: cannot connect: .*ECONNREFUSED`),
      );
    },
    within(TIMEOUTS.connectMs),
  );

  it(
    'has the server cancel a statement past the statement time-out, and keeps working after',
    async () => {
      const store = open(POSTGRES_TEST_URL);
      const { ms, error } = await timed(() =>
        sql`select pg_sleep(${(TIMEOUTS.statementMs * 20) / 1000})`.execute(store.db),
      );
      expect(isAppError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toMatch(
        /^PostgreSQL at .+: a statement was cancelled \(the limit is 0\.6 s, MXOPS_DB_STATEMENT_TIMEOUT_MS\)/,
      );
      expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.statementMs - 50);
      expect(ms).toBeLessThan(TIMEOUTS.statementMs * 20);
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(store.db);
      expect(rows).toEqual([{ one: 1 }]);
    },
    within(TIMEOUTS.statementMs) * 2,
  );

  it(
    'gives up on a statement the server never answers (hung mid-connection), drops that connection, and works again when the server is back',
    async () => {
      const port = await standIn('forward');
      const store = open(postgresAt(port.port));
      await sql`select 1`.execute(store.db);
      await port.set('silent');
      const { ms, error } = await timed(() => sql`select 2`.execute(store.db));
      expect(isAppError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toBe(
        `PostgreSQL at 127.0.0.1:${port.port}${real.pathname}: a statement got no answer within 0.6 s (MXOPS_DB_STATEMENT_TIMEOUT_MS)`,
      );
      expect(ms).toBeGreaterThanOrEqual(CLIENT_STATEMENT_MS - 50);
      await port.set('forward');
      const { rows } = await sql<{ three: number }>`select 3 as three`.execute(store.db);
      expect(rows).toEqual([{ three: 3 }]);
    },
    within(CLIENT_STATEMENT_MS) + within(TIMEOUTS.connectMs),
  );

  it(
    'closes within the connect time-out when the server hangs with a statement running, failing that statement',
    async () => {
      const port = await standIn('forward');
      const store = open(postgresAt(port.port));
      await sql`select 1`.execute(store.db);
      await port.set('silent');
      const hung = sql`select 4`.execute(store.db).catch((error: unknown) => error);
      await until('the statement on its way', () => port.heldBytes() > 0);
      const closing = await timed(() => store.close());
      expect(closing.error).toBeUndefined();
      expect(closing.ms).toBeGreaterThanOrEqual(TIMEOUTS.connectMs - 50);
      const error = await hung;
      expect(isAppError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toMatch(/: the connection was lost: /);
    },
    within(TIMEOUTS.connectMs),
  );

  it(
    'lets go of a hung server at once on abandon(), for a command that has stopped waiting',
    async () => {
      const port = await standIn('forward');
      const store = open(postgresAt(port.port));
      await sql`select 1`.execute(store.db);
      await port.set('silent');
      const hung = timed(() => sql`select 5`.execute(store.db));
      await until('the statement on its way', () => port.heldBytes() > 0);
      store.abandon();
      const { ms, error } = await hung;
      expect(isAppError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect(ms).toBeLessThan(TIMEOUTS.connectMs);
    },
    within(TIMEOUTS.connectMs),
  );
});

describe('store time-outs on SQLite', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    "waits for another process's write lock up to the busy time-out, then fails naming the file and the setting",
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'mxops-busy-'));
      const file = join(dir, 'mxops.sqlite');
      const store = openDatabase({ dialect: 'sqlite', target: file }, { timeouts: TIMEOUTS });
      await sql`create table scratch (x integer)`.execute(store.db);
      const other = new Sqlite(file);
      other.exec('begin immediate');
      try {
        const { ms, error } = await timed(() => sql`insert into scratch (x) values (1)`.execute(store.db));
        expect(isAppError(error, 'STORE_UNAVAILABLE')).toBe(true);
        expect((error as Error).message).toBe(
          `SQLite at ${file}: another process held the database for more than 0.4 s (MXOPS_DB_CONNECT_TIMEOUT_MS): database is locked`,
        );
        expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.connectMs - 50);
      } finally {
        other.exec('rollback');
        other.close();
        await store.close();
      }
    },
    within(TIMEOUTS.connectMs),
  );
});
