/**
 * Brings the schema up to date. Migrations live in code (not files found at run time), so the
 * built package and tsx runs see the same list, in order.
 */
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { AppError } from '../errors.js';
import type { OpenDatabase } from './database.js';
import { inventoryMigration } from './migrations/0001-inventory.js';
import * as nagDeliveries from './migrations/0002-nag-deliveries.js';
import { outageRequestsMigration } from './migrations/0003-outage-requests.js';
import * as outageSteps from './migrations/0004-outage-steps.js';
import { checkReportsMigration } from './migrations/0005-check-reports.js';
import * as nagDirectMessages from './migrations/0006-nag-direct-messages.js';

function migrationsFor(store: OpenDatabase): Record<string, Migration> {
  return {
    '0001-inventory': inventoryMigration(store.dialect),
    '0002-nag-deliveries': nagDeliveries,
    '0003-outage-requests': outageRequestsMigration(store.dialect),
    '0004-outage-steps': outageSteps,
    '0005-check-reports': checkReportsMigration(store.dialect),
    '0006-nag-direct-messages': nagDirectMessages,
  };
}

/** Applies every migration not applied yet; returns their names. Safe to run from several replicas at once. */
export async function migrateToLatest(store: OpenDatabase): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrationsFor(store)) };
  // Kysely looks for its migration tables in every schema unless told which: another schema's
  // tables (another mxops, or a parallel test) would pass for ours.
  const migrator = new Migrator({
    db: store.db,
    provider,
    ...(store.schema !== undefined ? { migrationTableSchema: store.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const why = error instanceof Error ? error.message : String(error);
    // No migration named: none ran, so the store itself could not be reached or read.
    throw new AppError(
      'STORE_UNAVAILABLE',
      failed !== undefined
        ? `database migration ${failed} failed on ${store.where}: ${why}`
        : why.includes(store.where)
          ? why
          : `cannot open ${store.where}: ${why}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
