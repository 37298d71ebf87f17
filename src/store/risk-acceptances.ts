/**
 * Risk acceptances on record (the rules: patching/risk-acceptance.ts). While one is approved,
 * nagging pauses; at expiry the sweep resumes it at the level reached and marks the acceptance
 * expired. Every step is audited, in the transaction that makes it.
 */
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../errors.js';
import { acceptRisk } from '../patching/escalation.js';
import type { EscalationPolicy, Person, System } from '../patching/inventory.js';
import {
  checkRiskTerms,
  refuseRiskAlreadyAsked,
  requireMayAskToAcceptRisk,
  type RiskAcceptance,
  riskAcceptanceDecision,
} from '../patching/risk-acceptance.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import type { Actor } from './actor.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { findPolicy, findSystem, managementChain, peopleNamed } from './inventory-queries.js';
import { escalationColumns, patchFromRow } from './inventory-rows.js';
import type { Database, RiskAcceptancesTable } from './schema.js';
import { writeTransaction } from './write-transaction.js';

export interface RiskRequest extends Actor {
  readonly system: string;
  /** A patch key; omitted: every open patch of the system. */
  readonly patch?: string;
  readonly reason: string;
  readonly controls: readonly string[];
  readonly expiresAt: number;
  readonly now: number;
}

export interface RequestedRisk {
  readonly system: System;
  readonly acceptances: readonly RiskAcceptance[];
  /** Who may decide: the policy's risk approvers. */
  readonly approvers: readonly Person[];
}

export async function requestRiskAcceptance(store: OpenDatabase, request: RiskRequest): Promise<RequestedRisk> {
  checkRiskTerms(request);
  return writeTransaction(store, async (trx) => {
    const { system, policy } = await systemAndPolicy(trx, request.system);
    const approvers = await peopleNamed(trx, policy.riskApprovers);
    const chain = await managementChain(trx, system.owner);
    const outageApprovers = await peopleNamed(trx, policy.outage?.approvers ?? []);
    requireMayAskToAcceptRisk(system, policy, { chain, approvers, outageApprovers }, request.person);
    const patches = await openPatches(trx, system.name, request.patch);
    const pendingOrAccepted = await trx
      .selectFrom('risk_acceptances')
      .select('patch_id')
      .where(
        'patch_id',
        'in',
        patches.map((patch) => patch.id),
      )
      .where('status', 'in', ['pending', 'approved'])
      .execute();
    refuseRiskAlreadyAsked(system, patches, new Set(pendingOrAccepted.map((row) => row.patch_id)));
    const requester = request.person?.handle ?? request.identity;
    const rows = await trx
      .insertInto('risk_acceptances')
      .values(
        patches.map((patch) => ({
          patch_id: patch.id,
          requested_by: requester,
          reason: request.reason.trim(),
          controls: JSON.stringify(request.controls),
          expires_at: request.expiresAt,
          status: 'pending',
          decided_by: null,
          decided_at: null,
          created_at: request.now,
        })),
      )
      .returningAll()
      .execute();
    await auditAppender(trx).appendAll(
      patches.map((patch) => ({
        at: request.now,
        actor: requester,
        action: 'risk-requested',
        system: system.name,
        surface: request.surface,
        details: {
          patch: patch.key,
          reason: request.reason.trim(),
          controls: request.controls,
          expiresAt: new Date(request.expiresAt).toISOString(),
        },
      })),
    );
    return {
      system,
      approvers,
      acceptances: rows.map((row) =>
        toAcceptance(row, system.name, patches.find((patch) => patch.id === row.patch_id)!.key),
      ),
    };
  });
}

export interface RiskDecision extends Actor {
  readonly id: number;
  readonly decision: 'approve' | 'reject';
  /** Why, for a rejection. */
  readonly comment?: string;
  readonly now: number;
}

