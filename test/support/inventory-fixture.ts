/** A small inventory in code: a three-person chain, one policy, systems and patches to order. */
import {
  DEFAULT_WORKING_HOURS,
  type EscalationPolicy,
  type InventoryDocument,
  type PatchSpec,
  type Person,
  type System,
} from '../../src/patching/inventory.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const PEOPLE: readonly Person[] = [
  {
    handle: 'alice',
    name: 'Alice Owner',
    chat: { slack: 'UALICE', teams: 'aad-alice' },
    timeZone: 'Europe/Berlin',
    workingHours: DEFAULT_WORKING_HOURS,
    manager: 'bob',
  },
  {
    handle: 'bob',
    name: 'Bob Manager',
    chat: { slack: 'UBOB', teams: 'aad-bob' },
    timeZone: 'Europe/Berlin',
    workingHours: DEFAULT_WORKING_HOURS,
    manager: 'carol',
  },
  {
    handle: 'carol',
    name: 'Carol Chief',
    chat: { slack: 'UCAROL' },
    timeZone: 'America/New_York',
    workingHours: DEFAULT_WORKING_HOURS,
  },
];

export const STANDARD_POLICY: EscalationPolicy = {
  name: 'standard',
  slaMs: { critical: 7 * DAY, high: 30 * DAY, medium: 90 * DAY, low: 180 * DAY },
  remindBeforeMs: 3 * DAY,
  levels: [
    { targets: ['owner'], waitMs: 2 * DAY },
    { targets: ['owner', 'team-channel'], waitMs: 2 * DAY },
    { targets: ['manager'], waitMs: 3 * DAY },
    { targets: ['leadership'], waitMs: 7 * DAY },
  ],
  repeatCap: 2,
  ackForMs: 3 * DAY,
  ack: { maxCount: 1 },
  snooze: { maxCount: 2, maxLengthMs: 7 * DAY },
  riskApprovers: ['carol'],
  leadership: [],
  quietHours: false,
};

export function system(name: string, overrides: Partial<System> = {}): System {
  return {
    name,
    kind: 'mail-server',
    criticality: 'high',
    owner: 'alice',
    channel: { slack: 'CMAILOPS', teams: '19:mailops@thread.tacv2' },
    policy: 'standard',
    maintenanceWindows: [{ days: [6], startMinute: 22 * 60, durationMs: 4 * HOUR, timeZone: 'Europe/Berlin' }],
    freezes: [],
    dependsOn: [],
    ...overrides,
  };
}

export function patch(
  systemName: string,
  advisory: string,
  releasedAt: number,
  overrides: Partial<PatchSpec> = {},
): PatchSpec {
  return { system: systemName, title: `Fix for ${advisory}`, advisory, severity: 'critical', releasedAt, ...overrides };
}

export function inventory(parts: Partial<InventoryDocument> = {}): InventoryDocument {
  return { people: PEOPLE, policies: [STANDARD_POLICY], systems: [system('mail-gw-1')], patches: [], ...parts };
}
