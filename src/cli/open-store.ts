/** The inventory store (SQLite or PostgreSQL behind Kysely), for the commands that use it. */
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { DiagnosisReport } from '../diagnosis/diagnose.js';
import { attachAudit } from '../store/audit-attach.js';
import { recordCheck, type CheckSource } from '../store/check-reports.js';
import { openDatabase, type OpenDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { Lifecycle } from './lifecycle.js';

export const DAY_MS = 86_400_000;

const RECORD_GRACE_MS = 1_000;

/** Opened with the configured time-outs and closed when the command ends; not yet migrated. */
function openConfigured(config: Config, lifecycle: Lifecycle): OpenDatabase {
  const store = openDatabase(config.database, { timeouts: config.databaseTimeouts });
  lifecycle.own('the store', () => store.close());
  return store;
}

/** Brought up to date on open, closed when the command ends. A store that cannot be reached fails here, naming it. */
export async function openStore(config: Config, lifecycle: Lifecycle): Promise<OpenDatabase> {
  const store = openConfigured(config, lifecycle);
  await migrateToLatest(store);
  // Keyed entries and checkpoints for every change made through this store (README, "The audit log").
  const checkpoints = attachAudit(store, config.audit, {
    clock: systemClock,
    onError: (error) => void process.stderr.write(`mxops: ${error.message}\n`),
  });
  // Owned after the store, so closed before it: the last checkpoints are written while it is open.
  lifecycle.own('the audit checkpoints', () => checkpoints.settled());
  return store;
}

/**
 * Keeps a report for `mxops history`, in `into`: the bot's own store, or one opened here for the
 * purpose (and closed with the command) when given the command's lifecycle. A store that cannot
 * be reached costs the history, not the check: the report is already out, so this waits about the
 * connect time-out (a healthy store stores a report in milliseconds), then says in one line that
 * the history was not saved. A store opened here is then dropped at once, so it cannot hold the
 * process either; a shared one (the bot's) is left to its owner.
 */
export async function recordReport(
  config: Config,
  report: DiagnosisReport | readonly DiagnosisReport[],
  source: CheckSource,
  into: OpenDatabase | Lifecycle,
): Promise<void> {
  // The reports of one run (`mxops check a b c`) share one store, opened and migrated once.
  const reports: readonly DiagnosisReport[] = Array.isArray(report) ? report : [report as DiagnosisReport];
  const shared = into instanceof Lifecycle ? undefined : into;
  const store = shared ?? openConfigured(config, into as Lifecycle);
  // A beat past the connect time-out, so that the store's own error (which says what timed out) is the one given.
  const waitMs = config.databaseTimeouts.connectMs + RECORD_GRACE_MS;
  const recording = (async () => {
    if (shared === undefined) await migrateToLatest(store);
    for (const one of reports)
      await recordCheck(store, one, {
        source,
        at: new Date(systemClock.wallMs()),
        keepMs: config.checkHistoryDays * DAY_MS,
      });
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`${store.where} did not store it within ${waitMs / 1000} s (MXOPS_DB_CONNECT_TIMEOUT_MS)`)),
      waitMs,
    );
  });
  try {
    await Promise.race([recording, timeout]);
  } catch (error) {
    recording.catch(() => undefined);
    if (shared === undefined) store.abandon();
    process.stderr.write(`mxops: warning: the report was not saved for mxops history: ${oneLine(error)}\n`);
  } finally {
    clearTimeout(timer);
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}
