/**
 * Outage requests as chat shows them (outages/outage-view.ts), read again for every copy of the
 * card, so a card always shows the request as it stands; and the windows still to come.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { OutageRequest } from '../outages/outage-record.js';
import type { OutageView } from '../outages/outage-view.js';
import { DEFAULT_OUTAGE_APPROVAL } from '../patching/inventory.js';
import { findPerson, findPolicy, patchesOf, peopleNamed, requireSystem } from './inventory-queries.js';
import { outageRequestById, toRequest } from './outage-request-rows.js';
import type { Database } from './schema.js';

export async function loadOutageView(db: Kysely<Database>, id: number, now: number): Promise<OutageView> {
  const request = await outageRequestById(db, id);
  if (request === undefined) throw new AppError('NOT_FOUND', `there is no outage request ${id}`);
  const system = await requireSystem(db, request.system);
  const policy = await findPolicy(db, system.policy);
  const approval = policy?.outage ?? DEFAULT_OUTAGE_APPROVAL;
  const approvers = await peopleNamed(db, approval.approvers);
  const ordered = approval.approvers
    .map((handle) => approvers.find((person) => person.handle === handle))
    .filter((person) => person !== undefined);
  const asked = new Set(request.patches);
  const patches = (await patchesOf(db, system.name))
    .filter((patch) => patch.status === 'open' && (asked.has(patch.key) || patch.dueAt < now))
    .sort((a, b) => a.dueAt - b.dueAt);
  return {
    request,
    system,
    approval,
    approvers: ordered,
    requester: await findPerson(db, request.requestedBy),
    patches,
  };
}

/** Requests waiting for a decision, and approved windows that have not ended, soonest first. */
export async function upcomingOutages(db: Kysely<Database>, now: number, limit = 200): Promise<OutageRequest[]> {
  const rows = await db
    .selectFrom('outage_requests')
    .selectAll()
    .where((where) =>
      where.or([
        where.and([where('status', '=', 'pending'), where('expires_at', '>', now)]),
        where.and([where('status', '=', 'approved'), where('end_at', '>', now)]),
      ]),
    )
    .orderBy('start_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toRequest);
}
