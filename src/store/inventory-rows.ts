/** Inventory records to table rows and back; nested data is JSON text (schema.ts). */
import type { Selectable } from 'kysely';
import type { EscalationState } from '../patching/escalation.js';
import type { Criticality, EscalationPolicy, Person, Severity, System } from '../patching/inventory.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import type { PatchesTable, PeopleTable, PoliciesTable, SystemsTable } from './schema.js';

export function personRow(person: Person): PeopleTable {
  return {
    handle: person.handle,
    name: person.name,
    slack_id: person.chat.slack ?? null,
    teams_id: person.chat.teams ?? null,
    time_zone: person.timeZone,
    working_hours: JSON.stringify(person.workingHours),
    manager: person.manager ?? null,
  };
}

export function personFromRow(row: PeopleTable): Person {
  return {
    handle: row.handle,
    name: row.name,
    chat: {
      ...(row.slack_id !== null ? { slack: row.slack_id } : {}),
      ...(row.teams_id !== null ? { teams: row.teams_id } : {}),
    },
    timeZone: row.time_zone,
    workingHours: JSON.parse(row.working_hours) as Person['workingHours'],
    ...(row.manager !== null ? { manager: row.manager } : {}),
  };
}

export function policyRow(policy: EscalationPolicy): PoliciesTable {
  const { name, ...definition } = policy;
  return { name, definition: JSON.stringify(definition) };
}

export function policyFromRow(row: PoliciesTable): EscalationPolicy {
  return { name: row.name, ...(JSON.parse(row.definition) as Omit<EscalationPolicy, 'name'>) };
}

export function systemRow(system: System): SystemsTable {
  return {
    name: system.name,
    kind: system.kind,
    criticality: system.criticality,
    owner: system.owner,
    slack_channel: system.channel.slack ?? null,
    teams_channel: system.channel.teams ?? null,
    policy: system.policy,
    maintenance_windows: JSON.stringify(system.maintenanceWindows),
    freezes: JSON.stringify(system.freezes),
    depends_on: JSON.stringify(system.dependsOn),
  };
}

export function systemFromRow(row: SystemsTable): System {
  return {
    name: row.name,
    kind: row.kind,
    criticality: row.criticality as Criticality,
    owner: row.owner,
    channel: {
      ...(row.slack_channel !== null ? { slack: row.slack_channel } : {}),
      ...(row.teams_channel !== null ? { teams: row.teams_channel } : {}),
    },
    policy: row.policy,
    maintenanceWindows: JSON.parse(row.maintenance_windows) as System['maintenanceWindows'],
    freezes: JSON.parse(row.freezes) as System['freezes'],
    dependsOn: JSON.parse(row.depends_on) as System['dependsOn'],
  };
}

export function patchFromRow(row: Selectable<PatchesTable>): StoredPatch {
  return {
    id: row.id,
    system: row.system,
    key: row.patch_key,
    title: row.title,
    advisory: row.advisory ?? undefined,
    severity: row.severity as Severity,
    releasedAt: row.released_at,
    dueAt: row.due_at,
    dueSource: row.due_source as 'sla' | 'set',
    status: row.status as 'open' | 'done',
    doneAt: row.done_at ?? undefined,
    doneBy: row.done_by ?? undefined,
    escalation: JSON.parse(row.escalation) as EscalationState,
  };
}

/** The escalation columns: the state, and its nextAt copied out for the sweep's index. */
export function escalationColumns(state: EscalationState): Pick<PatchesTable, 'escalation' | 'next_at'> {
  return { escalation: JSON.stringify(state), next_at: state.nextAt };
}
