/**
 * One CSV row as the neutral inventory tree, and one entry back as a row. The CSV forms are
 * compact spellings of the YAML structures, unpacked here so the entity readers never see them:
 *
 * - `workingDays` (`mon-fri`, `mon,wed,fri`) and `workingHours` (`09:00-18:00`) -> workingHours
 * - `slackChannel`, `teamsChannel` -> channel
 * - `maintenanceWindows`: `sat,sun 22:00+4h Europe/Berlin; wed 02:00+1h UTC`
 * - `freezes`: `2026-12-15..2027-01-05 year-end freeze; ...` (the reason after the range)
 * - `dependsOn`: `dns-1 dns-2`
 */
import { AppError } from '../errors.js';
import { formatClock, formatEndInstant, formatInstant, formatLength, formatWeekdays } from './inventory-fields.js';
import type { FreezePeriod, MaintenanceWindow, PatchSpec, Person, System } from './inventory.js';
import {
  fieldPath,
  type InventoryLeaf,
  type InventoryMap,
  type InventoryNode,
  type ProblemLog,
} from './inventory-tree.js';

export const CSV_KINDS = ['people', 'systems', 'patches'] as const;
export type CsvKind = (typeof CSV_KINDS)[number];

export const CSV_COLUMNS: Readonly<Record<CsvKind, readonly string[]>> = {
  people: ['handle', 'name', 'slack', 'teams', 'timeZone', 'manager', 'workingDays', 'workingHours'],
  systems: [
    'name',
    'kind',
    'criticality',
    'owner',
    'slackChannel',
    'teamsChannel',
    'policy',
    'maintenanceWindows',
    'freezes',
    'dependsOn',
  ],
  patches: ['system', 'title', 'advisory', 'severity', 'released', 'due'],
};

/** Columns a file of that kind cannot do without (the other fields have defaults or are optional). */
export const REQUIRED_CSV_COLUMNS: Readonly<Record<CsvKind, readonly string[]>> = {
  people: ['handle', 'name', 'timeZone'],
  systems: ['name', 'kind', 'criticality', 'owner', 'policy'],
  patches: ['system', 'title', 'severity', 'released'],
};

const LIST_ITEM_SEPARATOR = ';';

/** A row's cells by canonical column name, as a tree node at `line`. */
export function readRow(
  log: ProblemLog,
  kind: CsvKind,
  cells: ReadonlyMap<string, string>,
  line: number,
): InventoryMap {
  const leaf = (column: string, field = column): InventoryLeaf => ({
    kind: 'leaf',
    line,
    field,
    text: (cells.get(column) ?? '').trim(),
  });
  const entries = new Map<string, InventoryNode>();
  const plain = {
    people: ['handle', 'name', 'slack', 'teams', 'timeZone', 'manager'],
    systems: ['name', 'kind', 'criticality', 'owner', 'policy', 'dependsOn'],
    patches: CSV_COLUMNS.patches,
  }[kind];
  for (const column of plain) entries.set(column, leaf(column));
  if (kind === 'people') {
    const days = leaf('workingDays');
    const hours = leaf('workingHours');
    if (days.text !== '' || hours.text !== '')
      entries.set('workingHours', {
        kind: 'map',
        line,
        field: 'workingHours',
        entries: new Map([['days', days], ...readHours(log, hours)]),
      });
  }
  if (kind === 'systems') {
    const channel = new Map<string, InventoryNode>([
      ['slack', leaf('slackChannel')],
      ['teams', leaf('teamsChannel')],
    ]);
    entries.set('channel', { kind: 'map', line, field: 'slackChannel/teamsChannel', entries: channel });
    entries.set('maintenanceWindows', readItems(log, leaf('maintenanceWindows'), readWindowItem));
    entries.set('freezes', readItems(log, leaf('freezes'), readFreezeItem));
  }
  return { kind: 'map', line, field: '', entries };
}

/** `09:00-18:00` as start and end; any other shape is reported and leaves both unusable. */
function readHours(log: ProblemLog, hours: InventoryLeaf): [string, InventoryNode][] {
  if (hours.text === '') return [];
  const match = /^(\S+?)\s*-\s*(\S+)$/.exec(hours.text);
  if (match === null) {
    log.report(hours, `must be a range such as 09:00-18:00 (got "${hours.text}")`);
    return [['start', { kind: 'invalid', line: hours.line, field: hours.field }]];
  }
  return [
    ['start', { ...hours, text: match[1] ?? '' }],
    ['end', { ...hours, text: match[2] ?? '' }],
  ];
}

