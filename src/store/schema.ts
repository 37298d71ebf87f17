/**
 * The tables, as Kysely sees them. One schema for SQLite and PostgreSQL: times are epoch
 * milliseconds in BIGINT/INTEGER columns (PostgreSQL's int8 is read back as a number, see
 * database.ts), flags are short text values, and nested inventory data (windows, freezes, policy
 * levels) is JSON text that the store parses with the inventory's own types.
 */
import type { Generated } from 'kysely';

export interface PeopleTable {
  handle: string;
  name: string;
  slack_id: string | null;
  teams_id: string | null;
  time_zone: string;
  /** JSON WorkingHours. */
  working_hours: string;
  manager: string | null;
}

export interface PoliciesTable {
  name: string;
  /** JSON EscalationPolicy without its name. */
  definition: string;
}

export interface SystemsTable {
  name: string;
  kind: string;
  criticality: string;
  owner: string;
  slack_channel: string | null;
  teams_channel: string | null;
  policy: string;
  /** JSON arrays of MaintenanceWindow, FreezePeriod and system names. */
  maintenance_windows: string;
  freezes: string;
  depends_on: string;
}

export interface PatchesTable {
  id: Generated<number>;
  system: string;
  /** patchKey(): the advisory id, or the title. Unique per system. */
  patch_key: string;
  title: string;
  advisory: string | null;
  severity: string;
  released_at: number;
  due_at: number;
  /** 'sla' when derived from the policy, 'set' when given explicitly. */
  due_source: string;
  /** 'open' or 'done'. */
  status: string;
  done_at: number | null;
  done_by: string | null;
  /** JSON EscalationState; its nextAt is copied to next_at so the sweep finds due work by index. */
  escalation: string;
  /** When the sweep must look at this patch next; null when nothing is pending. */
  next_at: number | null;
}

export interface NagsTable {
  patch_id: number;
  /** The escalation step this nag belongs to: (patch_id, step) is sent at most once. */
  step: number;
  level: number;
  kind: string;
  planned_at: number;
  /** 'pending' (recorded, not yet sent), 'sending', 'sent'. */
  status: string;
  sent_at: number | null;
  /** JSON array of the platforms the nag's thread post reached (a retry skips them). */
  delivered: Generated<string>;
}

/** A direct message a nag sent, recorded before the next step so a retry does not send it again. */
export interface NagDirectMessagesTable {
  patch_id: number;
  step: number;
  /** 'slack' or 'teams'. */
  platform: string;
  /** The platform's user id the message went to (Slack user id, Azure AD object id). */
  recipient: string;
  /** Where it landed: the DM channel (Slack D...) or the 1:1 chat (Teams), and the message's ts or activity id. */
  conversation: string;
  message: string;
}

export interface PatchThreadsTable {
  patch_id: number;
  /** 'slack' or 'teams'. */
  platform: string;
  conversation: string;
  message: string;
}

export interface RiskAcceptancesTable {
  id: Generated<number>;
  patch_id: number;
  requested_by: string;
  reason: string;
  /** JSON string array: air-gapped, frozen by policy... */
  controls: string;
  expires_at: number;
  /** 'pending', 'approved', 'rejected', 'expired', 'withdrawn'. */
  status: string;
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
}

export interface AuditLogTable {
  /** 1, 2, 3... with no gaps: set by the writer holding the write lock, not by the database. */
  seq: number;
  at: number;
  actor: string;
  action: string;
  system: string | null;
  surface: string;
  /** Canonical JSON of the entry's details. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface OutageRequestsTable {
  id: Generated<number>;
  system: string;
  start_at: number;
  end_at: number;
  reason: string;
  requested_by: string;
  /** 'pending', 'approved', 'denied', 'rescheduled', 'expired' (OutageStatus). */
  status: string;
  /** JSON array of the handles that approved so far (quorum). */
  approvals: string;
  created_at: number;
  expires_at: number;
  decided_by: string | null;
  decided_at: number | null;
  /** A denial's reason. */
  decision_note: string | null;
  /** A "propose another time" decision's start. */
  proposed_start: number | null;
  /** JSON array of the keys of the overdue patches the window is for ("Patched" marks them applied). */
  patches: Generated<string>;
}

/** One follow-through step of an approved window: 'remind-<ms>', 'start' or 'end'. */
export interface OutageStepsTable {
  request_id: number;
  kind: string;
  due_at: number;
  /** 'pending', 'sending', 'sent', 'cancelled'. */
  status: string;
  sent_at: number | null;
}

/** Every posted copy of a request's approval card: a decision replaces all of them in place. */
export interface OutageCardsTable {
  request_id: number;
  platform: string;
  conversation: string;
  message: string;
}

/** One mail check's report (reportToJson's document), kept so later checks can say what changed. */
export interface CheckReportsTable {
  id: Generated<number>;
  /** The checked domain, lower-case A-label. */
  domain: string;
  checked_at: number;
  /** The report's worst status. */
  status: string;
  /** What ran it: 'cli', 'chat', 'watch' or 'bounce'. */
  source: string;
  /** The JSON document, deflated (zlib). */
  report: Uint8Array;
}

/** A domain a channel watches: re-checked every interval, posting there when it gets worse or is fixed. */
export interface MailWatchesTable {
  id: Generated<number>;
  domain: string;
  platform: string;
  /** Slack channel id or Teams conversation id. */
  conversation: string;
  interval_ms: number;
  created_by: string;
  created_at: number;
  /** The report the watch last compared against. */
  last_report_id: number | null;
}

export interface Database {
  people: PeopleTable;
  policies: PoliciesTable;
  systems: SystemsTable;
  patches: PatchesTable;
  nags: NagsTable;
  nag_direct_messages: NagDirectMessagesTable;
  patch_threads: PatchThreadsTable;
  risk_acceptances: RiskAcceptancesTable;
  audit_log: AuditLogTable;
  outage_requests: OutageRequestsTable;
  outage_cards: OutageCardsTable;
  outage_steps: OutageStepsTable;
  check_reports: CheckReportsTable;
  mail_watches: MailWatchesTable;
}
