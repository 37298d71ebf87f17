/**
 * The store's failures as people need them: which store (never its password), and what timed out
 * or went away, with the setting that governs it. Everything else (a constraint, a bad query) is
 * the caller's business and passes through unchanged.
 */
import { AppError } from '../errors.js';
import { redactUrl } from '../redact-url.js';
import type { DatabaseLocation } from './database-location.js';

/** "PostgreSQL at db.internal:5432/mxops" or "SQLite at ./data/mxops.sqlite". */
export function describeStore(location: DatabaseLocation): string {
  if (location.dialect === 'sqlite') return `SQLite at ${location.target}`;
  try {
    const url = new URL(location.target);
    // A socket directory or several hosts given in the query: the URL's own text, redacted, says more.
    if (url.hostname !== '')
      return `PostgreSQL at ${url.hostname}:${url.port || '5432'}/${decodeURIComponent(url.pathname.slice(1)) || url.username || 'postgres'}`;
  } catch {
    // Not a WHATWG URL (pg reads more forms): fall through to the redacted text.
  }
  return `PostgreSQL at ${redactUrl(location.target)}`;
}

export interface StoreTimeouts {
  readonly connectMs: number;
  readonly statementMs: number;
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

// Socket errors: the server went away or cannot be reached.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
]);

/** pg gives its own time-outs and lost connections no code, only these messages. */
const PG_CONNECT_TIMEOUT = new Set([
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
]);
const PG_QUERY_TIMEOUT = 'Query read timeout';
const PG_LOST = /^Connection terminated( unexpectedly)?$/;

/** An error from getting a PostgreSQL connection, as a STORE_UNAVAILABLE naming the store. */
export function postgresConnectError(error: unknown, where: string, timeouts: StoreTimeouts): AppError {
  const message = error instanceof Error ? error.message : String(error);
  if (PG_CONNECT_TIMEOUT.has(message)) {
    return new AppError(
      'STORE_UNAVAILABLE',
      `${where}: no connection within ${seconds(timeouts.connectMs)} (MXOPS_DB_CONNECT_TIMEOUT_MS); is it up and answering?`,
      { cause: error },
    );
  }
  return new AppError('STORE_UNAVAILABLE', `${where}: cannot connect: ${redactUrl(message)}`, { cause: error });
}

/**
 * A statement's error: a time-out or a lost connection becomes a STORE_UNAVAILABLE naming the store;
 * anything else is returned as it is.
 */
export function postgresStatementError(error: unknown, where: string, timeouts: StoreTimeouts): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (error.message === PG_QUERY_TIMEOUT) {
    return new AppError(
      'STORE_UNAVAILABLE',
      `${where}: a statement got no answer within ${seconds(timeouts.statementMs)} (MXOPS_DB_STATEMENT_TIMEOUT_MS)`,
      { cause: error },
    );
  }
  // 57014: query_canceled, which statement_timeout raises (the text is in the server's language).
  if (code === '57014') {
    return new AppError(
      'STORE_UNAVAILABLE',
      `${where}: a statement was cancelled (the limit is ${seconds(timeouts.statementMs)}, MXOPS_DB_STATEMENT_TIMEOUT_MS): ${error.message}`,
      { cause: error },
    );
  }
  // 08: connection exceptions; 57P: the server is shutting down or restarting.
  if (
    PG_LOST.test(error.message) ||
    (typeof code === 'string' && (NETWORK_CODES.has(code) || /^(08|57P)/.test(code)))
  ) {
    return new AppError('STORE_UNAVAILABLE', `${where}: the connection was lost: ${error.message}`, { cause: error });
  }
  return error;
}

/** SQLite's "database is locked" after the busy timeout, naming the file and the setting. */
export function sqliteError(error: unknown, where: string, timeouts: StoreTimeouts): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new AppError(
      'STORE_UNAVAILABLE',
      `${where}: another process held the database for more than ${seconds(timeouts.connectMs)} (MXOPS_DB_CONNECT_TIMEOUT_MS): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return error;
}
