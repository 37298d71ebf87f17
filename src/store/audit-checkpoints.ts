/**
 * Checkpoints: the audit log's head (sequence number and hash) kept outside the database, so that
 * cutting entries off the end, wiping the log or rewriting it with fresh hashes shows: the chain
 * alone cannot tell a log cut at entry 40 from one that was only ever 40 entries long.
 *
 * The file (MXOPS_AUDIT_CHECKPOINT_FILE) holds one checkpoint a line, `<ISO time> <seq> <hash>`,
 * and is only ever opened for appending ('a', O_APPEND): each line is one write, which the kernel
 * places at the end whoever else is appending, so replicas and cron can share it and no line
 * already written is touched. A person keeps one as `<seq>:<hash>` (`audit verify --checkpoint`).
 */
import { open, readFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { fileErrorWords } from '../file-error.js';
import { hashForm } from './audit-chain.js';
import type { AuditHead } from './audit-context.js';

export interface AuditCheckpoint extends AuditHead {
  /** When it was taken; unknown for one a person typed. */
  readonly at?: number;
  /** Where it was read from, to name it in a verdict. */
  readonly source: string;
}

export function formatCheckpointLine(head: AuditHead, at: number): string {
  return `${new Date(at).toISOString()} ${head.seq} ${head.hash}\n`;
}

/** `<seq>:<hash>`, as `audit verify` and a checkpoint post print it. */
export function keptCheckpoint(head: AuditHead): string {
  return `${head.seq}:${head.hash}`;
}

export function parseKeptCheckpoint(text: string): AuditCheckpoint {
  const match = /^(\d{1,15}):(.+)$/.exec(text.trim());
  if (match === null || hashForm(match[2]!) === undefined) {
    throw new AppError(
      'BAD_INPUT',
      `"${text.slice(0, 200)}" is not a checkpoint: give <seq>:<hash> as audit verify or audit checkpoint printed it (e.g. 42:9f86d0...)`,
    );
  }
  return { seq: Number(match[1]), hash: match[2]!, source: `--checkpoint ${match[1]}` };
}

export interface CheckpointFile {
  readonly checkpoints: readonly AuditCheckpoint[];
  /** Line numbers that are not checkpoints (a torn write, an edit): reported, not trusted. */
  readonly unreadable: readonly number[];
  /** The file does not exist (yet). */
  readonly missing: boolean;
}

export async function readCheckpointFile(path: string): Promise<CheckpointFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], unreadable: [], missing: true };
    throw new AppError(
      'BAD_CONFIG',
      `cannot read the audit checkpoint file ${path} (MXOPS_AUDIT_CHECKPOINT_FILE): ${fileErrorWords(error)}`,
    );
  }
  const checkpoints: AuditCheckpoint[] = [];
  const unreadable: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const checkpoint = parseCheckpointLine(line, `${path} line ${index + 1}`);
    if (checkpoint === undefined) unreadable.push(index + 1);
    else checkpoints.push(checkpoint);
  });
  return { checkpoints, unreadable, missing: false };
}

function parseCheckpointLine(line: string, source: string): AuditCheckpoint | undefined {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== 3) return undefined;
  const [time, seq, hash] = parts as [string, string, string];
  const at = Date.parse(time);
  if (!/^\d{4}-\d\d-\d\dT/.test(time) || Number.isNaN(at) || !/^\d{1,15}$/.test(seq) || hashForm(hash) === undefined)
    return undefined;
  return { at, seq: Number(seq), hash, source };
}

/** Appends one line, flushed to disk before returning: a checkpoint lost in a crash protects nothing. */
export async function appendCheckpointLine(path: string, head: AuditHead, at: number): Promise<void> {
  const file = await open(path, 'a', 0o640);
  try {
    await file.write(formatCheckpointLine(head, at));
    await file.datasync();
  } finally {
    await file.close();
  }
}

/** How a verdict names a checkpoint. */
export function describeCheckpoint(checkpoint: AuditCheckpoint): string {
  return checkpoint.at === undefined
    ? `the checkpoint given (${checkpoint.source})`
    : `the checkpoint of ${new Date(checkpoint.at).toISOString()} (${checkpoint.source})`;
}
