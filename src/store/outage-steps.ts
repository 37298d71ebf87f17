/**
 * The follow-through of approved windows on record: planned at approval in the same transaction,
 * found by the sweep when due, claimed by one job each and marked sent, like nags (nag-records.ts),
 * so restarts of the bot or the workers during a window lose and double none of them.
 */
import type { Kysely } from 'kysely';
import type { OutageRequest } from '../outages/outage-record.js';
import type { PlannedStep } from '../outages/outage-steps.js';
import type { Person, System } from '../patching/inventory.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { managementChain, requireSystem } from './inventory-queries.js';
import { outageRequestById } from './outage-request-rows.js';
import type { Database } from './schema.js';
import { writeTransaction } from './write-transaction.js';

export interface OutageStepId {
  readonly requestId: number;
  readonly kind: string;
}

export async function planSteps(
  trx: Kysely<Database>,
  requestId: number,
  steps: readonly PlannedStep[],
): Promise<void> {
  if (steps.length === 0) return;
  await trx
    .insertInto('outage_steps')
    .values(
      steps.map((step) => ({
        request_id: requestId,
        kind: step.kind,
        due_at: step.dueAt,
        status: 'pending',
        sent_at: null,
      })),
    )
    .onConflict((conflict) => conflict.columns(['request_id', 'kind']).doNothing())
    .execute();
}

/** Steps due and not yet sent (or left half-sent by a crash): the sweep hands them to the queue. */
export async function dueOutageSteps(db: Kysely<Database>, now: number, limit = 10_000): Promise<OutageStepId[]> {
  const rows = await db
    .selectFrom('outage_steps')
    .select(['request_id', 'kind'])
    .where('status', 'in', ['pending', 'sending'])
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ requestId: row.request_id, kind: row.kind }));
}

export interface ClaimedStep {
  readonly id: OutageStepId;
  readonly request: OutageRequest;
  readonly system: System;
  /** The owner first, then their chain. */
  readonly chain: readonly Person[];
  readonly retry: boolean;
}

/** A step already sent, or of a window no longer approved, is skipped (and a moot one cancelled). */
export async function claimOutageStep(store: OpenDatabase, id: OutageStepId): Promise<ClaimedStep | undefined> {
  return writeTransaction(store, async (trx) => {
    const step = await trx
      .selectFrom('outage_steps')
      .selectAll()
      .where('request_id', '=', id.requestId)
      .where('kind', '=', id.kind)
      .executeTakeFirst();
    if (step === undefined || step.status === 'sent' || step.status === 'cancelled') return undefined;
    const request = await outageRequestById(trx, id.requestId);
    if (request === undefined || request.status !== 'approved') {
      await trx
        .updateTable('outage_steps')
        .set({ status: 'cancelled' })
        .where('request_id', '=', id.requestId)
        .where('kind', '=', id.kind)
        .execute();
      return undefined;
    }
    await trx
      .updateTable('outage_steps')
      .set({ status: 'sending' })
      .where('request_id', '=', id.requestId)
      .where('kind', '=', id.kind)
      .execute();
    const system = await requireSystem(trx, request.system);
    return { id, request, system, chain: await managementChain(trx, system.owner), retry: step.status === 'sending' };
  });
}

export async function completeOutageStep(
  store: OpenDatabase,
  claimed: ClaimedStep,
  now: number,
  told: readonly string[],
): Promise<void> {
  await writeTransaction(store, async (trx) => {
    await trx
      .updateTable('outage_steps')
      .set({ status: 'sent', sent_at: now })
      .where('request_id', '=', claimed.id.requestId)
      .where('kind', '=', claimed.id.kind)
      .execute();
    await auditAppender(trx).append({
      at: now,
      actor: 'mxops',
      action: claimed.retry ? 'outage-step-resent' : 'outage-step',
      system: claimed.system.name,
      surface: 'scheduler',
      details: { request: claimed.request.id, step: claimed.id.kind, told },
    });
  });
}
