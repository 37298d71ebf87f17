/** `mxops audit verify|checkpoint|export`: the hash-chained audit log, checked, pinned down and read out. */
import type { Clock } from '../src/clock.js';
import { stringify } from 'csv-stringify/sync';
import { defuseFormulaCell } from '../src/csv-formula-cells.js';
import { AppError } from '../src/errors.js';
import { parseSince } from './since.js';
import type { OpenDatabase } from '../src/store/database.js';
import type { AuditCheckpointer } from '../src/store/audit-checkpointer.js';
import {
  describeCheckpoint,
  formatCheckpointLine,
  keptCheckpoint,
  parseKeptCheckpoint,
  readCheckpointFile,
} from '../src/store/audit-checkpoints.js';
import { type AuditKeyring, NO_AUDIT_KEYS } from '../src/store/audit-keys.js';
import { readAuditLog } from '../src/store/audit-log.js';
import { verifyAuditLog } from '../src/store/audit-verify.js';

export interface AuditVerifyInput {
  /** `<seq>:<hash>` pairs a person kept (from audit verify, audit checkpoint or the audit channel). */
  readonly checkpoints?: readonly string[];
}

export interface AuditVerifyDeps {
  readonly store: OpenDatabase;
  readonly keyring?: AuditKeyring;
  /** MXOPS_AUDIT_CHECKPOINT_FILE: its checkpoints are compared too. */
  readonly checkpointFile?: string | undefined;
  /** What the verdict does not cover (no key, no checkpoint), for standard error. */
  readonly note?: (text: string) => void;
}

export async function runAuditVerify(
  deps: AuditVerifyDeps,
  input: AuditVerifyInput = {},
): Promise<{ output: string; exitCode: number }> {
  const kept = (input.checkpoints ?? []).map(parseKeptCheckpoint);
  const file = deps.checkpointFile === undefined ? undefined : await readCheckpointFile(deps.checkpointFile);
  const keyring = deps.keyring ?? NO_AUDIT_KEYS;
  const verdict = await verifyAuditLog(deps.store.db, {
    keyring,
    checkpoints: [...kept, ...(file?.checkpoints ?? [])],
  });
  const note = deps.note ?? (() => undefined);
  if (file?.missing)
    note(
      `no checkpoint file at ${deps.checkpointFile} yet (MXOPS_AUDIT_CHECKPOINT_FILE): run mxops audit checkpoint to start one`,
    );
  if (file !== undefined && file.unreadable.length > 0)
    note(
      `${deps.checkpointFile}: line${file.unreadable.length === 1 ? '' : 's'} ${file.unreadable.join(', ')} ${file.unreadable.length === 1 ? 'is' : 'are'} not a checkpoint and ${file.unreadable.length === 1 ? 'was' : 'were'} skipped`,
    );
  if (!verdict.ok) {
    return {
      output: `audit log BROKEN at entry ${verdict.brokenAt}: ${verdict.problem} (entries 1-${verdict.entries} verify)\n`,
      exitCode: 1,
    };
  }
  if (keyring.current === undefined)
    note(
      'MXOPS_AUDIT_KEY is not set: a plain hash chain, which anyone who can write the database can rewrite and re-hash; only checkpoints kept elsewhere show that',
    );
  if (verdict.checkpoint === undefined)
    note(
      'no checkpoint to compare with: entries cut off the end, a wiped log or a rewrite would not show (set MXOPS_AUDIT_CHECKPOINT_FILE, or pass --checkpoint <seq>:<hash>)',
    );
  // The head line stays first and alone on it: scripts and people keep `<seq>:<hash>` from it.
  const lines = [`audit log intact: ${verdict.entries} entries, head ${verdict.headHash}`];
  if (verdict.keyIds.length > 0)
    lines.push(
      `keyed: ${verdict.plainEntries > 0 ? `entries 1-${verdict.plainEntries} plain (before a key was set), the rest` : 'every entry'} MACed under key ${verdict.keyIds.join(', then ')}`,
    );
  if (verdict.checkpoint !== undefined)
    lines.push(
      `matches ${describeCheckpoint(verdict.checkpoint)} at entry ${verdict.checkpoint.seq}${verdict.entries > verdict.checkpoint.seq ? `; entries ${verdict.checkpoint.seq + 1}-${verdict.entries} are newer than any checkpoint` : ''}`,
    );
  return { output: `${lines.join('\n')}\n`, exitCode: 0 };
}

/**
 * `mxops audit checkpoint`: checkpoints the head now (file and audit channel, as configured) and
 * prints it, for cron and for people who keep their own copy.
 */
export async function runAuditCheckpoint(deps: {
  readonly store: OpenDatabase;
  readonly checkpointer: AuditCheckpointer;
}): Promise<{ output: string; errors: string; exitCode: number }> {
  const taken = await deps.checkpointer.checkpointNow(deps.store, 'cli');
  const output = `${formatCheckpointLine(taken.head, taken.at)}keep: --checkpoint ${keptCheckpoint(taken.head)}\n`;
  return {
    output,
    errors: taken.failures.map((failure) => `mxops: ${failure}\n`).join(''),
    exitCode: taken.failures.length > 0 ? 1 : 0,
  };
}

export interface AuditExportInput {
  readonly format?: string | undefined;
  /** An ISO date or time (2026-11-01, 2026-11-01T09:00Z), or a duration back from now (7d). */
  readonly since?: string | undefined;
}

const COLUMNS = ['seq', 'at', 'actor', 'action', 'system', 'surface', 'details', 'prev_hash', 'hash'] as const;

/** Writes the entries as they are read, a page at a time, so a long log never sits in memory whole. */
export async function runAuditExport(
  input: AuditExportInput,
  deps: { readonly store: OpenDatabase; readonly clock: Clock; readonly write: (text: string) => void },
): Promise<void> {
  const format = (input.format ?? 'json').toLowerCase();
  if (format !== 'json' && format !== 'csv')
    throw new AppError('BAD_INPUT', `unknown format "${input.format}": use json or csv`);
  const since = input.since === undefined ? undefined : parseSince(input.since, deps.clock.wallMs());
  if (format === 'csv') deps.write(stringify([COLUMNS as unknown as string[]]));
  else deps.write('[');
  let first = true;
  for await (const row of readAuditLog(deps.store.db, since === undefined ? {} : { since })) {
    // Times as ISO text; details exactly as hashed (canonical JSON), so the chain can be re-checked.
    const entry = { ...row, at: new Date(row.at).toISOString() };
    // An actor or system is whatever someone typed (`--as`, a chat identity): a spreadsheet must not
    // run it. The quote comes off again by the rule of csv-formula-cells.ts before re-hashing.
    if (format === 'csv')
      deps.write(stringify([COLUMNS.map((column) => defuseFormulaCell(String(entry[column] ?? '')))]));
    else deps.write(`${first ? '\n' : ',\n'}${JSON.stringify(entry)}`);
    first = false;
  }
  if (format === 'json') deps.write(first ? ']\n' : '\n]\n');
}
