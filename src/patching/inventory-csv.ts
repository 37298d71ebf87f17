/**
 * The inventory as CSV, one kind of entry per file (a spreadsheet export of people, systems or
 * patches); the kind is recognised from the header row. Policies only exist in YAML.
 *
 * - people: handle,name,slack,teams,timeZone,manager,workingDays,workingHours
 * - systems: name,kind,criticality,owner,slackChannel,teamsChannel,policy,maintenanceWindows,freezes,dependsOn
 * - patches: system,title,advisory,severity,released,due
 *
 * A header row is required; columns come in any order, header names in any case; optional
 * columns may be left out; unknown columns are errors. Empty cells are absent values. The compact
 * cell forms are listed in inventory-csv-cells.ts; single values read as in YAML (inventory-yaml.ts).
 *
 * Cells that a spreadsheet would run as a formula (`=...`, `@...`) are written with a leading `'`,
 * and one such quote is removed on import (the exact rule: src/csv-formula-cells.ts).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { defuseFormulaCell, restoreFormulaCell } from '../csv-formula-cells.js';
import { readInventoryDocument } from './inventory-document.js';
import { throwIfProblems } from './inventory-file-error.js';
import type { InventoryDocument } from './inventory.js';
import {
  CSV_COLUMNS,
  CSV_KINDS,
  readRow,
  REQUIRED_CSV_COLUMNS,
  writePatchRow,
  writePersonRow,
  writeSystemRow,
  type CsvKind,
} from './inventory-csv-cells.js';
import { acceptInventoryText } from './inventory-text.js';
import { ProblemLog, type InventoryNode } from './inventory-tree.js';

export { CSV_COLUMNS, CSV_KINDS, type CsvKind } from './inventory-csv-cells.js';

/** Reads one CSV file; the document's other kinds come back empty. Throws InventoryFileError (BAD_INPUT). */
export function parseInventoryCsv(text: string, source = 'inventory.csv'): InventoryDocument {
  const log = new ProblemLog();
  // One line ending for csv-parse's line count, and for cells that hold several lines.
  const records = readRecords(log, acceptInventoryText(text, source).replace(/\r\n?/g, '\n'));
  const [header, ...rows] = records;
  if (header === undefined && log.problems.length === 0)
    log.report({ line: 1, field: '' }, `is empty: a header row is required (${describeKinds()})`);
  const columns = header === undefined ? undefined : readHeader(log, header);
  throwIfProblems(source, log.problems);
  if (columns === undefined) return readInventoryDocument(log, undefined, source);

  const items: InventoryNode[] = [];
  for (const row of rows) {
    if (row.cells.length !== columns.names.length) {
      log.report(
        { line: row.line, field: '' },
        `has ${row.cells.length} cells where the header has ${columns.names.length} (a stray or missing comma?)`,
      );
      continue;
    }
    const cells = new Map(columns.names.map((name, index) => [name, restoreFormulaCell(row.cells[index] ?? '')]));
    items.push(readRow(log, columns.kind, cells, row.line));
  }
  const root: InventoryNode = {
    kind: 'map',
    line: 1,
    field: '',
    entries: new Map([[columns.kind, { kind: 'list', line: 1, field: '', items }]]),
  };
  return readInventoryDocument(log, root, source);
}

/** One kind of the document as CSV, every column present, that parseInventoryCsv reads back equal. */
export function formatInventoryCsv(inventory: InventoryDocument, kind: CsvKind): string {
  const rows =
    kind === 'people'
      ? inventory.people.map(writePersonRow)
      : kind === 'systems'
        ? inventory.systems.map(writeSystemRow)
        : inventory.patches.map(writePatchRow);
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS[kind]],
    cast: { string: (cell) => defuseFormulaCell(cell) },
  });
}

interface CsvRecord {
  readonly cells: readonly string[];
  /** The line the record starts on. */
  readonly line: number;
}

function readRecords(log: ProblemLog, text: string): CsvRecord[] {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof parsed;
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as { lines: number }).lines : 0;
    const message = error instanceof Error ? error.message.replace(/ at line \d+/, '') : String(error);
    log.report({ line, field: '' }, `CSV syntax: ${message}`);
    return [];
  }
  // info.lines is the line a record ends on; a quoted cell may hold line breaks.
  return parsed
    .map(({ record, info }) => ({
      cells: record,
      line: info.lines - record.reduce((breaks, cell) => breaks + (cell.match(/\n/g)?.length ?? 0), 0),
    }))
    .filter((record) => record.cells.some((cell) => cell.trim() !== ''));
}

interface Header {
  readonly kind: CsvKind;
  /** Canonical column names, in file order. */
  readonly names: readonly string[];
}

/** The kind sharing the most columns with the header wins, so a typo in one column still names its kind. */
function readHeader(log: ProblemLog, header: CsvRecord): Header | undefined {
  const line = header.line;
  const given = header.cells.map((cell) => cell.trim());
  const canonical = (kind: CsvKind, name: string): string | undefined =>
    CSV_COLUMNS[kind].find((column) => column.toLowerCase() === name.toLowerCase());
  const scores = CSV_KINDS.map((kind) => given.filter((name) => canonical(kind, name) !== undefined).length);
  const best = Math.max(...scores);
  const kind = scores.filter((score) => score === best).length === 1 ? CSV_KINDS[scores.indexOf(best)] : undefined;
  if (kind === undefined || best === 0) {
    const hint = given.length === 1 && given[0]?.includes(';') ? ' (separate columns with commas, not semicolons)' : '';
    log.report({ line, field: '' }, `header row matches no inventory kind${hint}: ${describeKinds()}`);
    return undefined;
  }
  const names: string[] = [];
  for (const [index, name] of given.entries()) {
    const column = canonical(kind, name);
    if (name === '') log.report({ line, field: '' }, `column ${index + 1} has no name`);
    else if (column === undefined)
      log.report({ line, field: name }, `unknown column for ${kind} (expected ${CSV_COLUMNS[kind].join(',')})`);
    else if (names.includes(column)) log.report({ line, field: column }, 'column appears twice');
    names.push(column ?? name);
  }
  for (const column of REQUIRED_CSV_COLUMNS[kind])
    if (!names.includes(column)) log.report({ line, field: column }, `required column missing from the ${kind} header`);
  if (kind === 'systems' && !names.includes('slackChannel') && !names.includes('teamsChannel')) {
    log.report({ line, field: 'slackChannel' }, 'required: a slackChannel or teamsChannel column, or both');
  }
  return { kind, names };
}

function describeKinds(): string {
  return `expected columns for ${CSV_KINDS.map((kind) => `${kind}: ${CSV_COLUMNS[kind].join(',')}`).join('; ')} (policies only exist in YAML)`;
}
