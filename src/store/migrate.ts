/**
 * Brings the schema up to date. Migrations live in code (not files found at run time), so the
 * built package and tsx runs see the same list, in order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
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

/** About how long a SQLite migration that lost a race waits before it looks again (jittered ±50%). */
const SQLITE_RETRY_MS = 20;

/** Applies every migration not applied yet; returns their names. Safe to run from several processes at once. */
export async function migrateToLatest(store: OpenDatabase): Promise<string[]> {
  const migrations = migrationsFor(store);
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  // Kysely looks for its migration tables in every schema unless told which: another schema's
  // tables (another mxops, or a parallel test) would pass for ours.
  const migrator = new Migrator({
    db: store.db,
    provider,
    ...(store.schema !== undefined ? { migrationTableSchema: store.schema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely takes no migration lock on SQLite (its adapter skips it): two processes opening a new
  // store at once can both start a migration, and the later one fails on the tables the first has
  // just made ("table ... already exists"). Asked again, it finds that migration recorded.
  // Each try gets at least one migration further while the other process is at work, so one try
  // per migration is enough; a real failure fails every time and is reported below.
  const tries = Object.keys(migrations).length + 1;
  for (let attempt = 1; error !== undefined && store.dialect === 'sqlite' && attempt < tries; attempt++) {
    // Apart, so the two do not collide again on the next migration.
    await sleep(SQLITE_RETRY_MS * (0.5 + Math.random()));
    ({ error, results } = await migrator.migrateToLatest());
  }
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
