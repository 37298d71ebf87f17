/** The inventory store (SQLite or PostgreSQL behind Kysely), for the commands that use it. */
import type { Config } from '../config.js';
import type { DiagnosisReport } from '../diagnosis/diagnose.js';
import { recordCheck, type CheckSource } from '../store/check-reports.js';
import { openDatabase, type OpenDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { closeWhenDone } from './closers.js';

export const DAY_MS = 86_400_000;

/** How long storing a report may hold up the end of a command. */
const RECORD_TIMEOUT_MS = 10_000;

/** Brought up to date on open, closed when the command ends. */
export async function openStore(config: Config): Promise<OpenDatabase> {
  const store = openDatabase(config.database);
  closeWhenDone(() => store.close());
  await migrateToLatest(store);
  return store;
}

/**
 * Keeps a report for `mxops history`. A store that cannot be reached costs the history, not the
 * check: the report is still printed, with a warning.
 */
export async function recordReport(config: Config, report: DiagnosisReport, source: CheckSource, store?: OpenDatabase): Promise<void> {
  const recording = (async () => recordCheck(store ?? (await openStore(config)), report, { source, at: new Date(), keepMs: config.checkHistoryDays * DAY_MS }))();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${RECORD_TIMEOUT_MS / 1000} s`)), RECORD_TIMEOUT_MS);
  });
  try {
    await Promise.race([recording, timeout]);
  } catch (error) {
    process.stderr.write(`mxops: the report was not stored for mxops history: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    clearTimeout(timer);
  }
}
