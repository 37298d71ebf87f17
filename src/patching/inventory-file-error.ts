/**
 * How a rejected inventory file is reported: every problem found, each with its line, so one
 * round of fixes is enough. Callers branch on `code` (BAD_INPUT) or on `problems`, never on the text.
 */
import { AppError } from '../errors.js';

export interface InventoryProblem {
  /** 1-based file line; 0 when the problem is about the whole file (size, encoding). */
  readonly line: number;
  /** Field path as the user wrote it (`systems[2].criticality`, `owner`); '' for none. */
  readonly field: string;
  readonly message: string;
}

/** A chat message or a terminal can show this many; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 50;

export class InventoryFileError extends AppError {
  readonly source: string;
  readonly problems: readonly InventoryProblem[];

  constructor(source: string, problems: readonly InventoryProblem[]) {
    super('BAD_INPUT', describeProblems(source, problems));
    this.name = 'InventoryFileError';
    this.source = source;
    this.problems = problems;
  }
}

/** `<source>:<line>: <field>: <problem>`, one per line, after a count. */
export function describeProblems(source: string, problems: readonly InventoryProblem[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => describeProblem(source, problem));
  if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`... and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`${source} has ${count}:`, ...listed].join('\n');
}

function describeProblem(source: string, { line, field, message }: InventoryProblem): string {
  const where = line > 0 ? `${source}:${line}:` : `${source}:`;
  return field === '' ? `${where} ${message}` : `${where} ${field}: ${message}`;
}

/** Problems come back in file order; the sort is stable, so one line keeps its discovery order. */
export function throwIfProblems(source: string, problems: readonly InventoryProblem[]): void {
  if (problems.length === 0) return;
  throw new InventoryFileError(
    source,
    [...problems].sort((a, b) => a.line - b.line),
  );
}
