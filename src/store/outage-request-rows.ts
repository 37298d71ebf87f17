/** Outage requests as the store holds them, read back into plain data. */
import type { Kysely, Selectable } from 'kysely';
import type { OutageStatus } from '../outages/outage-approval.js';
import type { Database, OutageRequestsTable } from './schema.js';

export interface OutageRequest {
  readonly id: number;
  readonly system: string;
  readonly start: number;
  readonly end: number;
  readonly reason: string;
  readonly requestedBy: string;
  readonly status: OutageStatus;
  readonly approvals: readonly string[];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly decidedBy: string | undefined;
  readonly decidedAt: number | undefined;
  readonly decisionNote: string | undefined;
  readonly proposedStart: number | undefined;
  /** Keys of the overdue patches the window was asked for. */
  readonly patches: readonly string[];
}

export async function outageRequestById(db: Kysely<Database>, id: number): Promise<OutageRequest | undefined> {
  const row = await db.selectFrom('outage_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRequest(row);
}

export function toRequest(row: Selectable<OutageRequestsTable>): OutageRequest {
  return {
    id: row.id,
    system: row.system,
    start: row.start_at,
    end: row.end_at,
    reason: row.reason,
    requestedBy: row.requested_by,
    status: row.status as OutageStatus,
    approvals: JSON.parse(row.approvals) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    decisionNote: row.decision_note ?? undefined,
    proposedStart: row.proposed_start ?? undefined,
    patches: JSON.parse(row.patches) as string[],
  };
}
