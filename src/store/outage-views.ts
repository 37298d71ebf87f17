/**
 * Outage requests as chat shows them: the request with its system, its policy's approval rules,
 * the people named on it and the patches the window would apply (read again for every copy of
 * the card, so a card always shows the request as it stands), and the windows still to come.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import { DEFAULT_OUTAGE_APPROVAL, type OutageApproval, type Person, type System } from '../patching/inventory.js';
import { findPerson, findPolicy, patchesOf, peopleNamed, requireSystem } from './inventory-queries.js';
import type { StoredPatch } from './inventory-rows.js';
import { outageRequestById, type OutageRequest } from './outage-requests.js';
import { toRequest } from './outage-request-rows.js';
import type { Database } from './schema.js';

export interface OutageView {
  readonly request: OutageRequest;
  readonly system: System;
  readonly approval: OutageApproval;
  /** The policy's approvers the inventory knows, in the policy's order. */
  readonly approvers: readonly Person[];
  readonly requester: Person | undefined;
  /** Open patches the window would apply: those overdue when it was asked for, or overdue now. */
  readonly patches: readonly StoredPatch[];
}

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
