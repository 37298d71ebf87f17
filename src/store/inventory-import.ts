/**
 * `mxops inventory import`: merges a parsed inventory file into the store in one audited write
 * transaction. Records are matched by their keys (person handle, policy name, system name, patch
 * system + advisory or title); only what differs is written, so importing the same file twice
 * changes nothing and audits nothing. Importing never deletes: a record missing from the file
 * stays as it is (files often hold one team's systems, or one kind of record).
 */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import { moveDueDate, startEscalation } from '../patching/escalation.js';
import { type EscalationPolicy, type InventoryDocument, type PatchSpec, patchKey } from '../patching/inventory.js';
import { type AuditRecord, type AuditSurface, auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { escalationColumns, patchFromRow, personRow, policyFromRow, policyRow, systemRow } from './inventory-rows.js';
import type { Database, PatchesTable } from './schema.js';
import { writeTransaction } from './write-transaction.js';

export interface ImportContext {
  readonly actor: string;
  readonly surface: AuditSurface;
  readonly now: number;
  /** The file name, for the audit log and messages. */
  readonly source: string;
}

export interface ImportCounts {
  added: number;
  updated: number;
  unchanged: number;
}

export type ImportSummary = Record<'people' | 'policies' | 'systems' | 'patches', ImportCounts>;

/** Rows are written in chunks: PostgreSQL takes at most 65535 parameters per statement. */
const CHUNK = 500;

export async function importInventory(
  store: OpenDatabase,
  doc: InventoryDocument,
  context: ImportContext,
): Promise<ImportSummary> {
  return writeTransaction(store, async (trx) => {
    const existing = await loadKeys(trx);
    checkReferences(doc, existing, context.source);
    const audit: AuditRecord[] = [];
    const record = (action: string, details: Record<string, unknown>, system?: string): void => {
      audit.push({
        at: context.now,
        actor: context.actor,
        action,
        surface: context.surface,
        details: { source: context.source, ...details },
        ...(system !== undefined ? { system } : {}),
      });
    };

    const people = await mergeByKey(
      trx,
      'people',
      'handle',
      doc.people.map(personRow),
      existing.people,
      (row, change) => record(`person-${change}`, { handle: row.handle }),
    );
    const policies = await mergeByKey(
      trx,
      'policies',
      'name',
      doc.policies.map(policyRow),
      existing.policies,
      (row, change) => record(`policy-${change}`, { policy: row.name }),
    );
    const systems = await mergeByKey(
      trx,
      'systems',
      'name',
      doc.systems.map(systemRow),
      existing.systems,
      (row, change) => record(`system-${change}`, {}, row.name),
    );

    const policyOf = await policyLookup(trx, doc);
    const patches = await mergePatches(trx, doc.patches, policyOf, (spec, change, dueAt) =>
      record(
        `patch-${change}`,
        { patch: patchKey(spec), title: spec.title, severity: spec.severity, dueAt: new Date(dueAt).toISOString() },
        spec.system,
      ),
    );

    const summary = { people, policies, systems, patches };
    const changed = Object.values(summary).some((counts) => counts.added + counts.updated > 0);
    if (changed) record('import', { summary });
    await auditAppender(trx).appendAll(audit);
    return summary;
  });
}

interface ExistingKeys {
  people: Map<string, string>;
  policies: Map<string, string>;
  systems: Map<string, string>;
}

/** Each existing row as JSON text, to tell unchanged rows from changed ones without a query each. */
async function loadKeys(trx: Kysely<Database>): Promise<ExistingKeys> {
  const [people, policies, systems] = await Promise.all([
    trx.selectFrom('people').selectAll().execute(),
    trx.selectFrom('policies').selectAll().execute(),
    trx.selectFrom('systems').selectAll().execute(),
  ]);
  return {
    people: new Map(people.map((row) => [row.handle, JSON.stringify(row)])),
    policies: new Map(policies.map((row) => [row.name, JSON.stringify(row)])),
    systems: new Map(systems.map((row) => [row.name, JSON.stringify(row)])),
  };
}

/** References the file cannot resolve on its own must name records already in the store. */
function checkReferences(doc: InventoryDocument, existing: ExistingKeys, source: string): void {
  const known = (names: Iterable<string>, stored: Map<string, string>) => {
    const all = new Set(names);
    return (name: string) => all.has(name) || stored.has(name);
  };
  const isPerson = known(
    doc.people.map((person) => person.handle),
    existing.people,
  );
  const isPolicy = known(
    doc.policies.map((policy) => policy.name),
    existing.policies,
  );
  const isSystem = known(
    doc.systems.map((system) => system.name),
    existing.systems,
  );
  const problems: string[] = [];
  for (const person of doc.people) {
    if (person.manager !== undefined && !isPerson(person.manager))
      problems.push(`person ${person.handle}: manager "${person.manager}" is not in this file nor in the inventory`);
  }
  for (const system of doc.systems) {
    if (!isPerson(system.owner))
      problems.push(`system ${system.name}: owner "${system.owner}" is not in this file nor in the inventory`);
    if (!isPolicy(system.policy))
      problems.push(`system ${system.name}: policy "${system.policy}" is not in this file nor in the inventory`);
    for (const dependency of system.dependsOn) {
      if (!isSystem(dependency))
        problems.push(`system ${system.name}: dependsOn "${dependency}" is not in this file nor in the inventory`);
    }
  }
  for (const patch of doc.patches) {
    if (!isSystem(patch.system))
      problems.push(`patch "${patchKey(patch)}": system "${patch.system}" is not in this file nor in the inventory`);
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, 50);
    if (problems.length > listed.length) listed.push(`... and ${problems.length - listed.length} more`);
    throw new AppError(
      'BAD_INPUT',
      `${source} refers to records that do not exist; nothing was imported:\n${listed.join('\n')}`,
    );
  }
}

