/**
 * People, systems and patches read from the neutral tree, one entry at a time: fields, defaults,
 * and the rules inside one entry (working hours end after they start, a freeze ends after it begins).
 * Rules that need the whole document are in inventory-checks.ts.
 */
import { AppError } from '../errors.js';
import { parseDuration } from './duration.js';
import {
  parseClock,
  parseEndInstant,
  parseInstant,
  parseName,
  parseOneOf,
  parseSlackChannel,
  parseSlackUser,
  parseTeamsChannel,
  parseTeamsUser,
  parseText,
  parseTimeZone,
  parseWeekdays,
  formatClock,
  formatInstant,
} from './inventory-fields.js';
import {
  CRITICALITIES,
  DEFAULT_WORKING_HOURS,
  SEVERITIES,
  type ChatAddress,
  type FreezePeriod,
  type MaintenanceWindow,
  type PatchSpec,
  type Person,
  type System,
  type Weekday,
  type WorkingHours,
} from './inventory.js';
import {
  isAbsent,
  optional,
  placeOf,
  readEach,
  readMap,
  readSequence,
  required,
  withDefault,
  type InventoryMap,
  type InventoryNode,
  type ProblemLog,
} from './inventory-tree.js';

/** One entry as far as it could be read, with its node so later checks can name lines. */
export interface Entry<T> {
  readonly value: Partial<T>;
  readonly map: InventoryMap;
}

export const PERSON_KEYS = ['handle', 'name', 'slack', 'teams', 'timeZone', 'workingHours', 'manager'] as const;
export const WORKING_HOURS_KEYS = ['days', 'start', 'end'] as const;
export const SYSTEM_KEYS = [
  'name',
  'kind',
  'criticality',
  'owner',
  'channel',
  'policy',
  'maintenanceWindows',
  'freezes',
  'dependsOn',
] as const;
export const CHANNEL_KEYS = ['slack', 'teams'] as const;
export const WINDOW_KEYS = ['days', 'start', 'duration', 'timeZone'] as const;
export const FREEZE_KEYS = ['from', 'to', 'reason'] as const;
export const PATCH_KEYS = ['system', 'title', 'advisory', 'severity', 'released', 'due'] as const;

// A window longer than its weekly recurrence would overlap itself.
const MAX_WINDOW_MS = 7 * 86_400_000;

/** Drops undefined properties, so an absent optional field is absent (deep equality, round trips). */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** The map of one entry; an empty list item (`- `) is reported. */
export function readEntryMap(log: ProblemLog, node: InventoryNode, keys: readonly string[]): InventoryMap | undefined {
  const map = readMap(log, node, keys);
  if (map === undefined) log.report(node, 'empty entry');
  return map ?? undefined;
}

export function readPerson(log: ProblemLog, node: InventoryNode): Entry<Person> | undefined {
  const map = readEntryMap(log, node, PERSON_KEYS);
  if (map === undefined) return undefined;
  const chat: ChatAddress = definedOnly({
    slack: optional(log, map, 'slack', parseSlackUser),
    teams: optional(log, map, 'teams', parseTeamsUser),
  });
  const value: Partial<Person> = definedOnly({
    handle: required(log, map, 'handle', parseName),
    name: required(log, map, 'name', parseText),
    chat,
    timeZone: required(log, map, 'timeZone', parseTimeZone),
    workingHours: readWorkingHours(log, map.entries.get('workingHours')),
    manager: optional(log, map, 'manager', parseName),
  });
  return { value, map };
}

/** Each part defaults on its own (Mon-Fri, 09:00, 18:00), so `{ end: "17:00" }` is enough. */
function readWorkingHours(log: ProblemLog, node: InventoryNode | undefined): WorkingHours | undefined {
  const map = readMap(log, node, WORKING_HOURS_KEYS);
  if (map === undefined) return DEFAULT_WORKING_HOURS;
  if (map === null) return undefined;
  const listed = readDays(log, map, 'days');
  const days = listed === undefined ? DEFAULT_WORKING_HOURS.days : (listed ?? undefined);
  const startMinute = withDefault(log, map, 'start', parseClock, DEFAULT_WORKING_HOURS.startMinute);
  const endMinute = withDefault(
    log,
    map,
    'end',
    (text) => parseClock(text, { endOfDay: true }),
    DEFAULT_WORKING_HOURS.endMinute,
  );
  if (days === undefined || startMinute === undefined || endMinute === undefined) return undefined;
  if (endMinute <= startMinute) {
    log.report(
      placeOf(map, 'end'),
      `must be after the start, ${formatClock(startMinute)} (working hours cannot span midnight)`,
    );
    return undefined;
  }
  return { days, startMinute, endMinute };
}

/** Weekdays in order, at least one. undefined: absent; null: unusable (reported). */
function readDays(log: ProblemLog, map: InventoryMap, key: string): Weekday[] | undefined | null {
  const groups = readEach(log, map.entries.get(key), parseWeekdays);
  if (groups === undefined || groups === null) return groups;
  const days = new Set<Weekday>();
  for (const group of groups) {
    for (const day of group.value) {
      if (days.has(day)) log.report(group.place, 'lists a day twice');
      days.add(day);
    }
  }
  if (days.size === 0) {
    log.report(placeOf(map, key), 'must list at least one day');
    return null;
  }
  return [...days].sort((a, b) => a - b);
}

