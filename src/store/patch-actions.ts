/**
 * What people do to a patch from chat or the CLI (acknowledge, snooze, mark patched), applied in
 * one audited write transaction. Only the system's owner and the people above them in the
 * management chain may act on its patches; what an action may do is the core's to say
 * (acknowledgement.ts, escalation.ts), and a refusal for one patch changes none.
 */
import type { Kysely } from 'kysely';
import { AppError, isAppError } from '../errors.js';
import { acknowledge } from '../patching/acknowledgement.js';
import { type EscalationState, markDone, snooze } from '../patching/escalation.js';
import type { EscalationPolicy, Person, System } from '../patching/inventory.js';
import { describeDuration } from '../patching/duration.js';
import { type AuditSurface, auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { findPolicy, managementChain, requireSystem } from './inventory-queries.js';
import { escalationColumns, patchFromRow, type StoredPatch } from './inventory-rows.js';
import type { Database } from './schema.js';
import { writeTransaction } from './write-transaction.js';

export type PatchAction =
  /** `nag`: the step of the nag whose Acknowledge was clicked; absent (typed): the latest nag. */
  | { readonly kind: 'ack'; readonly nag?: number }
  | { readonly kind: 'snooze'; readonly durationMs: number; readonly reason: string }
  | { readonly kind: 'done' };

export interface PatchActionRequest {
  readonly system: string;
  /** A patch key (advisory or title); omitted: every open patch of the system. */
  readonly patch?: string;
  readonly action: PatchAction;
  /** The person acting, as the inventory knows them; undefined when their chat identity is unknown. */
  readonly actor: Person | undefined;
  /** How the actor appears in the audit log when not in the inventory (slack:U123...). */
  readonly actorIdentity: string;
  readonly surface: AuditSurface;
  readonly now: number;
}

export interface PatchActionResult {
  readonly system: System;
  readonly patches: readonly StoredPatch[];
}

export async function applyPatchAction(store: OpenDatabase, request: PatchActionRequest): Promise<PatchActionResult> {
  return writeTransaction(store, async (trx) => {
    const system = await requireSystem(trx, request.system);
    await requireOwnerOrChain(trx, system, request.actor, request.actorIdentity);
    const policy = await findPolicy(trx, system.policy);
    if (policy === undefined)
      throw new AppError(
        'NOT_FOUND',
        `system ${system.name} names policy "${system.policy}", which is not in the inventory`,
      );

    let query = trx.selectFrom('patches').selectAll().where('system', '=', system.name).where('status', '=', 'open');
    if (request.patch !== undefined) query = query.where('patch_key', '=', request.patch);
    const patches = (await query.orderBy('due_at').execute()).map(patchFromRow);
    if (patches.length === 0) {
      throw new AppError(
        'NOT_FOUND',
        request.patch === undefined
          ? `${system.name} has no open patches`
          : `${system.name} has no open patch "${request.patch}": \`patch show ${system.name}\` lists them`,
      );
    }

    const audit = auditAppender(trx);
    const updated: StoredPatch[] = [];
    for (const patch of patches) {
      const state = named(patches.length > 1 ? patch.key : undefined, () =>
        transition(patch.escalation, policy, request),
      );
      const done = request.action.kind === 'done';
      await trx
        .updateTable('patches')
        .set({
          ...escalationColumns(state),
          ...(done
            ? { status: 'done', done_at: request.now, done_by: request.actor?.handle ?? request.actorIdentity }
            : {}),
        })
        .where('id', '=', patch.id)
        .execute();
      await audit.append({
        at: request.now,
        actor: request.actor?.handle ?? request.actorIdentity,
        action: AUDIT_ACTION[request.action.kind],
        system: system.name,
        surface: request.surface,
        details: { patch: patch.key, level: patch.escalation.level, ...actionDetails(request.action, state) },
      });
      updated.push({
        ...patch,
        escalation: state,
        ...(done
          ? { status: 'done' as const, doneAt: request.now, doneBy: request.actor?.handle ?? request.actorIdentity }
          : {}),
      });
    }
    return { system, patches: updated };
  });
}

const AUDIT_ACTION = { ack: 'ack', snooze: 'snooze', done: 'patched' } as const;

function transition(state: EscalationState, policy: EscalationPolicy, request: PatchActionRequest): EscalationState {
  const { action, now } = request;
  switch (action.kind) {
    case 'ack':
      return acknowledge(state, policy, now, {
        by: request.actor?.handle ?? request.actorIdentity,
        ...(action.nag !== undefined ? { nag: action.nag } : {}),
        timeZone: request.actor?.timeZone ?? 'UTC',
      });
    case 'snooze':
      return snooze(state, policy, now, action.durationMs, action.reason);
    case 'done':
      return markDone(state);
  }
}

function actionDetails(action: PatchAction, state: EscalationState): Record<string, unknown> {
  switch (action.kind) {
    case 'ack':
      return { until: new Date(state.holdUntil!).toISOString(), nag: state.lastAck?.step, acks: state.lastAck?.count };
    case 'snooze':
      return {
        until: new Date(state.holdUntil!).toISOString(),
        for: describeDuration(action.durationMs),
        reason: action.reason,
        snoozes: state.snoozes,
      };
    case 'done':
      return {};
  }
}

/** Acting on all of a system's patches, a refusal says which patch it is about. */
function named<T>(key: string | undefined, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (key === undefined || !isAppError(error)) throw error;
    throw new AppError(error.code, `${key}: ${error.message}`, { cause: error });
  }
}

/** The owner and everyone above them may act; anyone else is told who can. */
export async function requireOwnerOrChain(
  db: Kysely<Database>,
  system: System,
  actor: Person | undefined,
  identity: string,
): Promise<Person[]> {
  const chain = await managementChain(db, system.owner);
  if (actor !== undefined && chain.some((person) => person.handle === actor.handle)) return chain;
  const who = chain.map((person) => person.name).join(', ') || system.owner;
  const whoYouAre = actor === undefined ? `you (${identity}) are not in the inventory, and ` : '';
  throw new AppError(
    'FORBIDDEN',
    `${whoYouAre}only the owner of ${system.name} and their management chain may do this: ${who}`,
  );
}
