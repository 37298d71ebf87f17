/**
 * Every mail check's report, kept so a later check can say what changed since the partner's mail
 * last worked. Reports are stored as the `--json` document (an interface that only grows), so an
 * old row reads back whatever version wrote it; deflated, since they repeat themselves a lot.
 */
import type { DiagnosisReport } from '../diagnosis/diagnose.js';
import { STATUSES, type Status } from '../diagnosis/finding.js';
import { NO_OBSERVATIONS } from '../diagnosis/observations.js';
import { reportToJson } from '../diagnosis/report-json.js';
import { deflateSync, inflateSync } from 'node:zlib';
import type { Selectable } from 'kysely';
import type { OpenDatabase } from './database.js';
import type { CheckReportsTable } from './schema.js';

export type CheckSource = 'cli' | 'chat' | 'watch' | 'bounce';

export interface StoredCheck {
  readonly id: number;
  readonly domain: string;
  readonly checkedAt: Date;
  readonly status: Status;
  readonly source: CheckSource;
  readonly report: DiagnosisReport;
}

export interface RecordOptions {
  readonly source: CheckSource;
  readonly at: Date;
  /** Reports of the domain older than this (ms before `at`) are deleted. */
  readonly keepMs: number;
}

/** Stores a report and deletes every report past the retention (of any domain); returns the new row's id. */
export async function recordCheck(
  store: OpenDatabase,
  report: DiagnosisReport,
  options: RecordOptions,
): Promise<number> {
  const at = options.at.getTime();
  const row = await store.db
    .insertInto('check_reports')
    .values({
      domain: report.domain,
      checked_at: at,
      status: report.status,
      source: options.source,
      report: deflateSync(JSON.stringify(reportToJson(report))),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await store.db
    .deleteFrom('check_reports')
    .where('checked_at', '<', at - options.keepMs)
    .execute();
  return Number(row.id);
}

/** The domain's stored checks, newest first. */
export async function listChecks(store: OpenDatabase, domain: string, limit: number): Promise<StoredCheck[]> {
  const rows = await store.db
    .selectFrom('check_reports')
    .selectAll()
    .where('domain', '=', domain)
    .orderBy('checked_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(storedCheck);
}

export async function findCheck(store: OpenDatabase, id: number): Promise<StoredCheck | undefined> {
  const row = await store.db.selectFrom('check_reports').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? storedCheck(row) : undefined;
}

function storedCheck(row: Selectable<CheckReportsTable>): StoredCheck {
  const parsed = JSON.parse(inflateSync(row.report).toString('utf8')) as Partial<DiagnosisReport>;
  const report: DiagnosisReport = {
    domain: row.domain,
    recipient: parsed.recipient ?? `postmaster@${row.domain}`,
    status: STATUSES.includes(row.status as Status) ? (row.status as Status) : 'error',
    durationMs: parsed.durationMs ?? 0,
    findings: parsed.findings ?? [],
    senders: parsed.senders ?? [],
    timings: parsed.timings ?? [],
    queriesSent: parsed.queriesSent ?? 0,
    observations: parsed.observations ?? NO_OBSERVATIONS,
  };
  return {
    id: Number(row.id),
    domain: row.domain,
    checkedAt: new Date(Number(row.checked_at)),
    status: report.status,
    source: row.source as CheckSource,
    report,
  };
}
