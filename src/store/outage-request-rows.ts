/** Outage requests as the store holds them, read back into the outages core's OutageRequest. */
import type { Kysely, Selectable } from 'kysely';
import type { OutageStatus } from '../outages/outage-approval.js';
import type { OutageRequest } from '../outages/outage-record.js';
import type { Database, OutageRequestsTable } from './schema.js';

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
