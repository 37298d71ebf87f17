/**
 * The life of one recorded nag: pending (planned by a sweep) -> sending (a nag job has claimed it)
 * -> sent, or cancelled when the patch was acted on before the nag went out. A job that finds
 * its nag sent does nothing, so BullMQ retries and re-enqueued jobs cannot send it twice.
 *
 * Within a delivery each message is recorded the moment the platform took it, before the next
 * step: each direct message (nag_direct_messages), a new thread's root (saved with the thread, in
 * one transaction) and the platform's thread post (`delivered`). A retry (the nag was already
 * `sending`) skips what is recorded and looks on the platform for the rest before posting it.
 * What is left is a worker that dies after the platform took a message and before its record, on
 * a platform that cannot be searched (Teams): that one message can arrive twice; a retry reports
 * the nag as `resent`.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { EscalationPolicy, Person, System } from '../patching/inventory.js';
import type { PlannedNag } from '../patching/escalation.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { managementChainOf } from '../patching/management-chain.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import type { NagId } from './escalation-sweep.js';
import { patchFromRow, personFromRow, policyFromRow, systemFromRow } from './inventory-rows.js';
import { type MessageRefRow, saveThread, threadsOf } from './patch-threads.js';
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
  /** Direct messages an earlier attempt sent and recorded: a retry skips their recipients. */
  readonly sentDirect: readonly SentDirectMessage[];
  /** For an 'outage-denied' nag: the latest denial of a window on the system. */
  readonly denial?: { readonly by: string; readonly reason: string };
}

export interface SentDirectMessage {
  readonly platform: string;
  /** The platform's user id. */
  readonly recipient: string;
  readonly conversation: string;
  readonly message: string;
}

export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly claimed: ClaimedNag }
  | { readonly kind: 'skip'; readonly reason: 'sent' | 'cancelled' | 'unknown' };

/** Phases in which a nag planned earlier no longer applies. */
const SETTLED = ['done', 'acknowledged', 'snoozed', 'risk-accepted'];

export async function claimNag(store: OpenDatabase, id: NagId, now: number): Promise<ClaimOutcome> {
  return writeTransaction(store, async (trx) => {
    const row = await trx
      .selectFrom('nags')
      .selectAll()
      .where('patch_id', '=', id.patchId)
      .where('step', '=', id.step)
      .executeTakeFirst();
    if (row === undefined) return { kind: 'skip', reason: 'unknown' };
    if (row.status === 'sent' || row.status === 'cancelled') return { kind: 'skip', reason: row.status };
    const patchRow = await trx.selectFrom('patches').selectAll().where('id', '=', id.patchId).executeTakeFirstOrThrow();
    const patch = patchFromRow(patchRow);
    if (patch.status !== 'open' || SETTLED.includes(patch.escalation.phase)) {
      await trx
        .updateTable('nags')
        .set({ status: 'cancelled' })
        .where('patch_id', '=', id.patchId)
        .where('step', '=', id.step)
        .execute();
      await auditAppender(trx).append({
        at: now,
        actor: 'mxops',
        action: 'nag-cancelled',
        system: patch.system,
        surface: 'scheduler',
        details: { patch: patch.key, step: id.step, phase: patch.escalation.phase },
      });
      return { kind: 'skip', reason: 'cancelled' };
    }
    const systemRow = await trx
      .selectFrom('systems')
      .selectAll()
      .where('name', '=', patch.system)
      .executeTakeFirstOrThrow();
    const system = systemFromRow(systemRow);
    const policyRow = await trx.selectFrom('policies').selectAll().where('name', '=', system.policy).executeTakeFirst();
    if (policyRow === undefined)
      throw new AppError(
        'NOT_FOUND',
        `system ${system.name} names policy "${system.policy}", which is not in the inventory`,
      );
    const policy = policyFromRow(policyRow);
    const people = new Map(
      (await trx.selectFrom('people').selectAll().execute()).map((person) => [person.handle, personFromRow(person)]),
    );
    await trx
      .updateTable('nags')
      .set({ status: 'sending' })
      .where('patch_id', '=', id.patchId)
      .where('step', '=', id.step)
      .execute();
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
        sentDirect: await trx
          .selectFrom('nag_direct_messages')
          .select(['platform', 'recipient', 'conversation', 'message'])
          .where('patch_id', '=', id.patchId)
          .where('step', '=', id.step)
          .execute(),
        ...(row.kind === 'outage-denied' ? await latestDenial(trx, system.name) : {}),
      },
    };
  });
}

