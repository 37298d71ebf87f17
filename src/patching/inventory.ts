/**
 * The patch inventory as plain data: people and their management chain, escalation policies,
 * systems, and the patches each system is waiting for. Times are epoch milliseconds (UTC);
 * durations are milliseconds. Nothing here knows about files, chat or the database.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** ISO weekday numbers: 1 = Monday ... 7 = Sunday (as luxon and ISO 8601 count them). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A daily span of local time on some weekdays; minutes since local midnight, end exclusive. */
export interface WorkingHours {
  readonly days: readonly Weekday[];
  readonly startMinute: number;
  readonly endMinute: number;
}

/** Monday to Friday, 09:00 to 18:00 local time. */
export const DEFAULT_WORKING_HOURS: WorkingHours = { days: [1, 2, 3, 4, 5], startMinute: 9 * 60, endMinute: 18 * 60 };

/** Where one person or one channel is reached on each platform. Either may be missing. */
export interface ChatAddress {
  /** Slack user id (U...) or channel id (C...). */
  readonly slack?: string;
  /** Teams: a user's AAD object id, or a channel's conversation id (19:...@thread.tacv2). */
  readonly teams?: string;
}

export interface Person {
  /** Stable short name used everywhere else in the inventory (`alice`). */
  readonly handle: string;
  readonly name: string;
  readonly chat: ChatAddress;
  /** IANA zone, e.g. Europe/Berlin: nags respect the recipient's working hours in it. */
  readonly timeZone: string;
  readonly workingHours: WorkingHours;
  /** Handle of this person's manager; the chain ends at someone without one. */
  readonly manager?: string;
}

/**
 * Who a level of escalation reaches. Every nag goes into the system's thread in its team channel;
 * `team-channel` also shows it in the channel itself, the others add a direct message.
 * `leadership` is the policy's named leaders, or else the top of the owner's management chain.
 */
export const ESCALATION_TARGETS = ['owner', 'team-channel', 'manager', 'leadership'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];

export interface EscalationLevel {
  readonly targets: readonly EscalationTarget[];
  /** How long this level waits for someone to act before the next level (or a repeat) is nagged. */
  readonly waitMs: number;
}

export interface EscalationPolicy {
  readonly name: string;
  /** Due date of a patch released at time t with no explicit due date: t + sla[severity]. */
  readonly slaMs: Readonly<Record<Severity, number>>;
  /** The owner hears of a patch this long before it is due. 0: only once it is overdue. */
  readonly remindBeforeMs: number;
  readonly levels: readonly EscalationLevel[];
  /** How many more times the last level is nagged after its first nag; then escalation stops. */
  readonly repeatCap: number;
  /**
   * An acknowledgement holds the level reached for this long; the level's own wait keeps running,
   * so when both are over the next level is nagged (escalation.ts).
   */
  readonly ackForMs: number;
  /** Acknowledgements allowed at each level; absent (policies stored before it existed): DEFAULT_ACK. */
  readonly ack?: AckLimits;
  readonly snooze: { readonly maxCount: number; readonly maxLengthMs: number };
  /** Handles of the people who may approve a risk acceptance. */
  readonly riskApprovers: readonly string[];
  /** Handles of the `leadership` target; empty: the top of the owner's chain. */
  readonly leadership: readonly string[];
  /** Defer nags that fall outside the recipient's working hours to the next working hour. */
  readonly quietHours: boolean;
  /** Who decides outage-window requests for systems under this policy; absent: the defaults below. */
  readonly outage?: OutageApproval;
}

export interface AckLimits {
  /** How many times each level (the coming-due reminder counts as one) may be acknowledged. */
  readonly maxCount: number;
}

/**
 * One acknowledgement a level (issue 15): acknowledging after every nag used to keep a patch at
 * the owner for ever; with one, a patch nobody applies still reaches the top of the chain.
 */
export const DEFAULT_ACK: AckLimits = { maxCount: 1 };

/** How outage-window requests for a policy's systems are decided. */
export interface OutageApproval {
  /** Handles of the people who may approve or deny. */
  readonly approvers: readonly string[];
  /** How many distinct approvers must approve (N of M); one denial decides. */
  readonly quorum: number;
  /** Whether a requester who is also an approver may count towards their own request. */
  readonly selfApproval: boolean;
  /** A request without a decision expires after this long. */
  readonly expireAfterMs: number;
  /** Reminders to the owner this long before an approved window starts (e.g. 24 h and 1 h). */
  readonly remindBeforeMs: readonly number[];
}

export const DEFAULT_OUTAGE_APPROVAL: OutageApproval = {
  approvers: [],
  quorum: 1,
  selfApproval: false,
  expireAfterMs: 3 * 86_400_000,
  remindBeforeMs: [86_400_000, 3_600_000],
};

/** A recurring slot in which a system may be taken down, in the system's local time. */
export interface MaintenanceWindow {
  readonly days: readonly Weekday[];
  readonly startMinute: number;
  readonly durationMs: number;
  readonly timeZone: string;
}

/** No changes at all between `from` and `to` (year-end, audits...). */
export interface FreezePeriod {
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

export interface System {
  /** Unique, stable name (`mail-gw-1`); the key for import, chat commands and threads. */
  readonly name: string;
  /** Free text: mail-server, dns, firewall... */
  readonly kind: string;
  readonly criticality: Criticality;
  /** Handle of the owner. */
  readonly owner: string;
  /** The team channel where each patch's nag thread starts. */
  readonly channel: ChatAddress;
  /** Name of the escalation policy. */
  readonly policy: string;
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  readonly freezes: readonly FreezePeriod[];
  /** Names of systems this one needs (outage windows must not overlap theirs). */
  readonly dependsOn: readonly string[];
}

export interface PatchSpec {
  readonly system: string;
  readonly title: string;
  /** Advisory or CVE id; with the system it identifies the patch (else the title does). */
  readonly advisory?: string;
  readonly severity: Severity;
  readonly releasedAt: number;
  /** Set explicitly; otherwise derived from the policy's SLA for the severity. */
  readonly dueAt?: number;
}

/** The identity of a patch within its system: the advisory id, or the title when there is none. */
export function patchKey(patch: Pick<PatchSpec, 'advisory' | 'title'>): string {
  return patch.advisory !== undefined && patch.advisory !== '' ? patch.advisory : patch.title;
}

/** Everything an inventory file holds. */
export interface InventoryDocument {
  readonly people: readonly Person[];
  readonly policies: readonly EscalationPolicy[];
  readonly systems: readonly System[];
  readonly patches: readonly PatchSpec[];
}
