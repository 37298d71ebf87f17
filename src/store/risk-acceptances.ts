/**
 * "Too important to patch", on the record: someone in the owner's chain (or a risk approver)
 * asks to accept the risk of an open patch, with a reason, compensating controls and an expiry;
 * a risk approver of the system's policy decides. While accepted, nagging pauses; at expiry the
 * sweep resumes it at the level reached and marks the acceptance expired. Every step is audited.
 */
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../errors.js';
import { acceptRisk } from '../patching/escalation.js';
import type { EscalationPolicy, Person, System } from '../patching/inventory.js';
import type { Actor } from './actor.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { findPolicy, findSystem, managementChain, peopleNamed } from './inventory-queries.js';
import { escalationColumns, patchFromRow, type StoredPatch } from './inventory-rows.js';
import type { Database, RiskAcceptancesTable } from './schema.js';
import { writeTransaction } from './write-transaction.js';

/** An acceptance longer than this is a decision to never patch: it must be renewed, and seen again. */
export const MAX_RISK_ACCEPTANCE_MS = 365 * 86_400_000;

export interface RiskAcceptance {
  readonly id: number;
  readonly patchId: number;
  readonly system: string;
  readonly patch: string;
  readonly requestedBy: string;
  readonly reason: string;
  readonly controls: readonly string[];
  readonly expiresAt: number;
  readonly status: 'pending' | 'approved' | 'rejected' | 'expired';
  readonly decidedBy: string | undefined;
  readonly decidedAt: number | undefined;
  readonly createdAt: number;
}

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
  if (request.reason.trim() === '')
    throw new AppError('BAD_INPUT', 'accepting a risk needs a reason: why can this patch not be applied?');
  if (request.expiresAt <= request.now) throw new AppError('BAD_INPUT', 'a risk acceptance must expire in the future');
  if (request.expiresAt - request.now > MAX_RISK_ACCEPTANCE_MS)
    throw new AppError('BAD_INPUT', 'a risk acceptance may last at most a year; renew it when it expires');
  return writeTransaction(store, async (trx) => {
    const { system, policy } = await systemAndPolicy(trx, request.system);
    const approvers = await peopleNamed(trx, policy.riskApprovers);
    if (approvers.length === 0)
      throw new AppError(
        'FORBIDDEN',
        `the ${policy.name} policy names no risk approvers, so no risk on ${system.name} can be accepted: add riskApprovers to the policy`,
      );
    const chain = await managementChain(trx, system.owner);
    // Outage approvers too: whoever denies a window is offered to accept the risk instead.
    const outageApprovers = await peopleNamed(trx, policy.outage?.approvers ?? []);
    const mayAsk = [...chain, ...approvers, ...outageApprovers];
    if (!isOneOf(request.person, mayAsk)) {
      throw new AppError(
        'FORBIDDEN',
        `only the owner of ${system.name}, their management chain, the risk approvers and the outage approvers may ask to accept a risk: ${names(mayAsk)}`,
      );
    }
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
    if (pendingOrAccepted.length > 0) {
      const taken = patches
        .filter((patch) => pendingOrAccepted.some((row) => row.patch_id === patch.id))
        .map((patch) => patch.key);
      throw new AppError(
        'CONFLICT',
        `a risk acceptance is already pending or in force for ${taken.join(', ')} on ${system.name}`,
      );
    }
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
    if (!isOneOf(decision.person, approvers))
      throw new AppError(
        'FORBIDDEN',
        `only the risk approvers of the ${policy.name} policy may decide: ${names(approvers) || 'none are configured'}`,
      );
    const decider = decision.person!.handle;
    if (decider === row.requested_by)
      throw new AppError('FORBIDDEN', 'you asked for this risk acceptance, so another risk approver must decide it');
    if (row.status !== 'pending')
      throw new AppError(
        'CONFLICT',
        `this risk acceptance was already ${row.status}${row.decided_by ? ` by ${row.decided_by}` : ''}`,
      );
    if (decision.decision === 'approve' && row.expires_at <= decision.now)
      throw new AppError(
        'CONFLICT',
        'this risk acceptance expired before it was approved; ask again with a new expiry',
      );

    const status = decision.decision === 'approve' ? 'approved' : 'rejected';
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

function isOneOf(person: Person | undefined, people: readonly Person[]): boolean {
  return person !== undefined && people.some((candidate) => candidate.handle === person.handle);
}

function names(people: readonly Person[]): string {
  return [...new Set(people.map((person) => person.name))].join(', ');
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