type ItemReader = (log: ProblemLog, item: InventoryLeaf) => InventoryNode;

/** `a; b; c` as a list; each item unpacked by `readItem`. */
function readItems(log: ProblemLog, cell: InventoryLeaf, readItem: ItemReader): InventoryNode {
  if (cell.text === '') return cell;
  // A trailing or doubled separator is a slip, not an empty item.
  const texts = cell.text
    .split(LIST_ITEM_SEPARATOR)
    .map((text) => text.trim())
    .filter((text) => text !== '');
  const items = texts.map((text, index) => readItem(log, { ...cell, field: fieldPath(cell.field, index), text }));
  return { kind: 'list', line: cell.line, field: cell.field, items };
}

function readWindowItem(log: ProblemLog, item: InventoryLeaf): InventoryNode {
  // Days may be written with spaces (`sat, sun`): they run up to the last `HH:MM+length` before the zone.
  const match = /^(.+?)\s+([^\s+]+)\+(\S+)\s+(\S+)$/.exec(item.text);
  if (match === null) return unreadable(log, item, 'sat,sun 22:00+4h Europe/Berlin');
  const [, days = '', start = '', duration = '', timeZone = ''] = match;
  return mapOf(item, { days, start, duration, timeZone });
}

function readFreezeItem(log: ProblemLog, item: InventoryLeaf): InventoryNode {
  const match = /^(\S+?)\.\.(\S+)(?:\s+([\s\S]*))?$/.exec(item.text);
  if (match === null) return unreadable(log, item, '2026-12-15..2027-01-05 year-end freeze');
  const [, from = '', to = '', reason = ''] = match;
  return mapOf(item, { from, to, reason: reason.trim() });
}

function unreadable(log: ProblemLog, item: InventoryLeaf, example: string): InventoryNode {
  log.report(item, `must look like "${example}" (got "${item.text}")`);
  return { kind: 'invalid', line: item.line, field: item.field };
}

function mapOf(item: InventoryLeaf, texts: Record<string, string>): InventoryMap {
  const entries = new Map<string, InventoryNode>(Object.entries(texts).map(([key, text]) => [key, { ...item, text }]));
  return { kind: 'map', line: item.line, field: item.field, entries };
}

// Rows to write: cells by column; an absent value is an empty cell.

export function writePersonRow(person: Person): Record<string, string> {
  const { days, startMinute, endMinute } = person.workingHours;
  return {
    handle: person.handle,
    name: person.name,
    slack: person.chat.slack ?? '',
    teams: person.chat.teams ?? '',
    timeZone: person.timeZone,
    manager: person.manager ?? '',
    workingDays: formatWeekdays(days),
    workingHours: `${formatClock(startMinute)}-${formatClock(endMinute)}`,
  };
}

export function writeSystemRow(system: System): Record<string, string> {
  return {
    name: system.name,
    kind: system.kind,
    criticality: system.criticality,
    owner: system.owner,
    slackChannel: system.channel.slack ?? '',
    teamsChannel: system.channel.teams ?? '',
    policy: system.policy,
    maintenanceWindows: system.maintenanceWindows.map(writeWindow).join(`${LIST_ITEM_SEPARATOR} `),
    freezes: system.freezes.map((freeze) => writeFreeze(system, freeze)).join(`${LIST_ITEM_SEPARATOR} `),
    dependsOn: system.dependsOn.join(' '),
  };
}

export function writePatchRow(patch: PatchSpec): Record<string, string> {
  return {
    system: patch.system,
    title: patch.title,
    advisory: patch.advisory ?? '',
    severity: patch.severity,
    released: formatInstant(patch.releasedAt),
    due: patch.dueAt === undefined ? '' : formatInstant(patch.dueAt),
  };
}

function writeWindow(window: MaintenanceWindow): string {
  return `${formatWeekdays(window.days)} ${formatClock(window.startMinute)}+${formatLength(window.durationMs)} ${window.timeZone}`;
}

function writeFreeze(system: System, freeze: FreezePeriod): string {
  // The separator would split the reason into a second, unreadable freeze on import.
  if (freeze.reason.includes(LIST_ITEM_SEPARATOR)) {
    throw new AppError(
      'BAD_INPUT',
      `system ${system.name}: the freeze reason "${freeze.reason}" contains "${LIST_ITEM_SEPARATOR}", which CSV cannot hold: export as YAML`,
    );
  }
  const range = `${formatInstant(freeze.from)}..${formatEndInstant(freeze.to)}`;
  return freeze.reason === '' ? range : `${range} ${freeze.reason}`;
}
