/**
 * The owner's answer at the end of an approved window. Patched marks the patches the window was
 * asked for as applied (their nags stop); Not done leaves them open, so escalation goes on, and
 * the window is closed as not done: a new one must be asked for. Audited either way. Who may
 * answer, and when, are the cores' (patch-permission.ts, outage-answer.ts).
 */
import { AppError } from '../errors.js';
import { checkOutageAnswer } from '../outages/outage-answer.js';
import type { OutageRequest } from '../outages/outage-record.js';
import { markDone } from '../patching/escalation.js';
import { requireOwnerOrChain } from '../patching/patch-permission.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import type { Actor } from './actor.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { managementChain, requireSystem } from './inventory-queries.js';
import { escalationColumns, patchFromRow } from './inventory-rows.js';
import { outageRequestById } from './outage-request-rows.js';
import { writeTransaction } from './write-transaction.js';

export interface OutageOutcomeInput extends Actor {
  readonly id: number;
  readonly outcome: 'patched' | 'not-done';
  readonly now: number;
}

export interface OutageOutcome {
  readonly request: OutageRequest;
  /** Patched: the patches marked applied now (already applied ones are left out). */
  readonly patched: readonly StoredPatch[];
  /** Not done: the patches that stay open. */
  readonly open: readonly StoredPatch[];
}

export async function recordOutageOutcome(store: OpenDatabase, input: OutageOutcomeInput): Promise<OutageOutcome> {
  return writeTransaction(store, async (trx) => {
    const request = await outageRequestById(trx, input.id);
    if (request === undefined) throw new AppError('NOT_FOUND', `there is no outage request ${input.id}`);
    const system = await requireSystem(trx, request.system);
    requireOwnerOrChain(system, await managementChain(trx, system.owner), input.person, input.identity);
    checkOutageAnswer(request, input.now);
    const actor = input.person!.handle;
    const patches =
      request.patches.length === 0
        ? []
        : (
            await trx
              .selectFrom('patches')
              .selectAll()
              .where('system', '=', system.name)
              .where('patch_key', 'in', request.patches)
              .where('status', '=', 'open')
              .execute()
          ).map(patchFromRow);
    const audit = auditAppender(trx);
    if (input.outcome === 'patched') {
      for (const patch of patches) {
        await trx
          .updateTable('patches')
          .set({ ...escalationColumns(markDone(patch.escalation)), status: 'done', done_at: input.now, done_by: actor })
          .where('id', '=', patch.id)
          .execute();
      }
      await audit.appendAll(
        patches.map((patch) => ({
          at: input.now,
          actor,
          action: 'patched',
          system: system.name,
          surface: input.surface,
          details: { patch: patch.key, outage: request.id },
        })),
      );
    }
    await trx.updateTable('outage_requests').set({ status: input.outcome }).where('id', '=', request.id).execute();
    await audit.append({
      at: input.now,
      actor,
      action: `outage-${input.outcome}`,
      system: system.name,
      surface: input.surface,
      details: { request: request.id, patches: patches.map((patch) => patch.key) },
    });
    return {
      request: { ...request, status: input.outcome },
      patched: input.outcome === 'patched' ? patches : [],
      open: input.outcome === 'not-done' ? patches : [],
    };
  });
}