/** The first valid decision wins; anyone else who tries is told who decided. */
export async function decideRiskAcceptance(store: OpenDatabase, decision: RiskDecision): Promise<RiskAcceptance> {
  return writeTransaction(store, async (trx) => {
    const row = await trx.selectFrom('risk_acceptances').selectAll().where('id', '=', decision.id).executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `there is no risk acceptance ${decision.id}`);
    const patch = patchFromRow(
      await trx.selectFrom('patches').selectAll().where('id', '=', row.patch_id).executeTakeFirstOrThrow(),
    );
    const { system, policy } = await systemAndPolicy(trx, patch.system);
    const approvers = await peopleNamed(trx, policy.riskApprovers);
    const { status, decidedBy: decider } = riskAcceptanceDecision(
      toAcceptance(row, system.name, patch.key),
      { decider: decision.person, decision: decision.decision, now: decision.now },
      policy,
      approvers,
    );
    await trx
      .updateTable('risk_acceptances')
      .set({ status, decided_by: decider, decided_at: decision.now })
      .where('id', '=', row.id)
      .execute();
    if (status === 'approved') {
      const state = acceptRisk(patch.escalation, decision.now, row.expires_at);
      await trx.updateTable('patches').set(escalationColumns(state)).where('id', '=', patch.id).execute();
    }
    await auditAppender(trx).append({
      at: decision.now,
      actor: decider,
      action: `risk-${status}`,
      system: system.name,
      surface: decision.surface,
      details: {
        patch: patch.key,
        acceptance: row.id,
        requestedBy: row.requested_by,
        expiresAt: new Date(row.expires_at).toISOString(),
        ...(decision.comment ? { comment: decision.comment } : {}),
      },
    });
    return toAcceptance({ ...row, status, decided_by: decider, decided_at: decision.now }, system.name, patch.key);
  });
}

/** Accepted risks in force and pending requests, soonest expiry first (for `patch overdue`). */
export async function riskAcceptancesInForce(db: Kysely<Database>): Promise<RiskAcceptance[]> {
  const rows = await db
    .selectFrom('risk_acceptances')
    .innerJoin('patches', 'patches.id', 'risk_acceptances.patch_id')
    .selectAll('risk_acceptances')
    .select(['patches.system', 'patches.patch_key'])
    .where('risk_acceptances.status', 'in', ['pending', 'approved'])
    .orderBy('risk_acceptances.expires_at')
    .execute();
  return rows.map((row) => toAcceptance(row, row.system, row.patch_key));
}

/**
 * Marks approved acceptances past their expiry as expired (the sweep calls this for the patches
 * whose escalation it just resumed) and audits each.
 */
export async function expireRiskAcceptances(
  trx: Kysely<Database>,
  patchIds: readonly number[],
  now: number,
): Promise<void> {
  if (patchIds.length === 0) return;
  const expired = await trx
    .updateTable('risk_acceptances')
    .set({ status: 'expired' })
    .where('patch_id', 'in', patchIds)
    .where('status', '=', 'approved')
    .where('expires_at', '<=', now)
    .returningAll()
    .execute();
  if (expired.length === 0) return;
  const patches = await trx
    .selectFrom('patches')
    .select(['id', 'system', 'patch_key'])
    .where(
      'id',
      'in',
      expired.map((row) => row.patch_id),
    )
    .execute();
  await auditAppender(trx).appendAll(
    expired.map((row) => {
      const patch = patches.find((candidate) => candidate.id === row.patch_id)!;
      return {
        at: now,
        actor: 'mxops',
        action: 'risk-expired',
        system: patch.system,
        surface: 'scheduler' as const,
        details: { patch: patch.patch_key, acceptance: row.id, acceptedBy: row.decided_by },
      };
    }),
  );
}

async function systemAndPolicy(
  db: Kysely<Database>,
  name: string,
): Promise<{ system: System; policy: EscalationPolicy }> {
  const system = await findSystem(db, name);
  if (system === undefined) throw new AppError('NOT_FOUND', `no system is called "${name}": \`patch list\` shows them`);
  const policy = await findPolicy(db, system.policy);
  if (policy === undefined)
    throw new AppError(
      'NOT_FOUND',
      `system ${system.name} names policy "${system.policy}", which is not in the inventory`,
    );
  return { system, policy };
}

async function openPatches(db: Kysely<Database>, system: string, key: string | undefined): Promise<StoredPatch[]> {
  let query = db.selectFrom('patches').selectAll().where('system', '=', system).where('status', '=', 'open');
  if (key !== undefined) query = query.where('patch_key', '=', key);
  const patches = (await query.orderBy('due_at').execute()).map(patchFromRow);
  if (patches.length === 0)
    throw new AppError(
      'NOT_FOUND',
      key === undefined ? `${system} has no open patches` : `${system} has no open patch "${key}"`,
    );
  return patches;
}

function toAcceptance(row: Selectable<RiskAcceptancesTable>, system: string, patch: string): RiskAcceptance {
  return {
    id: row.id,
    patchId: row.patch_id,
    system,
    patch,
    requestedBy: row.requested_by,
    reason: row.reason,
    controls: JSON.parse(row.controls) as string[],
    expiresAt: row.expires_at,
    status: row.status as RiskAcceptance['status'],
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    createdAt: row.created_at,
  };
}
