/**
 * `mxops check a.example b.example ...` and `--from-file <file>`: many targets in one process,
 * checked concurrently (at most `concurrency` at once), each report written as soon as every one
 * before it is, so the output is in input order whatever finishes first. The exit status is the
 * worst of them: 2 when a target was not a valid domain or address, else 1 when any fails.
 */
import type { DiagnosisReport } from '../src/diagnosis/diagnose.js';
import { reportToJson } from '../src/diagnosis/report-json.js';
import { AppError, isAppError } from '../src/errors.js';
import { runCheckCommand, type CheckCommandDeps, type CheckCommandInput } from './check.js';

export interface CheckManyInput extends Omit<CheckCommandInput, 'domain'> {
  readonly targets: readonly string[];
  readonly concurrency: number;
}

export interface CheckManyResult {
  readonly exitCode: 0 | 1 | 2;
  /** The reports of the targets that could be checked, in input order, for `mxops history`. */
  readonly reports: readonly DiagnosisReport[];
}

/**
 * The targets of a list file: one per line; blank lines and lines starting with '#' are skipped,
 * and so is anything after a '#' (a comment at the end of a line).
 */
export function readTargetList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
}

export async function runCheckMany(
  input: CheckManyInput,
  deps: CheckCommandDeps,
  write: (text: string) => void,
): Promise<CheckManyResult> {
  if (input.targets.length === 0)
    throw new AppError(
      'BAD_INPUT',
      'no domain to check: name one or more, or give a file with one per line (--from-file)',
    );
  const { targets, concurrency, ...options } = input;
  const outcomes: (Outcome | undefined)[] = targets.map(() => undefined);
  let written = 0;
  // Writes every finished outcome that has nothing unwritten before it.
  const flush = (): void => {
    for (let next = outcomes[written]; next !== undefined; next = outcomes[written]) {
      write(next.text);
      written++;
    }
  };
  let started = 0;
  const worker = async (): Promise<void> => {
    for (let i = started++; i < targets.length; i = started++) {
      outcomes[i] = await checkOne(targets[i] ?? '', options, deps);
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  const done = outcomes.filter((o): o is Outcome => o !== undefined);
  const exitCode = done.reduce<0 | 1 | 2>((worst, o) => (o.exitCode > worst ? o.exitCode : worst), 0);
  return { exitCode, reports: done.flatMap((o) => (o.report ? [o.report] : [])) };
}

interface Outcome {
  readonly text: string;
  readonly exitCode: 0 | 1 | 2;
  readonly report?: DiagnosisReport;
}

/** One target's report (a JSON line with --json), or its error; a bad target does not stop the others. */
async function checkOne(
  target: string,
  options: Omit<CheckCommandInput, 'domain'>,
  deps: CheckCommandDeps,
): Promise<Outcome> {
  try {
    const result = await runCheckCommand({ ...options, domain: target, json: false }, deps);
    const text = options.json
      ? `${JSON.stringify({ target, ...(reportToJson(result.report) as Record<string, unknown>) })}\n`
      : `${result.output}\n`;
    return { text, exitCode: result.exitCode, report: result.report };
  } catch (error) {
    if (!isAppError(error, 'BAD_INPUT')) throw error;
    return {
      text: options.json
        ? `${JSON.stringify({ target, error: error.message })}\n`
        : `${target}: not checked: ${error.message}\n\n`,
      exitCode: 2,
    };
  }
}
