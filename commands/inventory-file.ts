/**
 * `mxops inventory import <file>` and `mxops inventory export`: the inventory files of
 * src/patching/inventory-yaml.ts and inventory-csv.ts, in and out of the store.
 */
import type { Clock } from '../src/clock.js';
import { AppError } from '../src/errors.js';
import { fileErrorWords } from '../src/file-error.js';
import { CSV_KINDS, type CsvKind, formatInventoryCsv, parseInventoryCsv } from '../src/patching/inventory-csv.js';
import { formatInventoryYaml, parseInventoryYaml } from '../src/patching/inventory-yaml.js';
import { CLAIMED_CLI_SURFACE } from '../src/store/audit-log.js';
import type { OpenDatabase } from '../src/store/database.js';
import { type ImportSummary, importInventory } from '../src/store/inventory-import.js';
import { exportInventory } from '../src/store/inventory-queries.js';

export type InventoryFormat = 'yaml' | 'csv';

export interface InventoryImportInput {
  /** The path as typed: it names the file in messages and the audit log. */
  readonly file: string;
  readonly format?: string | undefined;
  /** Who is importing, for the audit log: the `--as` handle, or the OS account running mxops (cli:<user>). */
  readonly actor: string;
  /** The actor is only what `--as` said, which nothing checks: recorded as claimed, not as verified. */
  readonly claimed: boolean;
}

export interface InventoryFileDeps {
  readonly store: OpenDatabase;
  readonly readFile: (path: string) => Promise<string>;
  /** Wall time: due dates and the audit log are calendar times. */
  readonly clock: Clock;
}

export async function runInventoryImport(input: InventoryImportInput, deps: InventoryFileDeps): Promise<string> {
  const format = fileFormat(input.format, input.file);
  let text: string;
  try {
    text = await deps.readFile(input.file);
  } catch (error) {
    throw new AppError('BAD_INPUT', `cannot read ${input.file}: ${fileErrorWords(error)}`, { cause: error });
  }
  const doc = format === 'csv' ? parseInventoryCsv(text, input.file) : parseInventoryYaml(text, input.file);
  const summary = await importInventory(deps.store, doc, {
    actor: input.actor,
    surface: input.claimed ? CLAIMED_CLI_SURFACE : 'cli',
    now: deps.clock.wallMs(),
    source: input.file,
  });
  return describeSummary(input.file, summary);
}

export interface InventoryExportInput {
  readonly format?: string | undefined;
  /** CSV holds one kind of record per file. */
  readonly kind?: string | undefined;
}

export async function runInventoryExport(
  input: InventoryExportInput,
  deps: Pick<InventoryFileDeps, 'store'>,
): Promise<string> {
  const format = input.format === undefined ? 'yaml' : parseFormat(input.format);
  const doc = await exportInventory(deps.store.db);
  if (format === 'yaml') {
    if (input.kind !== undefined)
      throw new AppError(
        'BAD_INPUT',
        '--kind is for CSV, which holds one kind of record per file; YAML holds them all',
      );
    return formatInventoryYaml(doc);
  }
  if (input.kind === undefined || !CSV_KINDS.includes(input.kind as CsvKind)) {
    throw new AppError(
      'BAD_INPUT',
      `CSV holds one kind of record per file: add --kind ${CSV_KINDS.join('|')}${input.kind === undefined ? '' : ` (got "${input.kind}")`}`,
    );
  }
  return formatInventoryCsv(doc, input.kind as CsvKind);
}

function fileFormat(format: string | undefined, file: string): InventoryFormat {
  if (format !== undefined) return parseFormat(format);
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  if (/\.csv$/i.test(file)) return 'csv';
  throw new AppError('BAD_INPUT', `cannot tell the format of ${file} from its name: use --format yaml or --format csv`);
}

function parseFormat(format: string): InventoryFormat {
  const lower = format.toLowerCase();
  if (lower === 'yaml' || lower === 'yml') return 'yaml';
  if (lower === 'csv') return 'csv';
  throw new AppError('BAD_INPUT', `unknown format "${format}": use yaml or csv`);
}

function describeSummary(file: string, summary: ImportSummary): string {
  const parts = Object.entries(summary)
    .filter(([, counts]) => counts.added + counts.updated + counts.unchanged > 0)
    .map(
      ([kind, counts]) => `${kind}: ${counts.added} added, ${counts.updated} updated, ${counts.unchanged} unchanged`,
    );
  const changed = Object.values(summary).some((counts) => counts.added + counts.updated > 0);
  return `${file}: ${parts.length > 0 ? parts.join('; ') : 'no records'}${changed ? '' : ' (nothing changed)'}\n`;
}
