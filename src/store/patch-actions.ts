/**
 * A patch action (patching/patch-action.ts) on record: loads the system, its policy and the open
 * patches, asks the core whether the actor may act (patch-permission.ts) and what the action does
 * to each patch, then writes the new escalation with an audit entry per patch, in one write
 * transaction.
 */
import { AppError } from '../errors.js';
import type { EscalationState } from '../patching/escalation.js';
import type { Person } from '../patching/inventory.js';
import { describeDuration } from '../patching/duration.js';
import { actOnPatches, type PatchAction, type PatchActionResult } from '../patching/patch-action.js';
import { requireOwnerOrChain } from '../patching/patch-permission.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import { type AuditSurface, auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { findPolicy, managementChain, requireSystem } from './inventory-queries.js';
import { escalationColumns, patchFromRow } from './inventory-rows.js';
import { writeTransaction } from './write-transaction.js';

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

export async function applyPatchAction(store: OpenDatabase, request: PatchActionRequest): Promise<PatchActionResult> {
  return writeTransaction(store, async (trx) => {
    const system = await requireSystem(trx, request.system);
    requireOwnerOrChain(system, await managementChain(trx, system.owner), request.actor, request.actorIdentity);
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

    const states = actOnPatches(patches, policy, request);
    const audit = auditAppender(trx);
    const updated: StoredPatch[] = [];
    for (const [index, patch] of patches.entries()) {
      const state = states[index]!;
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
