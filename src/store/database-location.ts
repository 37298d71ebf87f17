/**
 * Where the store is (DATABASE_URL, MXOPS_DATA_DIR), apart from database.ts, which opens it:
 * config.ts needs the location on every command, the drivers (better-sqlite3, pg, Kysely) only
 * the commands that use the store.
 */
import { AppError } from '../errors.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface DatabaseLocation {
  readonly dialect: StoreDialect;
  /** SQLite: a file path (or ':memory:'); PostgreSQL: the connection URL. */
  readonly target: string;
  /** PostgreSQL only: the schema to use instead of public (tests give each suite its own). */
  readonly schema?: string;
}

/**
 * `DATABASE_URL` forms: postgres://... or postgresql://... for PostgreSQL; sqlite:<path> or a
 * plain path for SQLite. Unset: `<dataDir>/mxops.sqlite`.
 */
export function databaseLocation(url: string | undefined, dataDir: string): DatabaseLocation {
  if (url === undefined || url.trim() === '')
    return { dialect: 'sqlite', target: `${dataDir.replace(/\/+$/, '')}/mxops.sqlite` };
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', target: trimmed };
  if (/^sqlite:/i.test(trimmed)) {
    const path = trimmed.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '')
      throw new AppError('BAD_CONFIG', '"sqlite:" names no file: use sqlite:./data/mxops.sqlite or a postgres:// URL');
    return { dialect: 'sqlite', target: path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new AppError(
      'BAD_CONFIG',
      `the scheme is not supported: use postgres://... or sqlite:<file> (got ${trimmed.split(':')[0]}:)`,
    );
  }
  return { dialect: 'sqlite', target: trimmed };
}
