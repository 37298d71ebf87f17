/**
 * The inventory as one YAML file: `mxops inventory import|export` (all four sections; the only
 * format that holds policies). test/fixtures/inventory/example.yaml is a complete example.
 *
 * ```yaml
 * people:
 *   - handle: alice                 # letters, digits, . _ - (also: system and policy names)
 *     name: Alice Example
 *     slack: U012ABCDEF             # optional, Slack user id
 *     teams: 00000000-0000-0000-0000-000000000001   # optional, Azure AD object id
 *     timeZone: Europe/Berlin       # IANA zone
 *     workingHours: { days: [mon, tue, wed, thu, fri], start: "09:00", end: "18:00" }
 *                                   # optional; each part defaults to the value shown; end may be 24:00
 *     manager: bob                  # optional
 * policies:
 *   - name: standard
 *     sla: { critical: 7d, high: 30d, medium: 90d, low: 180d }   # all four required
 *     remindBefore: 3d              # optional, default 3d; 0: no reminder before the due date
 *     levels:                       # at least one; targets: owner, team-channel, manager, leadership
 *       - { targets: [owner], wait: 2d }
 *       - { targets: [owner, team-channel], wait: 2d }
 *       - { targets: [manager], wait: 3d }
 *     repeat: 3                     # optional, default 3: more nags of the last level
 *     ackFor: 3d                    # optional, default 3d: how long an acknowledgement holds a level
 *     ack: { maxCount: 1 }          # optional, default 1: acknowledgements each level may have
 *     snooze: { maxCount: 2, maxLength: 7d }   # optional, each part defaults to the value shown
 *     riskApprovers: [carol]        # optional, default none
 *     leadership: [carol]           # optional, default none: the top of the owner's chain
 *     quietHours: true              # optional, default true
 *     outage:                       # optional: who decides outage-window requests (see the notes)
 *       approvers: [carol, bob]     # optional, default none
 *       quorum: 2                   # optional, default 1: approvals needed, 1 to the number of approvers
 *       selfApproval: false         # optional, default false: an approver's vote counts on their own request
 *       expireAfter: 3d             # optional, default 3d: an undecided request expires
 *       remindBefore: [24h, 1h]     # optional, default [24h, 1h]: reminders before an approved
 *                                   # window starts; [] for none; no duplicates
 * systems:
 *   - name: mail-gw-1
 *     kind: mail-server             # free text
 *     criticality: high             # critical, high, medium or low
 *     owner: alice
 *     channel: { slack: C0123ABCD, teams: "19:abc@thread.tacv2" }   # at least one of the two
 *     policy: standard
 *     maintenanceWindows:           # optional; in the window's zone, at most 7d long
 *       - { days: [sat, sun], start: "22:00", duration: 4h, timeZone: Europe/Berlin }
 *     freezes:                      # optional; reason optional
 *       - { from: 2026-12-15, to: 2027-01-05, reason: year-end freeze }
 *     dependsOn: [dns-1]            # optional, names of systems
 * patches:
 *   - system: mail-gw-1
 *     title: qmail 1.03 has no EDNS0 and fails on DNS answers over 512 bytes
 *     advisory: CVE-2005-1513       # optional; with the system it identifies the patch, else the title does
 *     severity: critical            # critical, high, medium or low
 *     released: 2026-10-01          # date or ISO date-time
 *     due: 2026-10-08               # optional; default: released + the policy's SLA
 * ```
 *
 * - Every section is optional; unknown keys anywhere are errors (a typo such as `critcality`
 *   must not silently drop a field).
 * - Weekdays are mon..sun in any case; a list may also be written `mon-fri` or `sat,sun`, and a
 *   list of names as one value (`dependsOn: dns-1 dns-2`).
 * - Times are `HH:MM`, 00:00 to 23:59. Durations: `90m`, `36h`, `7d`, `2w`, `1d12h` (duration.ts).
 * - Dates: `2026-10-01` is midnight UTC; date-times without an offset are UTC. A freeze's `to`
 *   written as a bare date includes that day: it ends at midnight UTC after it.
 * - A policy without `outage:` (or with `outage:` left empty) has no `outage` field: its systems
 *   use DEFAULT_OUTAGE_APPROVAL (inventory.ts), and it exports without the key, as before outage
 *   approval existed. `outage: {}` sets every part to its default and exports them spelled out.
 * - Values are read as written: YAML 1.2 core schema, no implicit timestamps; aliases refused.
 */
import { Document, Scalar, type Node } from 'yaml';
import { formatClock, formatEndInstant, formatInstant, formatLength, formatWeekday } from './inventory-fields.js';
import { readInventoryDocument } from './inventory-document.js';
import { throwIfProblems } from './inventory-file-error.js';
import {
  DEFAULT_ACK,
  type EscalationPolicy,
  type InventoryDocument,
  type OutageApproval,
  type PatchSpec,
  type Person,
  type System,
  type Weekday,
} from './inventory.js';
import { definedOnly } from './inventory-records.js';
import { acceptInventoryText } from './inventory-text.js';
import { ProblemLog } from './inventory-tree.js';
import { readYamlTree } from './inventory-yaml-tree.js';

