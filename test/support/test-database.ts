/**
 * Real databases for store tests: every suite runs against SQLite (a file in a fresh temp
 * directory) and PostgreSQL (a fresh schema in the `test` database, dropped afterwards).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type OpenDatabase, type OpenOptions, type StoreDialect } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export const POSTGRES_TEST_URL = process.env.MXOPS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const STORE_DIALECTS: readonly StoreDialect[] = ['sqlite', 'postgres'];

export interface TestDatabase extends OpenDatabase {
  /** Closes the connection and removes the file or schema. */
  drop(): Promise<void>;
  /** For a second process or connection onto the same data. */
  readonly location: { dialect: StoreDialect; target: string; schema?: string };
}

export async function openTestDatabase(
  dialect: StoreDialect,
  options: OpenOptions & { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const { database, location, remove } = dialect === 'sqlite' ? sqliteFile(options) : await postgresSchema(options);
  if (options.migrate ?? true) await migrateToLatest(database);
  return {
    ...database,
    location,
    async drop() {
      await database.close();
      await remove();
    },
  };
}

function sqliteFile(options: OpenOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'mxops-store-'));
  const location = { dialect: 'sqlite' as const, target: join(dir, 'mxops.sqlite') };
  return {
    database: openDatabase(location, options),
    location,
    remove: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

async function postgresSchema(options: OpenOptions) {
  const schema = `mxops_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await withAdmin((client) => client.query(`create schema ${schema}`));
  const location = { dialect: 'postgres' as const, target: POSTGRES_TEST_URL, schema };
  return {
    database: openDatabase(location, options),
    location,
    remove: () => withAdmin((client) => client.query(`drop schema ${schema} cascade`)),
  };
}

async function withAdmin(work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
