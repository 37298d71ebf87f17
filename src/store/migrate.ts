/**
 * Brings the schema up to date. Migrations live in code (not files found at run time), so the
 * built package and tsx runs see the same list, in order.
 */
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { AppError } from '../errors.js';
import type { OpenDatabase } from './database.js';
import { inventoryMigration } from './migrations/0001-inventory.js';

function migrationsFor(store: OpenDatabase): Record<string, Migration> {
  return {
    '0001-inventory': inventoryMigration(store.dialect),
  };
}

/** Applies every migration not applied yet; returns their names. Safe to run from several replicas at once. */
export async function migrateToLatest(store: OpenDatabase): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrationsFor(store)) };
  const { error, results } = await new Migrator({ db: store.db, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new AppError('STORE_UNAVAILABLE', `database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
