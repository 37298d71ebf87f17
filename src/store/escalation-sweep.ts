/**
 * The sweep: finds the patches whose escalation needs a look (next_at <= now, by index, so the
 * work is proportional to what is due, not to the inventory), advances each one's state machine,
 * and records every nag it plans in `nags` in the same write transaction. The record is what
 * makes delivery exactly-once: a replayed or concurrent sweep finds next_at already moved, and
 * (patch_id, step) can be recorded only once. Sending happens later, in nag jobs.
 */
import type { Kysely } from 'kysely';
import { advanceEscalation, type EscalationState, type WorkingTimeOf } from '../patching/escalation.js';
import type { EscalationPolicy, Person, System } from '../patching/inventory.js';
import { managementChainOf } from '../patching/management-chain.js';
import { nagRecipients } from '../patching/nag-recipients.js';
import { nextWorkingTime } from '../patching/working-time.js';
import { auditAppender, type AuditRecord } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { updateEscalations } from './escalation-updates.js';
import { expireRiskAcceptances } from './risk-acceptances.js';
import { patchFromRow, personFromRow, policyFromRow, systemFromRow } from './inventory-rows.js';
import type { Database, NagsTable } from './schema.js';
import type { Insertable } from 'kysely';
import { writeTransaction } from './write-transaction.js';

export interface NagId {
  readonly patchId: number;
  readonly step: number;
}

export interface SweepResult {
  readonly examined: number;
  readonly planned: readonly NagId[];
  readonly deferred: number;
  readonly exhausted: number;
}

export interface SweepOptions {
  /** Patches per write transaction: keeps the write lock short while a big backlog is worked off. */
  readonly batchSize?: number;
}

const DEFAULT_BATCH = 2_000;
const INSERT_CHUNK = 500;

export async function sweepDuePatches(
  store: OpenDatabase,
  now: number,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const total = { examined: 0, planned: [] as NagId[], deferred: 0, exhausted: 0 };
  for (;;) {
    const batch = await writeTransaction(store, (trx) => sweepBatch(trx, now, batchSize));
    total.examined += batch.examined;
    total.planned.push(...batch.planned);
    total.deferred += batch.deferred;
    total.exhausted += batch.exhausted;
    // Every patch examined leaves the due set (its next_at moves past now or to null), so a short
    // batch means nothing is left.
    if (batch.examined < batchSize) return total;
  }
}

async function sweepBatch(trx: Kysely<Database>, now: number, batchSize: number): Promise<SweepResult> {
  const rows = await trx
    .selectFrom('patches')
    .innerJoin('systems', 'systems.name', 'patches.system')
    .selectAll('patches')
    .select([
      'systems.kind',
      'systems.criticality',
      'systems.owner',
      'systems.slack_channel',
      'systems.teams_channel',
      'systems.policy',
      'systems.maintenance_windows',
      'systems.freezes',
      'systems.depends_on',
    ])
    .where('patches.status', '=', 'open')
    .where('patches.next_at', '<=', now)
    .orderBy('patches.next_at')
    .orderBy('patches.id')
    .limit(batchSize)
    .execute();
  if (rows.length === 0) return { examined: 0, planned: [], deferred: 0, exhausted: 0 };

  const directory = await loadDirectory(trx);
  const planned: NagId[] = [];
  const nagRows: Insertable<NagsTable>[] = [];
  const audit: AuditRecord[] = [];
  const updates: { id: number; state: EscalationState }[] = [];
  const riskResumed: number[] = [];
  let deferred = 0;
  let exhausted = 0;
  for (const row of rows) {
    const patch = patchFromRow(row);
    const system = systemFromRow({ ...row, name: row.system });
    const policy = directory.policies.get(system.policy)!;
    const workingTime = workingTimeFor(system, policy, directory);
    const result = advanceEscalation(patch.escalation, patch, policy, now, workingTime);
    if (result.state !== patch.escalation) updates.push({ id: patch.id, state: result.state });
    if (result.outcome === 'nag') {
      const { nag } = result;
      planned.push({ patchId: patch.id, step: nag.step });
      if (nag.resumedFrom === 'risk-accepted') riskResumed.push(patch.id);
      nagRows.push({
        patch_id: patch.id,
        step: nag.step,
        level: nag.level,
        kind: nag.kind,
        planned_at: nag.at,
        status: 'pending',
        sent_at: null,
      });
    } else if (result.outcome === 'deferred') {
      deferred++;
    } else if (result.outcome === 'exhausted') {
      exhausted++;
      audit.push({
        at: now,
        actor: 'mxops',
        action: 'escalation-exhausted',
        system: system.name,
        surface: 'scheduler',
        details: { patch: patch.key, level: patch.escalation.level, nags: patch.escalation.step },
      });
    }
  }
  await updateEscalations(trx, updates);
  await expireRiskAcceptances(trx, riskResumed, now);
  for (let start = 0; start < nagRows.length; start += INSERT_CHUNK) {
    // A row that exists already was planned by an earlier run: keeping it is the point.
    await trx
      .insertInto('nags')
      .values(nagRows.slice(start, start + INSERT_CHUNK))
      .onConflict((conflict) => conflict.columns(['patch_id', 'step']).doNothing())
      .execute();
  }
  await auditAppender(trx).appendAll(audit);
  return { examined: rows.length, planned, deferred, exhausted };
}

interface Directory {
  readonly people: Map<string, Person>;
  readonly policies: Map<string, EscalationPolicy>;
}

/** People and policies are few next to systems: read once per batch. */
async function loadDirectory(trx: Kysely<Database>): Promise<Directory> {
  const [people, policies] = await Promise.all([
    trx.selectFrom('people').selectAll().execute(),
    trx.selectFrom('policies').selectAll().execute(),
  ]);
  return {
    people: new Map(people.map((row) => [row.handle, personFromRow(row)])),
    policies: new Map(policies.map((row) => [row.name, policyFromRow(row)])),
  };
}

/** Quiet hours: the working time of whoever the level's nag is addressed to first. */
function workingTimeFor(system: System, policy: EscalationPolicy, directory: Directory): WorkingTimeOf {
  const chain = managementChainOf(directory.people, system.owner);
  const leaders = policy.leadership.flatMap((handle) => directory.people.get(handle) ?? []);
  return (level, at) => {
    if (chain.length === 0) return at;
    const { timekeeper } = nagRecipients(level, policy, chain, leaders);
    return nextWorkingTime(at, timekeeper.timeZone, timekeeper.workingHours);
  };
}

/** Nags recorded but not yet sent: a sweep hands them (again) to the nag queue. */
export async function unsentNags(db: Kysely<Database>, limit = 50_000): Promise<NagId[]> {
  const rows = await db
    .selectFrom('nags')
    .select(['patch_id', 'step'])
    .where('status', 'in', ['pending', 'sending'])
    .orderBy('planned_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ patchId: row.patch_id, step: row.step }));
}
