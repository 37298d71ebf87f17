/**
 * pg's Pool as Kysely's PostgresDialect sees it, with the time-outs a hung server needs: a
 * PostgreSQL that accepts TCP and never answers would otherwise hold every command for ever.
 *
 * - connect: pg's connectionTimeoutMillis (also the wait for a free pooled connection);
 * - statement: statement_timeout makes the server cancel a long statement itself; query_timeout
 *   is the client's own limit, a little later, for a server that cannot answer even that. A
 *   connection whose statement got no answer is dropped, not handed to the next caller;
 * - end: a server that never answers never closes a connection either, so ending the pool waits
 *   a bounded time and then destroys the sockets (pg would wait for the server's goodbye).
 */
import net from 'node:net';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { postgresConnectError, postgresStatementError, type StoreTimeouts } from './store-errors.js';

/** How much later than the server's statement_timeout the client gives up on its own. */
const CLIENT_GRACE_MS = 2_000;

export interface TimedPool {
  /** For PostgresDialect; its end() waits at most the connect time-out for connections to close politely. */
  readonly pool: PostgresPool;
  /** Destroys every connection now (a command that has stopped waiting for the store). */
  abandon(): void;
}

export function createTimedPool(
  Pool: typeof pg.Pool,
  config: pg.PoolConfig,
  where: string,
  timeouts: StoreTimeouts,
): TimedPool {
  const sockets = new Set<net.Socket>();
  const pool = new Pool({
    ...config,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.statementMs + CLIENT_GRACE_MS,
    // A connection idle behind a NAT or firewall is noticed dead before it is used.
    keepAlive: true,
    // Our own sockets, so that abandon() can reach connections pg would end politely (and wait).
    stream: () => {
      const socket = new net.Socket();
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      return socket;
    },
  });
  // An idle connection that dies (a server restart) is reported here; without a listener Node
  // would end the process. The pool drops it and the next query opens a fresh one.
  pool.on('error', () => undefined);
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let broken = false;
    // The pool listens for errors on idle connections only: one lost while checked out (its
    // statement fails with it) would otherwise be an uncaught 'error' event.
    client.on('error', () => undefined);
    const query = ((sql: string, parameters: readonly unknown[]) =>
      client.query(sql, parameters as unknown[]).catch((error: unknown) => {
        const mapped = postgresStatementError(error, where, timeouts);
        // A statement that timed out may still be running, and a lost connection is gone: neither goes back to the pool.
        if (mapped !== error) broken = true;
        throw mapped;
      })) as unknown as PostgresPoolClient['query'];
    return {
      query,
      release: (destroy?: boolean) => {
        client.release(destroy === true || broken);
        broken = false;
      },
      get processID() {
        return (client as unknown as { processID?: number }).processID;
      },
    };
  };
  const abandon = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  // A server that does not close a connection in the time it had to open one is not going to.
  const end = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeouts.connectMs)));
    const ended = pool.end().then(() => 'ended' as const);
    ended.catch(() => undefined);
    try {
      if ((await Promise.race([ended, late])) === 'late') abandon();
    } finally {
      clearTimeout(timer);
    }
  };
  const kyselyPool: PostgresPool = {
    options: pool.options,
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw postgresConnectError(error, where, timeouts);
      }
      let kept = wrapped.get(client);
      if (kept === undefined) {
        kept = wrap(client);
        wrapped.set(client, kept);
      }
      return kept;
    },
    end,
  };
  return { pool: kyselyPool, abandon };
}
