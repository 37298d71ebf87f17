/**
 * The neutral shape both inventory formats are read into before any field is interpreted: values,
 * lists and maps of text, each knowing its file line and the field path to name in a problem.
 * YAML maps onto it directly; a CSV row becomes a map whose compact cells were unpacked into lists
 * and maps. The entity readers work on this tree only, so the rules live once for both formats.
 */
import { isAppError } from '../errors.js';
import type { InventoryProblem } from './inventory-file-error.js';

export interface Place {
  readonly line: number;
  readonly field: string;
}

export interface InventoryLeaf extends Place {
  readonly kind: 'leaf';
  /** Trimmed; '' stands for an empty cell or a YAML null, both of which mean "absent". */
  readonly text: string;
}

export interface InventoryList extends Place {
  readonly kind: 'list';
  readonly items: readonly InventoryNode[];
}

export interface InventoryMap extends Place {
  readonly kind: 'map';
  readonly entries: ReadonlyMap<string, InventoryNode>;
}

/** A node already reported while building the tree (a YAML alias...): readers skip it quietly. */
export interface InventoryInvalid extends Place {
  readonly kind: 'invalid';
}

export type InventoryNode = InventoryLeaf | InventoryList | InventoryMap | InventoryInvalid;

/** `systems` + 2 -> `systems[2]`; `systems[2]` + `owner` -> `systems[2].owner`; '' + `owner` -> `owner`. */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export class ProblemLog {
  readonly problems: InventoryProblem[] = [];

  report(place: Place, message: string): void {
    this.problems.push({ line: place.line, field: place.field, message });
  }

  /** Runs a field parser; the BAD_INPUT it throws becomes a problem at `place` and the result undefined. */
  attempt<T>(place: Place, parse: () => T): T | undefined {
    try {
      return parse();
    } catch (error) {
      if (!isAppError(error, 'BAD_INPUT')) throw error;
      this.report(place, error.message);
      return undefined;
    }
  }
}

/** Where to report a field of `map`: the field itself, or the map's line when the field is missing. */
export function placeOf(map: InventoryMap, key: string): Place {
  return map.entries.get(key) ?? { line: map.line, field: fieldPath(map.field, key) };
}

/** Missing, empty or null: the field was not given. */
export function isAbsent(node: InventoryNode | undefined): boolean {
  return node === undefined || (node.kind === 'leaf' && node.text === '');
}

// Results below: undefined = absent (nothing reported), null = present but unusable (reported).

/** The text of a single value. */
export function readText(log: ProblemLog, node: InventoryNode | undefined): string | undefined | null {
  if (node === undefined) return undefined;
  switch (node.kind) {
    case 'leaf':
      return node.text === '' ? undefined : node.text;
    case 'invalid':
      return null;
    default:
      log.report(node, `must be a single value, not a ${node.kind === 'list' ? 'list' : 'mapping'}`);
      return null;
  }
}

// Lists of names may be written in one value too (`dependsOn: dns-1 dns-2`, `days: mon-fri`):
// that is the CSV form, and handy in YAML.
const LIST_SEPARATOR = /[\s,]+/;

/** The items of a list, or of one value split at commas and spaces. */
export function readList(
  log: ProblemLog,
  node: InventoryNode | undefined,
): readonly InventoryNode[] | undefined | null {
  if (node === undefined) return undefined;
  switch (node.kind) {
    case 'list':
      return node.items;
    case 'leaf':
      if (node.text === '') return undefined;
      return node.text
        .split(LIST_SEPARATOR)
        .filter((text) => text !== '')
        .map((text) => ({ ...node, text }));
    case 'invalid':
      return null;
    default:
      log.report(node, 'must be a list, not a mapping');
      return null;
  }
}

/** A mapping whose keys are all in `keys`: an unknown key is a typo (`critcality`) until proven otherwise. */
export function readMap(
  log: ProblemLog,
  node: InventoryNode | undefined,
  keys: readonly string[],
): InventoryMap | undefined | null {
  if (node === undefined || isAbsent(node)) return undefined;
  if (node.kind === 'invalid') return null;
  if (node.kind !== 'map') {
    log.report(node, `must be a mapping with ${keys.join(', ')}`);
    return null;
  }
  for (const [key, value] of node.entries) {
    if (!keys.includes(key))
      log.report(
        { line: value.line, field: fieldPath(node.field, key) },
        `unknown field (expected one of ${keys.join(', ')})`,
      );
  }
  return node;
}

/** The items of a list of records (windows, levels...): unlike readList, one value is not split. */
export function readSequence(
  log: ProblemLog,
  node: InventoryNode | undefined,
): readonly InventoryNode[] | undefined | null {
  if (node === undefined || isAbsent(node)) return undefined;
  if (node.kind === 'list') return node.items;
  if (node.kind !== 'invalid') log.report(node, 'must be a list');
  return null;
}

/** A field that must be present; undefined when missing or unusable (both reported). */
export function required<T>(
  log: ProblemLog,
  map: InventoryMap,
  key: string,
  parse: (text: string) => T,
): T | undefined {
  const node = map.entries.get(key);
  const text = readText(log, node);
  if (text === undefined) log.report(placeOf(map, key), 'required');
  return typeof text === 'string' ? log.attempt(placeOf(map, key), () => parse(text)) : undefined;
}

/** A field that may be missing; undefined when missing or unusable (the latter reported). */
export function optional<T>(
  log: ProblemLog,
  map: InventoryMap,
  key: string,
  parse: (text: string) => T,
): T | undefined {
  const text = readText(log, map.entries.get(key));
  return typeof text === 'string' ? log.attempt(placeOf(map, key), () => parse(text)) : undefined;
}

/** A field with a default; undefined only when present and unusable (reported). */
export function withDefault<T>(
  log: ProblemLog,
  map: InventoryMap,
  key: string,
  parse: (text: string) => T,
  fallback: T,
): T | undefined {
  const text = readText(log, map.entries.get(key));
  if (text === undefined) return fallback;
  return text === null ? undefined : log.attempt(placeOf(map, key), () => parse(text));
}

export interface Placed<T> {
  readonly value: T;
  readonly place: Place;
}

/** Each item of a list parsed; a value listed twice is reported. undefined: absent; null: unusable. */
export function readEach<T>(
  log: ProblemLog,
  node: InventoryNode | undefined,
  parse: (text: string) => T,
): Placed<T>[] | undefined | null {
  const items = readList(log, node);
  if (items === undefined || items === null) return items;
  const values: Placed<T>[] = [];
  let usable = true;
  for (const item of items) {
    const text = readText(log, item);
    if (text === undefined) log.report(item, 'must not be empty');
    const value = typeof text === 'string' ? log.attempt(item, () => parse(text)) : undefined;
    if (value === undefined) usable = false;
    else if (values.some((seen) => seen.value === value)) log.report(item, `lists "${text}" twice`);
    else values.push({ value, place: item });
  }
  return usable ? values : null;
}
