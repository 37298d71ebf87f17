/**
 * Outage-window requests on record: asked by the owner's chain (checked by the outages core
 * before anything is stored), decided by the policy's outage approvers. Decisions run in the
 * serialized write transaction, so when two approvers click at the same moment, on Slack and on
 * Teams, exactly one decision is recorded and the other is told it came too late.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import { castVote, type Vote } from '../outages/outage-approval.js';
import { checkOutageRequest } from '../outages/outage-request.js';
import { planOutageSteps } from '../outages/outage-steps.js';
import { escalateForDenial } from '../patching/escalation.js';
import { DEFAULT_OUTAGE_APPROVAL, type OutageApproval, type Person, type System } from '../patching/inventory.js';
import type { Actor } from './actor.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { findPolicy, requireSystem, peopleNamed } from './inventory-queries.js';
import { escalationColumns, patchFromRow, type StoredPatch } from './inventory-rows.js';
import { planSteps } from './outage-steps.js';
import { requireOwnerOrChain } from './patch-actions.js';
import { type OutageRequest, toRequest } from './outage-request-rows.js';
import type { Database } from './schema.js';
import { writeTransaction } from './write-transaction.js';

export { type OutageRequest, outageRequestById } from './outage-request-rows.js';

export interface OutageAskInput extends Actor {
  readonly system: string;
  readonly start: number;
  readonly durationMs: number;
  readonly reason: string;
  readonly now: number;
  /** The requester's zone, for the times in a refusal. */
  readonly timeZone: string;
}

export interface AskedOutage {
  readonly request: OutageRequest;
  readonly system: System;
  readonly approval: OutageApproval;
  readonly approvers: readonly Person[];
  /** The system's open patches past their due date: what the window would apply. */
  readonly overdue: readonly StoredPatch[];
}