/** Records that the nag reached `platform`, right after its thread post there. */
export async function recordPlatformDelivered(store: OpenDatabase, id: NagId, platform: string): Promise<void> {
  await writeTransaction(store, (trx) => markDelivered(trx, id, platform));
}

/**
 * Records a thread the nag started: saved as the patch's thread (later nags reply in it) and as the
 * nag's thread post, in one transaction, so no crash can leave the root saved for one purpose and
 * not the other (a saved thread without the post would have a retry reply to its own root).
 */
export async function recordThreadStarted(
  store: OpenDatabase,
  id: NagId,
  platform: string,
  thread: { readonly conversation: string; readonly message: string },
): Promise<void> {
  await writeTransaction(store, async (trx) => {
    await saveThread(trx, id.patchId, { platform, conversation: thread.conversation, message: thread.message });
    await markDelivered(trx, id, platform);
  });
}

/**
 * Records a direct message right after the platform took it. Outside the write lock: one row, no
 * audit entry, and several nags' direct messages are recorded at once. A second record of the same
 * message (two workers on one nag) keeps the first.
 */
export async function recordDirectMessage(store: OpenDatabase, id: NagId, sent: SentDirectMessage): Promise<void> {
  await store.db
    .insertInto('nag_direct_messages')
    .values({ patch_id: id.patchId, step: id.step, ...sent })
    .onConflict((conflict) => conflict.columns(['patch_id', 'step', 'platform', 'recipient']).doNothing())
    .execute();
}

async function markDelivered(trx: Kysely<Database>, id: NagId, platform: string): Promise<void> {
  const row = await trx
    .selectFrom('nags')
    .select('delivered')
    .where('patch_id', '=', id.patchId)
    .where('step', '=', id.step)
    .executeTakeFirstOrThrow();
  const delivered = new Set(JSON.parse(row.delivered) as string[]).add(platform);
  await trx
    .updateTable('nags')
    .set({ delivered: JSON.stringify([...delivered]) })
    .where('patch_id', '=', id.patchId)
    .where('step', '=', id.step)
    .execute();
}

export interface DeliveryReport {
  /** Platform and conversation of each thread the nag went into. */
  readonly threads: readonly string[];
  /** Handles of the people who got a direct message. */
  readonly directMessages: readonly string[];
  /** What could not be delivered and why (no channel on a platform, unknown chat id...). */
  readonly problems: readonly string[];
}

export async function completeNag(
  store: OpenDatabase,
  claimed: ClaimedNag,
  now: number,
  report: DeliveryReport,
): Promise<void> {
  await writeTransaction(store, async (trx) => {
    await trx
      .updateTable('nags')
      .set({ status: 'sent', sent_at: now })
      .where('patch_id', '=', claimed.id.patchId)
      .where('step', '=', claimed.id.step)
      .execute();
    await auditAppender(trx).append({
      at: now,
      actor: 'mxops',
      action: claimed.retry ? 'nag-resent' : 'nag',
      system: claimed.system.name,
      surface: 'scheduler',
      details: {
        patch: claimed.patch.key,
        step: claimed.nag.step,
        level: claimed.nag.level,
        kind: claimed.nag.kind,
        threads: report.threads,
        directMessages: report.directMessages,
        problems: report.problems,
      },
    });
  });
}

async function latestDenial(
  trx: Kysely<Database>,
  system: string,
): Promise<{ denial?: { by: string; reason: string } }> {
  const denied = await trx
    .selectFrom('outage_requests')
    .select(['decided_by', 'decision_note'])
    .where('system', '=', system)
    .where('status', '=', 'denied')
    .orderBy('decided_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return denied
    ? { denial: { by: denied.decided_by ?? 'an approver', reason: denied.decision_note ?? 'no reason given' } }
    : {};
}