type KeyedTable = 'people' | 'policies' | 'systems';

async function mergeByKey<T extends KeyedTable, Row extends Database[T]>(
  trx: Kysely<Database>,
  table: T,
  key: keyof Row & string,
  rows: readonly Row[],
  existing: Map<string, string>,
  onChange: (row: Row, change: 'added' | 'updated') => void,
): Promise<ImportCounts> {
  const counts: ImportCounts = { added: 0, updated: 0, unchanged: 0 };
  const added: Row[] = [];
  for (const row of rows) {
    const id = row[key] as string;
    const before = existing.get(id);
    if (before === undefined) {
      added.push(row);
      counts.added++;
      onChange(row, 'added');
    } else if (before !== JSON.stringify(row)) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one generic update over three tables
      await (trx.updateTable(table) as any).set(row).where(key, '=', id).execute();
      counts.updated++;
      onChange(row, 'updated');
    } else {
      counts.unchanged++;
    }
  }
  for (let start = 0; start < added.length; start += CHUNK) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    await (trx.insertInto(table) as any).values(added.slice(start, start + CHUNK)).execute();
  }
  return counts;
}

/** The policy of each system a patch in the file belongs to, from the store (already merged). */
async function policyLookup(
  trx: Kysely<Database>,
  doc: InventoryDocument,
): Promise<(system: string) => EscalationPolicy> {
  if (doc.patches.length === 0)
    return () => {
      throw new Error('no patches to look up');
    };
  const policies = new Map(
    (await trx.selectFrom('policies').selectAll().execute()).map((row) => [row.name, policyFromRow(row)]),
  );
  const systemPolicy = new Map(
    (await trx.selectFrom('systems').select(['name', 'policy']).execute()).map((row) => [row.name, row.policy]),
  );
  return (system) => policies.get(systemPolicy.get(system)!)!;
}

async function mergePatches(
  trx: Kysely<Database>,
  specs: readonly PatchSpec[],
  policyOf: (system: string) => EscalationPolicy,
  onChange: (spec: PatchSpec, change: 'added' | 'updated', dueAt: number) => void,
): Promise<ImportCounts> {
  const counts: ImportCounts = { added: 0, updated: 0, unchanged: 0 };
  if (specs.length === 0) return counts;
  const stored = new Map(
    (await trx.selectFrom('patches').selectAll().execute()).map((row) => [
      `${row.system}\u0000${row.patch_key}`,
      patchFromRow(row),
    ]),
  );
  const added: Omit<PatchesTable, 'id'>[] = [];
  for (const spec of specs) {
    const policy = policyOf(spec.system);
    const dueAt = spec.dueAt ?? spec.releasedAt + policy.slaMs[spec.severity];
    const fields = {
      title: spec.title,
      advisory: spec.advisory ?? null,
      severity: spec.severity,
      released_at: spec.releasedAt,
      due_at: dueAt,
      due_source: spec.dueAt !== undefined ? 'set' : 'sla',
    };
    const before = stored.get(`${spec.system}\u0000${patchKey(spec)}`);
    if (before === undefined) {
      const state = startEscalation({ dueAt }, policy);
      added.push({
        system: spec.system,
        patch_key: patchKey(spec),
        ...fields,
        status: 'open',
        done_at: null,
        done_by: null,
        ...escalationColumns(state),
      });
      counts.added++;
      onChange(spec, 'added', dueAt);
      continue;
    }
    const same =
      before.title === fields.title &&
      (before.advisory ?? null) === fields.advisory &&
      before.severity === fields.severity &&
      before.releasedAt === fields.released_at &&
      before.dueAt === dueAt &&
      before.dueSource === fields.due_source;
    if (same) {
      counts.unchanged++;
      continue;
    }
    const state = before.dueAt === dueAt ? before.escalation : moveDueDate(before.escalation, { dueAt }, policy);
    await trx
      .updateTable('patches')
      .set({ ...fields, ...escalationColumns(state) })
      .where('id', '=', before.id)
      .execute();
    counts.updated++;
    onChange(spec, 'updated', dueAt);
  }
  for (let start = 0; start < added.length; start += CHUNK)
    await trx
      .insertInto('patches')
      .values(added.slice(start, start + CHUNK))
      .execute();
  return counts;
}
