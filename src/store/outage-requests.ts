/**
 * Outage-window requests on record: asked by the owner's chain, decided by the policy's outage
 * approvers; who may ask and what a vote decides are the cores' (patching/patch-permission.ts,
 * outages/outage-request.ts, outages/outage-vote.ts). Votes run in the serialized write
 * transaction, so when two approvers click at the same moment, on Slack and on Teams, exactly one
 * decision is recorded and the other is told it came too late.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { OutageRequest } from '../outages/outage-record.js';
import { checkOutageRequest, requireOutageApprovers } from '../outages/outage-request.js';
import { decideOutageVote, type OutageBallot, type OutageVoteDecision } from '../outages/outage-vote.js';
import {
  DEFAULT_OUTAGE_APPROVAL,
  type EscalationPolicy,
  type OutageApproval,
  type Person,
  type System,
} from '../patching/inventory.js';
import { requireOwnerOrChain } from '../patching/patch-permission.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import type { Actor } from './actor.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { findPolicy, managementChain, peopleNamed, requireSystem } from './inventory-queries.js';
import { escalationColumns, patchFromRow } from './inventory-rows.js';
import { toRequest } from './outage-request-rows.js';
import { planSteps } from './outage-steps.js';
import type { Database } from './schema.js';
import { writeTransaction } from './write-transaction.js';

export { outageRequestById } from './outage-request-rows.js';

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
    requireOwnerOrChain(system, await managementChain(trx, system.owner), input.person, input.identity);
    const approval = approvalOf(await policyOf(trx, system));
    const approvers = await peopleNamed(trx, approval.approvers);
    requireOutageApprovers(system, approvers);
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

export interface OutageVoteInput extends Actor, Omit<OutageBallot, 'person' | 'identity'> {
  readonly id: number;
  readonly now: number;
}

/** One approver's decision (outages/outage-vote.ts); returns the request as it stands after it. */
export async function voteOnOutage(store: OpenDatabase, input: OutageVoteInput): Promise<OutageRequest> {
  return writeTransaction(store, async (trx) => {
    const row = await trx.selectFrom('outage_requests').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `there is no outage request ${input.id}`);
    const system = await requireSystem(trx, row.system);
    const policy = await policyOf(trx, system);
    const request = toRequest(row);
    const decision = decideOutageVote(
      { request, policy, approval: approvalOf(policy), patches: await openPatchesNamed(trx, request) },
      input,
      input.now,
    );
    const { outcome } = decision;
    await trx
      .updateTable('outage_requests')
      .set({
        status: outcome.status,
        approvals: JSON.stringify(decision.approvals),
        ...(decision.decided ? { decided_by: decision.voter, decided_at: input.now } : {}),
        ...(outcome.status === 'denied' ? { decision_note: outcome.reason } : {}),
        ...(outcome.status === 'rescheduled' ? { proposed_start: outcome.start } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    await planSteps(trx, row.id, decision.steps);
    await recordEscalations(trx, decision);
    await auditAppender(trx).append({
      at: input.now,
      actor: decision.voter,
      action: decision.decided ? `outage-${outcome.status}` : 'outage-approval',
      system: system.name,
      surface: input.surface,
      details: {
        request: row.id,
        ...(outcome.status === 'pending' ? { approvals: decision.approvals, needed: outcome.needed } : {}),
        ...(outcome.status === 'denied' ? { reason: outcome.reason } : {}),
        ...(outcome.status === 'rescheduled' ? { proposedStart: new Date(outcome.start).toISOString() } : {}),
      },
    });
    return toRequest(
      await trx.selectFrom('outage_requests').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow(),
    );
  });
}

/** The open patches a request was asked for, which a denial escalates. */
async function openPatchesNamed(trx: Kysely<Database>, request: OutageRequest): Promise<StoredPatch[]> {
  if (request.patches.length === 0) return [];
  const rows = await trx
    .selectFrom('patches')
    .selectAll()
    .where('system', '=', request.system)
    .where('patch_key', 'in', request.patches)
    .where('status', '=', 'open')
    .execute();
  return rows.map(patchFromRow);
}

/** A denial's escalations: each patch's new state, and its nag recorded like the sweep's for the nag jobs to send. */
async function recordEscalations(trx: Kysely<Database>, decision: OutageVoteDecision): Promise<void> {
  for (const { patch, state, nag } of decision.escalations) {
    await trx.updateTable('patches').set(escalationColumns(state)).where('id', '=', patch.id).execute();
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

async function policyOf(db: Kysely<Database>, system: System): Promise<EscalationPolicy> {
  const policy = await findPolicy(db, system.policy);
  if (policy === undefined)
    throw new AppError(
      'NOT_FOUND',
      `system ${system.name} names policy "${system.policy}", which is not in the inventory`,
    );
  return policy;
}

function approvalOf(policy: EscalationPolicy): OutageApproval {
  return policy.outage ?? DEFAULT_OUTAGE_APPROVAL;
}
