/**
 * The life of one recorded nag: pending (planned by a sweep) -> sending (a nag job has claimed it)
 * -> sent, or cancelled when the patch was acted on before the nag went out. A job that finds
 * its nag sent does nothing, so BullMQ retries and re-enqueued jobs cannot send it twice; the one
 * gap is a worker that dies after the chat platform took the message and before `sent` is
 * written, which a retry reports as `resent` (delivered at least once, never silently twice).
 * Each platform's success is recorded as it happens, so a retry after one platform failed sends
 * only to the platforms still missing.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { EscalationPolicy, Person, System } from '../patching/inventory.js';
import type { PlannedNag } from '../patching/escalation.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { managementChainOf } from '../patching/management-chain.js';
import type { NagId } from './escalation-sweep.js';
import { patchFromRow, personFromRow, policyFromRow, type StoredPatch, systemFromRow } from './inventory-rows.js';
import type { MessageRefRow } from './patch-threads.js';
import { threadsOf } from './patch-threads.js';
import type { Database } from './schema.js';
import { writeTransaction } from './write-transaction.js';

export interface ClaimedNag {
  readonly id: NagId;
  readonly nag: PlannedNag;
  /** The previous attempt died mid-delivery: some of it may have arrived. */
  readonly retry: boolean;
  /** Platforms an earlier attempt finished (their thread post is recorded): nothing more to send there. */
  readonly delivered: readonly string[];
  readonly patch: StoredPatch;
  readonly system: System;
  readonly policy: EscalationPolicy;
  /** The owner's management chain, owner first. */
  readonly chain: readonly Person[];
  readonly leaders: readonly Person[];
  readonly threads: readonly MessageRefRow[];
  /** For an 'outage-denied' nag: the latest denial of a window on the system. */
  readonly denial?: { readonly by: string; readonly reason: string };
}

export type ClaimOutcome = { readonly kind: 'claimed'; readonly claimed: ClaimedNag } | { readonly kind: 'skip'; readonly reason: 'sent' | 'cancelled' | 'unknown' };

/** Phases in which a nag planned earlier no longer applies. */
const SETTLED = ['done', 'acknowledged', 'snoozed', 'risk-accepted'];

export async function claimNag(store: OpenDatabase, id: NagId, now: number): Promise<ClaimOutcome> {
  return writeTransaction(store, async (trx) => {
    const row = await trx.selectFrom('nags').selectAll().where('patch_id', '=', id.patchId).where('step', '=', id.step).executeTakeFirst();
    if (row === undefined) return { kind: 'skip', reason: 'unknown' };
    if (row.status === 'sent' || row.status === 'cancelled') return { kind: 'skip', reason: row.status };
    const patchRow = await trx.selectFrom('patches').selectAll().where('id', '=', id.patchId).executeTakeFirstOrThrow();
    const patch = patchFromRow(patchRow);
    if (patch.status !== 'open' || SETTLED.includes(patch.escalation.phase)) {
      await trx.updateTable('nags').set({ status: 'cancelled' }).where('patch_id', '=', id.patchId).where('step', '=', id.step).execute();
      await auditAppender(trx).append({ at: now, actor: 'mxops', action: 'nag-cancelled', system: patch.system, surface: 'scheduler', details: { patch: patch.key, step: id.step, phase: patch.escalation.phase } });
      return { kind: 'skip', reason: 'cancelled' };
    }
    const systemRow = await trx.selectFrom('systems').selectAll().where('name', '=', patch.system).executeTakeFirstOrThrow();
    const system = systemFromRow(systemRow);
    const policyRow = await trx.selectFrom('policies').selectAll().where('name', '=', system.policy).executeTakeFirst();
    if (policyRow === undefined) throw new AppError('NOT_FOUND', `system ${system.name} names policy "${system.policy}", which is not in the inventory`);
    const policy = policyFromRow(policyRow);
    const people = new Map((await trx.selectFrom('people').selectAll().execute()).map((person) => [person.handle, personFromRow(person)]));
    await trx.updateTable('nags').set({ status: 'sending' }).where('patch_id', '=', id.patchId).where('step', '=', id.step).execute();
    return {
      kind: 'claimed',
      claimed: {
        id,
        nag: { step: row.step, level: row.level, kind: row.kind as PlannedNag['kind'], at: row.planned_at },
        retry: row.status === 'sending',
        delivered: JSON.parse(row.delivered) as string[],
        patch,
        system,
        policy,
        chain: managementChainOf(people, system.owner),
        leaders: policy.leadership.flatMap((handle) => people.get(handle) ?? []),
        threads: await threadsOf(trx, patch.id),
        ...(row.kind === 'outage-denied' ? await latestDenial(trx, system.name) : {}),
      },
    };
  });
}

/** Records that the nag reached `platform`, right after its thread post there. */
export async function recordPlatformDelivered(store: OpenDatabase, id: NagId, platform: string): Promise<void> {
  await writeTransaction(store, async (trx) => {
    const row = await trx.selectFrom('nags').select('delivered').where('patch_id', '=', id.patchId).where('step', '=', id.step).executeTakeFirstOrThrow();
    const delivered = new Set(JSON.parse(row.delivered) as string[]).add(platform);
    await trx.updateTable('nags').set({ delivered: JSON.stringify([...delivered]) }).where('patch_id', '=', id.patchId).where('step', '=', id.step).execute();
  });
}

export interface DeliveryReport {
  /** Platform and conversation of each thread the nag went into. */
  readonly threads: readonly string[];
  /** Handles of the people who got a direct message. */
  readonly directMessages: readonly string[];
  /** What could not be delivered and why (no channel on a platform, unknown chat id...). */
  readonly problems: readonly string[];
}

export async function completeNag(store: OpenDatabase, claimed: ClaimedNag, now: number, report: DeliveryReport): Promise<void> {
  await writeTransaction(store, async (trx) => {
    await trx.updateTable('nags').set({ status: 'sent', sent_at: now }).where('patch_id', '=', claimed.id.patchId).where('step', '=', claimed.id.step).execute();
    await auditAppender(trx).append({
      at: now,
      actor: 'mxops',
      action: claimed.retry ? 'nag-resent' : 'nag',
      system: claimed.system.name,
      surface: 'scheduler',
      details: { patch: claimed.patch.key, step: claimed.nag.step, level: claimed.nag.level, kind: claimed.nag.kind, threads: report.threads, directMessages: report.directMessages, problems: report.problems },
    });
  });
}

async function latestDenial(trx: Kysely<Database>, system: string): Promise<{ denial?: { by: string; reason: string } }> {
  const denied = await trx.selectFrom('outage_requests').select(['decided_by', 'decision_note']).where('system', '=', system).where('status', '=', 'denied').orderBy('decided_at', 'desc').limit(1).executeTakeFirst();
  return denied ? { denial: { by: denied.decided_by ?? 'an approver', reason: denied.decision_note ?? 'no reason given' } } : {};
}
