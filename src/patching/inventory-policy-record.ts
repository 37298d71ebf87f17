/**
 * An escalation policy read from the neutral tree. Policies only come in YAML (their levels do
 * not fit a CSV row), but the reader works on the tree like the others.
 */
import { AppError } from '../errors.js';
import { parseDuration } from './duration.js';
import { parseBoolean, parseName, parseOneOf, parseWholeNumber } from './inventory-fields.js';
import {
  DEFAULT_ACK,
  DEFAULT_OUTAGE_APPROVAL,
  ESCALATION_TARGETS,
  SEVERITIES,
  type EscalationLevel,
  type EscalationPolicy,
  type OutageApproval,
  type Severity,
} from './inventory.js';
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

export const POLICY_KEYS = [
  'name',
  'sla',
  'remindBefore',
  'levels',
  'repeat',
  'ackFor',
  'ack',
  'snooze',
  'riskApprovers',
  'leadership',
  'quietHours',
  'outage',
] as const;
export const LEVEL_KEYS = ['targets', 'wait'] as const;
export const ACK_KEYS = ['maxCount'] as const;
export const SNOOZE_KEYS = ['maxCount', 'maxLength'] as const;
export const OUTAGE_KEYS = ['approvers', 'quorum', 'selfApproval', 'expireAfter', 'remindBefore'] as const;

const DAY_MS = 86_400_000;
export const POLICY_DEFAULTS = {
  remindBeforeMs: 3 * DAY_MS,
  repeatCap: 3,
  ackForMs: 3 * DAY_MS,
  ack: DEFAULT_ACK,
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
    ack: readAck(log, map),
    snooze: readSnooze(log, map),
    riskApprovers: readHandles(log, map, 'riskApprovers'),
    leadership: readHandles(log, map, 'leadership'),
    quietHours: withDefault(log, map, 'quietHours', parseBoolean, POLICY_DEFAULTS.quietHours),
    outage: readOutage(log, map),
  });
  return { value, map };
}

function readSla(log: ProblemLog, policy: InventoryMap): Record<Severity, number> | undefined {
  const map = readMap(log, policy.entries.get('sla'), SEVERITIES);
  if (map === undefined)
    log.report(placeOf(policy, 'sla'), `required: a duration for each of ${SEVERITIES.join(', ')}`);
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
  if (targets === undefined || targets?.length === 0)
    log.report(placeOf(map, 'targets'), `required: one or more of ${ESCALATION_TARGETS.join(', ')}`);
  const waitMs = required(log, map, 'wait', parseDuration);
  if (targets === undefined || targets === null || targets.length === 0 || waitMs === undefined) return undefined;
  return { targets: targets.map((target) => target.value), waitMs };
}

/** Like `snooze`: left out, the default; given as a mapping, each part defaults on its own. */
function readAck(log: ProblemLog, policy: InventoryMap): EscalationPolicy['ack'] | undefined {
  const map = readMap(log, policy.entries.get('ack'), ACK_KEYS);
  if (map === undefined) return POLICY_DEFAULTS.ack;
  if (map === null) return undefined;
  const maxCount = withDefault(log, map, 'maxCount', parseWholeNumber, POLICY_DEFAULTS.ack.maxCount);
  return maxCount === undefined ? undefined : { maxCount };
}

function readSnooze(log: ProblemLog, policy: InventoryMap): EscalationPolicy['snooze'] | undefined {
  const map = readMap(log, policy.entries.get('snooze'), SNOOZE_KEYS);
  if (map === undefined) return POLICY_DEFAULTS.snooze;
  if (map === null) return undefined;
  const maxCount = withDefault(log, map, 'maxCount', parseWholeNumber, POLICY_DEFAULTS.snooze.maxCount);
  const maxLengthMs = withDefault(log, map, 'maxLength', parseDuration, POLICY_DEFAULTS.snooze.maxLengthMs);
  return maxCount === undefined || maxLengthMs === undefined ? undefined : { maxCount, maxLengthMs };
}

/**
 * `outage:` left out (or empty) gives no `outage` field at all, so policies written before it
 * existed read, store and export unchanged; users of the policy fall back to
 * DEFAULT_OUTAGE_APPROVAL. Given as a mapping (even `{}`), each part defaults on its own.
 * undefined: absent, or present and unusable (reported).
 */
function readOutage(log: ProblemLog, policy: InventoryMap): OutageApproval | undefined {
  const map = readMap(log, policy.entries.get('outage'), OUTAGE_KEYS);
  if (map === undefined || map === null) return undefined;
  const approvers = readHandles(log, map, 'approvers');
  const quorum = withDefault(log, map, 'quorum', parseQuorum, DEFAULT_OUTAGE_APPROVAL.quorum);
  const selfApproval = withDefault(log, map, 'selfApproval', parseBoolean, DEFAULT_OUTAGE_APPROVAL.selfApproval);
  const expireAfterMs = withDefault(log, map, 'expireAfter', parseDuration, DEFAULT_OUTAGE_APPROVAL.expireAfterMs);
  const remindBeforeMs = readOutageReminders(log, map);
  // No approvers listed: the quorum cannot be checked here (and nobody can approve until some are).
  if (quorum !== undefined && approvers !== undefined && approvers.length > 0 && quorum > approvers.length) {
    log.report(placeOf(map, 'quorum'), `must be at most the number of approvers, ${approvers.length} (got ${quorum})`);
    return undefined;
  }
  if (
    approvers === undefined ||
    quorum === undefined ||
    selfApproval === undefined ||
    expireAfterMs === undefined ||
    remindBeforeMs === undefined
  )
    return undefined;
  return { approvers, quorum, selfApproval, expireAfterMs, remindBeforeMs };
}

function parseQuorum(text: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1)
    throw new AppError('BAD_INPUT', `must be a whole number, 1 or more (got "${text}")`);
  return Number(text);
}

/** Positive durations, longest first; `[]` means no reminders, absent the default. undefined: unusable (reported). */
function readOutageReminders(log: ProblemLog, outage: InventoryMap): number[] | undefined {
  const leads = readEach(log, outage.entries.get('remindBefore'), parseDuration);
  if (leads === null) return undefined;
  if (leads === undefined) return [...DEFAULT_OUTAGE_APPROVAL.remindBeforeMs];
  return leads.map((lead) => lead.value).sort((a, b) => b - a);
}

function readHandles(log: ProblemLog, policy: InventoryMap, key: string): string[] | undefined {
  const handles = readEach(log, policy.entries.get(key), parseName);
  if (handles === null) return undefined;
  return (handles ?? []).map((handle) => handle.value);
}