export function readSystem(log: ProblemLog, node: InventoryNode): Entry<System> | undefined {
  const map = readEntryMap(log, node, SYSTEM_KEYS);
  if (map === undefined) return undefined;
  const name = required(log, map, 'name', parseName);
  const dependsOn = readEach(log, map.entries.get('dependsOn'), parseName);
  for (const dependency of dependsOn ?? []) {
    if (dependency.value === name) log.report(dependency.place, 'a system cannot depend on itself');
  }
  const value: Partial<System> = definedOnly({
    name,
    kind: required(log, map, 'kind', parseText),
    criticality: required(log, map, 'criticality', parseOneOf(CRITICALITIES)),
    owner: required(log, map, 'owner', parseName),
    channel: readChannel(log, map),
    policy: required(log, map, 'policy', parseName),
    maintenanceWindows: readRecords(log, map.entries.get('maintenanceWindows'), readWindow),
    freezes: readRecords(log, map.entries.get('freezes'), readFreeze),
    dependsOn: dependsOn === null ? undefined : (dependsOn ?? []).map((dependency) => dependency.value),
  });
  return { value, map };
}

function readChannel(log: ProblemLog, system: InventoryMap): ChatAddress | undefined {
  const map = readMap(log, system.entries.get('channel'), CHANNEL_KEYS);
  if (map === undefined) log.report(placeOf(system, 'channel'), 'required: a Slack channel, a Teams channel or both');
  if (map === undefined || map === null) return undefined;
  const channel: ChatAddress = definedOnly({
    slack: optional(log, map, 'slack', parseSlackChannel),
    teams: optional(log, map, 'teams', parseTeamsChannel),
  });
  if (isAbsent(map.entries.get('slack')) && isAbsent(map.entries.get('teams')))
    log.report(map, 'needs a Slack channel, a Teams channel or both');
  return channel;
}

/** Each item read by `readOne`; an absent list is empty. undefined when any item is unusable. */
function readRecords<T>(
  log: ProblemLog,
  node: InventoryNode | undefined,
  readOne: (log: ProblemLog, node: InventoryNode) => T | undefined,
): T[] | undefined {
  const items = readSequence(log, node);
  if (items === undefined) return [];
  if (items === null) return undefined;
  const records = items.map((item) => readOne(log, item));
  return records.every((record) => record !== undefined) ? (records as T[]) : undefined;
}

function readWindow(log: ProblemLog, node: InventoryNode): MaintenanceWindow | undefined {
  const map = readEntryMap(log, node, WINDOW_KEYS);
  if (map === undefined) return undefined;
  const days = readDays(log, map, 'days');
  if (days === undefined) log.report(placeOf(map, 'days'), 'required');
  const startMinute = required(log, map, 'start', parseClock);
  const durationMs = required(log, map, 'duration', parseWindowLength);
  const timeZone = required(log, map, 'timeZone', parseTimeZone);
  if (
    days === undefined ||
    days === null ||
    startMinute === undefined ||
    durationMs === undefined ||
    timeZone === undefined
  )
    return undefined;
  return { days, startMinute, durationMs, timeZone };
}

function parseWindowLength(text: string): number {
  const ms = parseDuration(text);
  if (ms > MAX_WINDOW_MS)
    throw new AppError('BAD_INPUT', `must be at most 7d: a longer window would overlap next week's (got "${text}")`);
  return ms;
}

function readFreeze(log: ProblemLog, node: InventoryNode): FreezePeriod | undefined {
  const map = readEntryMap(log, node, FREEZE_KEYS);
  if (map === undefined) return undefined;
  const from = required(log, map, 'from', parseInstant);
  const to = required(log, map, 'to', parseEndInstant);
  const reason = withDefault(log, map, 'reason', parseText, '');
  if (from === undefined || to === undefined || reason === undefined) return undefined;
  if (to <= from) {
    log.report(placeOf(map, 'to'), `must be after from, ${formatInstant(from)}`);
    return undefined;
  }
  return { from, to, reason };
}

export function readPatch(log: ProblemLog, node: InventoryNode): Entry<PatchSpec> | undefined {
  const map = readEntryMap(log, node, PATCH_KEYS);
  if (map === undefined) return undefined;
  const releasedAt = required(log, map, 'released', parseInstant);
  const dueAt = optional(log, map, 'due', parseInstant);
  if (releasedAt !== undefined && dueAt !== undefined && dueAt < releasedAt) {
    log.report(placeOf(map, 'due'), `must not be before released, ${formatInstant(releasedAt)}`);
  }
  const value: Partial<PatchSpec> = definedOnly({
    system: required(log, map, 'system', parseName),
    title: required(log, map, 'title', parseText),
    advisory: optional(log, map, 'advisory', parseText),
    severity: required(log, map, 'severity', parseOneOf(SEVERITIES)),
    releasedAt,
    dueAt,
  });
  return { value, map };
}
