/** `mxops audit verify` and `mxops audit export`: the hash-chained audit log, checked and read out. */
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../src/errors.js';
import { parseSince } from './since.js';
import type { OpenDatabase } from '../src/store/database.js';
import { readAuditLog } from '../src/store/audit-log.js';
import { verifyAuditLog } from '../src/store/audit-verify.js';

export async function runAuditVerify(deps: { readonly store: OpenDatabase }): Promise<{ output: string; exitCode: number }> {
  const verdict = await verifyAuditLog(deps.store.db);
  if (verdict.ok) {
    // The head hash is what to keep elsewhere: compared later, it also shows entries cut off the end.
    return { output: `audit log intact: ${verdict.entries} entries, head ${verdict.headHash}\n`, exitCode: 0 };
  }
  return { output: `audit log BROKEN at entry ${verdict.brokenAt}: ${verdict.problem} (entries 1-${verdict.entries} verify)\n`, exitCode: 1 };
}

export interface AuditExportInput {
  readonly format?: string | undefined;
  /** An ISO date or time (2026-11-01, 2026-11-01T09:00Z), or a duration back from now (7d). */
  readonly since?: string | undefined;
}

const COLUMNS = ['seq', 'at', 'actor', 'action', 'system', 'surface', 'details', 'prev_hash', 'hash'] as const;

/** Writes the entries as they are read, a page at a time, so a long log never sits in memory whole. */
export async function runAuditExport(input: AuditExportInput, deps: { readonly store: OpenDatabase; readonly now: () => number; readonly write: (text: string) => void }): Promise<void> {
  const format = (input.format ?? 'json').toLowerCase();
  if (format !== 'json' && format !== 'csv') throw new AppError('BAD_INPUT', `unknown format "${input.format}": use json or csv`);
  const since = input.since === undefined ? undefined : parseSince(input.since, deps.now());
  if (format === 'csv') deps.write(stringify([COLUMNS as unknown as string[]]));
  else deps.write('[');
  let first = true;
  for await (const row of readAuditLog(deps.store.db, since === undefined ? {} : { since })) {
    // Times as ISO text; details exactly as hashed (canonical JSON), so the chain can be re-checked.
    const entry = { ...row, at: new Date(row.at).toISOString() };
    if (format === 'csv') deps.write(stringify([COLUMNS.map((column) => entry[column] ?? '')]));
    else deps.write(`${first ? '\n' : ',\n'}${JSON.stringify(entry)}`);
    first = false;
  }
  if (format === 'json') deps.write(first ? ']\n' : '\n]\n');
}
