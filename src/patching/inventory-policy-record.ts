/**
 * An escalation policy read from the neutral tree. Policies only come in YAML (their levels do
 * not fit a CSV row), but the reader works on the tree like the others.
 */
import { parseDuration } from './duration.js';
import { parseBoolean, parseName, parseOneOf, parseWholeNumber } from './inventory-fields.js';
import { ESCALATION_TARGETS, SEVERITIES, type EscalationLevel, type EscalationPolicy, type Severity } from './inventory.js';
import { definedOnly, readEntryMap, type Entry } from './inventory-records.js';
import {
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

export const POLICY_KEYS = ['name', 'sla', 'remindBefore', 'levels', 'repeat', 'ackFor', 'snooze', 'riskApprovers', 'leadership', 'quietHours'] as const;
export const LEVEL_KEYS = ['targets', 'wait'] as const;
export const SNOOZE_KEYS = ['maxCount', 'maxLength'] as const;

const DAY_MS = 86_400_000;
export const POLICY_DEFAULTS = {
  remindBeforeMs: 3 * DAY_MS,
  repeatCap: 3,
  ackForMs: 3 * DAY_MS,
  snooze: { maxCount: 2, maxLengthMs: 7 * DAY_MS },
  quietHours: true,
} as const;

/** `0` (or `0d`, `0m`...) means "no reminder before the due date"; anything else is a duration. */
export function parseReminderLead(text: string): number {
  return /^0+[mhdw]?$/i.test(text) ? 0 : parseDuration(text);
}

export function readPolicy(log: ProblemLog, node: InventoryNode): Entry<EscalationPolicy> | undefined {
  const map = readEntryMap(log, node, POLICY_KEYS);
  if (map === undefined) return undefined;
  const value: Partial<EscalationPolicy> = definedOnly({
    name: required(log, map, 'name', parseName),
    slaMs: readSla(log, map),
    remindBeforeMs: withDefault(log, map, 'remindBefore', parseReminderLead, POLICY_DEFAULTS.remindBeforeMs),
    levels: readLevels(log, map),
    repeatCap: withDefault(log, map, 'repeat', parseWholeNumber, POLICY_DEFAULTS.repeatCap),
    ackForMs: withDefault(log, map, 'ackFor', parseDuration, POLICY_DEFAULTS.ackForMs),
    snooze: readSnooze(log, map),
    riskApprovers: readHandles(log, map, 'riskApprovers'),
    leadership: readHandles(log, map, 'leadership'),
    quietHours: withDefault(log, map, 'quietHours', parseBoolean, POLICY_DEFAULTS.quietHours),
  });
  return { value, map };
}

function readSla(log: ProblemLog, policy: InventoryMap): Record<Severity, number> | undefined {
  const map = readMap(log, policy.entries.get('sla'), SEVERITIES);
  if (map === undefined) log.report(placeOf(policy, 'sla'), `required: a duration for each of ${SEVERITIES.join(', ')}`);
  if (map === undefined || map === null) return undefined;
  const sla: Partial<Record<Severity, number>> = {};
  for (const severity of SEVERITIES) sla[severity] = required(log, map, severity, parseDuration);
  return SEVERITIES.every((severity) => sla[severity] !== undefined) ? (sla as Record<Severity, number>) : undefined;
}

function readLevels(log: ProblemLog, policy: InventoryMap): EscalationLevel[] | undefined {
  const items = readSequence(log, policy.entries.get('levels'));
  if (items === undefined || items?.length === 0) log.report(placeOf(policy, 'levels'), 'required: at least one level');
  if (items === undefined || items === null || items.length === 0) return undefined;
  const levels = items.map((item) => readLevel(log, item));
  return levels.every((level) => level !== undefined) ? (levels as EscalationLevel[]) : undefined;
}

function readLevel(log: ProblemLog, node: InventoryNode): EscalationLevel | undefined {
  const map = readEntryMap(log, node, LEVEL_KEYS);
  if (map === undefined) return undefined;
  const targets = readEach(log, map.entries.get('targets'), parseOneOf(ESCALATION_TARGETS));
  if (targets === undefined || targets?.length === 0) log.report(placeOf(map, 'targets'), `required: one or more of ${ESCALATION_TARGETS.join(', ')}`);
  const waitMs = required(log, map, 'wait', parseDuration);
  if (targets === undefined || targets === null || targets.length === 0 || waitMs === undefined) return undefined;
  return { targets: targets.map((target) => target.value), waitMs };
}

function readSnooze(log: ProblemLog, policy: InventoryMap): EscalationPolicy['snooze'] | undefined {
  const map = readMap(log, policy.entries.get('snooze'), SNOOZE_KEYS);
  if (map === undefined) return POLICY_DEFAULTS.snooze;
  if (map === null) return undefined;
  const maxCount = withDefault(log, map, 'maxCount', parseWholeNumber, POLICY_DEFAULTS.snooze.maxCount);
  const maxLengthMs = withDefault(log, map, 'maxLength', parseDuration, POLICY_DEFAULTS.snooze.maxLengthMs);
  return maxCount === undefined || maxLengthMs === undefined ? undefined : { maxCount, maxLengthMs };
}

function readHandles(log: ProblemLog, policy: InventoryMap, key: string): string[] | undefined {
  const handles = readEach(log, policy.entries.get(key), parseName);
  if (handles === null) return undefined;
  return (handles ?? []).map((handle) => handle.value);
}