export async function requestOutage(store: OpenDatabase, input: OutageAskInput): Promise<AskedOutage> {
  return writeTransaction(store, async (trx) => {
    const system = await requireSystem(trx, input.system);
    await requireOwnerOrChain(trx, system, input.person, input.identity);
    const approval = await approvalOf(trx, system);
    const approvers = await peopleNamed(trx, approval.approvers);
    if (approvers.length === 0)
      throw new AppError(
        'FORBIDDEN',
        `nobody may approve outages of ${system.name}: add outage.approvers to the ${system.policy} policy`,
      );
    const booked = await trx
      .selectFrom('outage_requests')
      .select(['id', 'system', 'start_at', 'end_at'])
      .where('system', 'in', [system.name, ...system.dependsOn])
      .where('status', '=', 'approved')
      .where('end_at', '>', input.now)
      .execute();
    checkOutageRequest(
      { system, start: input.start, durationMs: input.durationMs, reason: input.reason },
      {
        now: input.now,
        timeZone: input.timeZone,
        booked: booked.map((row) => ({ id: row.id, system: row.system, start: row.start_at, end: row.end_at })),
      },
    );
    const requester = input.person!.handle;
    const overdue = (
      await trx
        .selectFrom('patches')
        .selectAll()
        .where('system', '=', system.name)
        .where('status', '=', 'open')
        .where('due_at', '<', input.now)
        .orderBy('due_at')
        .execute()
    ).map(patchFromRow);
    const row = await trx
      .insertInto('outage_requests')
      .values({
        system: system.name,
        start_at: input.start,
        end_at: input.start + input.durationMs,
        reason: input.reason.trim(),
        requested_by: requester,
        status: 'pending',
        approvals: '[]',
        created_at: input.now,
        expires_at: input.now + approval.expireAfterMs,
        decided_by: null,
        decided_at: null,
        decision_note: null,
        proposed_start: null,
        patches: JSON.stringify(overdue.map((patch) => patch.key)),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await auditAppender(trx).append({
      at: input.now,
      actor: requester,
      action: 'outage-requested',
      system: system.name,
      surface: input.surface,
      details: {
        request: row.id,
        start: new Date(input.start).toISOString(),
        end: new Date(input.start + input.durationMs).toISOString(),
        reason: input.reason.trim(),
        overduePatches: overdue.map((patch) => patch.key),
      },
    });
    return { request: toRequest(row), system, approval, approvers, overdue };
  });
}

export interface OutageVoteInput extends Actor {
  readonly id: number;
  readonly vote: Vote['decision'];
  readonly reason?: string;
  readonly proposedStart?: number;
  readonly now: number;
}

/** One approver's decision; returns the request as it stands after it. */
export async function voteOnOutage(store: OpenDatabase, input: OutageVoteInput): Promise<OutageRequest> {
  return writeTransaction(store, async (trx) => {
    const row = await trx.selectFrom('outage_requests').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `there is no outage request ${input.id}`);
    const system = await requireSystem(trx, row.system);
    const approval = await approvalOf(trx, system);
    if (input.person === undefined)
      throw new AppError(
        'FORBIDDEN',
        `you (${input.identity}) are not in the inventory; the outage approvers are: ${approval.approvers.join(', ')}`,
      );
    const request = toRequest(row);
    const vote: Vote =
      input.vote === 'deny'
        ? { approver: input.person.handle, decision: 'deny', reason: input.reason ?? '' }
        : input.vote === 'propose'
          ? { approver: input.person.handle, decision: 'propose', start: input.proposedStart ?? 0 }
          : { approver: input.person.handle, decision: 'approve' };
    const outcome = castVote(request, vote, approval, input.now);
    const decided = outcome.status !== 'pending';
    const approvals = 'approvals' in outcome ? outcome.approvals : request.approvals;
    await trx
      .updateTable('outage_requests')
      .set({
        status: outcome.status,
        approvals: JSON.stringify(approvals),
        ...(decided ? { decided_by: input.person.handle, decided_at: input.now } : {}),
        ...(outcome.status === 'denied' ? { decision_note: outcome.reason } : {}),
        ...(outcome.status === 'rescheduled' ? { proposed_start: outcome.start } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    if (outcome.status === 'approved')
      await planSteps(trx, row.id, planOutageSteps({ start: row.start_at, end: row.end_at }, approval, input.now));
    if (outcome.status === 'denied') await escalateDeniedPatches(trx, toRequest(row), input.now);
    await auditAppender(trx).append({
      at: input.now,
      actor: input.person.handle,
      action: decided ? `outage-${outcome.status}` : 'outage-approval',
      system: system.name,
      surface: input.surface,
      details: {
        request: row.id,
        ...(outcome.status === 'pending' ? { approvals, needed: outcome.needed } : {}),
        ...(outcome.status === 'denied' ? { reason: outcome.reason } : {}),
        ...(outcome.status === 'rescheduled' ? { proposedStart: new Date(outcome.start).toISOString() } : {}),
      },
    });
    return toRequest(
      await trx.selectFrom('outage_requests').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow(),
    );
  });
}

/**
 * A denied window does not end the matter: each overdue patch it was for is escalated one level
 * at once (a nag recorded like the sweep's, sent by the nag jobs, saying who denied it and why).
 */
async function escalateDeniedPatches(trx: Kysely<Database>, request: OutageRequest, now: number): Promise<void> {
  if (request.patches.length === 0) return;
  const system = await requireSystem(trx, request.system);
  const policy = await findPolicy(trx, system.policy);
  if (policy === undefined) return;
  const patches = (
    await trx
      .selectFrom('patches')
      .selectAll()
      .where('system', '=', system.name)
      .where('patch_key', 'in', request.patches)
      .where('status', '=', 'open')
      .execute()
  ).map(patchFromRow);
  for (const patch of patches) {
    const escalated = escalateForDenial(patch.escalation, patch, policy, now);
    if (escalated === undefined) continue;
    await trx.updateTable('patches').set(escalationColumns(escalated.state)).where('id', '=', patch.id).execute();
    const { nag } = escalated;
    await trx
      .insertInto('nags')
      .values({
        patch_id: patch.id,
        step: nag.step,
        level: nag.level,
        kind: nag.kind,
        planned_at: nag.at,
        status: 'pending',
        sent_at: null,
      })
      .execute();
  }
}

/** Pending requests whose time ran out become expired (audited); returns them, to update their cards. */
export async function expireOutageRequests(store: OpenDatabase, now: number): Promise<OutageRequest[]> {
  return writeTransaction(store, async (trx) => {
    const expired = await trx
      .updateTable('outage_requests')
      .set({ status: 'expired' })
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .returningAll()
      .execute();
    await auditAppender(trx).appendAll(
      expired.map((row) => ({
        at: now,
        actor: 'mxops',
        action: 'outage-expired',
        system: row.system,
        surface: 'scheduler' as const,
        details: { request: row.id },
      })),
    );
    return expired.map(toRequest);
  });
}

/** Remembers a posted copy of a request's card (every platform, every approver's DM). */
export async function recordOutageCard(
  db: Kysely<Database>,
  requestId: number,
  card: { platform: string; conversation: string; message: string },
): Promise<void> {
  await db
    .insertInto('outage_cards')
    .values({ request_id: requestId, ...card })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

export async function outageCards(
  db: Kysely<Database>,
  requestId: number,
): Promise<{ platform: string; conversation: string; message: string }[]> {
  return db
    .selectFrom('outage_cards')
    .select(['platform', 'conversation', 'message'])
    .where('request_id', '=', requestId)
    .execute();
}

async function approvalOf(db: Kysely<Database>, system: System): Promise<OutageApproval> {
  const policy = await findPolicy(db, system.policy);
  if (policy === undefined)
    throw new AppError(
      'NOT_FOUND',
      `system ${system.name} names policy "${system.policy}", which is not in the inventory`,
    );
  return policy.outage ?? DEFAULT_OUTAGE_APPROVAL;
}