/** Reads an inventory YAML file; throws InventoryFileError (BAD_INPUT) listing every problem. */
export function parseInventoryYaml(text: string, source = 'inventory.yaml'): InventoryDocument {
  const log = new ProblemLog();
  const root = readYamlTree(log, acceptInventoryText(text, source));
  // After a syntax error the tree is partial: field problems found in it would only mislead.
  throwIfProblems(source, log.problems);
  return readInventoryDocument(log, root, source);
}

/** Writes a document that parseInventoryYaml reads back equal, every setting spelled out. */
export function formatInventoryYaml(inventory: InventoryDocument): string {
  const document = new Document(null, { aliasDuplicateObjects: false });
  // Small records on one line, as in the format description: a file people read and diff.
  const flow = (value: object): Node => document.createNode(value, { flow: true, aliasDuplicateObjects: false });
  const sections: Record<string, unknown[]> = {
    people: inventory.people.map((person) => formatPerson(person, flow)),
    policies: inventory.policies.map((policy) => formatPolicy(policy, flow)),
    systems: inventory.systems.map((system) => formatSystem(system, flow)),
    patches: inventory.patches.map(formatPatch),
  };
  document.contents = document.createNode(
    Object.fromEntries(Object.entries(sections).filter(([, entries]) => entries.length > 0)),
    { aliasDuplicateObjects: false },
  );
  return document.toString({ lineWidth: 0 });
}

type Flow = (value: object) => Node;

// "09:00" quoted: a YAML 1.1 reader (PyYAML...) would read 09:00 as the number 540.
function clock(minute: number): Scalar {
  const scalar = new Scalar(formatClock(minute));
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

function days(list: readonly Weekday[]): string[] {
  return list.map(formatWeekday);
}

function formatPerson(person: Person, flow: Flow): object {
  const { days: workDays, startMinute, endMinute } = person.workingHours;
  return definedOnly({
    handle: person.handle,
    name: person.name,
    slack: person.chat.slack,
    teams: person.chat.teams,
    timeZone: person.timeZone,
    workingHours: flow({ days: days(workDays), start: clock(startMinute), end: clock(endMinute) }),
    manager: person.manager,
  });
}

function formatPolicy(policy: EscalationPolicy, flow: Flow): object {
  const sla = policy.slaMs;
  return definedOnly({
    name: policy.name,
    sla: flow({
      critical: formatLength(sla.critical),
      high: formatLength(sla.high),
      medium: formatLength(sla.medium),
      low: formatLength(sla.low),
    }),
    remindBefore: policy.remindBeforeMs === 0 ? 0 : formatLength(policy.remindBeforeMs),
    levels: policy.levels.map((level) => flow({ targets: [...level.targets], wait: formatLength(level.waitMs) })),
    repeat: policy.repeatCap,
    ackFor: formatLength(policy.ackForMs),
    ack: flow({ maxCount: (policy.ack ?? DEFAULT_ACK).maxCount }),
    snooze: flow({ maxCount: policy.snooze.maxCount, maxLength: formatLength(policy.snooze.maxLengthMs) }),
    riskApprovers: policy.riskApprovers.length > 0 ? flow([...policy.riskApprovers]) : undefined,
    leadership: policy.leadership.length > 0 ? flow([...policy.leadership]) : undefined,
    quietHours: policy.quietHours,
    outage: policy.outage === undefined ? undefined : formatOutage(policy.outage, flow),
  });
}

// Written only when the policy has one, each part spelled out: `remindBefore: []` (no reminders)
// differs from leaving it out (the default reminders).
function formatOutage(outage: OutageApproval, flow: Flow): Node {
  return flow({
    approvers: flow([...outage.approvers]),
    quorum: outage.quorum,
    selfApproval: outage.selfApproval,
    expireAfter: formatLength(outage.expireAfterMs),
    remindBefore: flow(outage.remindBeforeMs.map(formatLength)),
  });
}

function formatSystem(system: System, flow: Flow): object {
  return definedOnly({
    name: system.name,
    kind: system.kind,
    criticality: system.criticality,
    owner: system.owner,
    channel: flow(definedOnly({ slack: system.channel.slack, teams: system.channel.teams })),
    policy: system.policy,
    maintenanceWindows: nonEmpty(
      system.maintenanceWindows.map((window) =>
        flow({
          days: days(window.days),
          start: clock(window.startMinute),
          duration: formatLength(window.durationMs),
          timeZone: window.timeZone,
        }),
      ),
    ),
    freezes: nonEmpty(
      system.freezes.map((freeze) =>
        flow(
          definedOnly({
            from: formatInstant(freeze.from),
            to: formatEndInstant(freeze.to),
            reason: freeze.reason === '' ? undefined : freeze.reason,
          }),
        ),
      ),
    ),
    dependsOn: system.dependsOn.length > 0 ? flow([...system.dependsOn]) : undefined,
  });
}

function formatPatch(patch: PatchSpec): object {
  return definedOnly({
    system: patch.system,
    title: patch.title,
    advisory: patch.advisory,
    severity: patch.severity,
    released: formatInstant(patch.releasedAt),
    due: patch.dueAt === undefined ? undefined : formatInstant(patch.dueAt),
  });
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}
