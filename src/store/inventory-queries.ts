/** Reading the inventory: what chat commands show and what the sweep and nags need to know. */
import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { EscalationPolicy, InventoryDocument, PatchSpec, Person, System } from '../patching/inventory.js';
import { managementChainOf } from '../patching/management-chain.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import { patchFromRow, personFromRow, policyFromRow, systemFromRow } from './inventory-rows.js';
import type { Database } from './schema.js';

export async function findSystem(db: Kysely<Database>, name: string): Promise<System | undefined> {
  const row = await db.selectFrom('systems').selectAll().where('name', '=', name).executeTakeFirst();
  return row && systemFromRow(row);
}

/** The system, or NOT_FOUND saying how to find the right name. */
export async function requireSystem(db: Kysely<Database>, name: string): Promise<System> {
  const system = await findSystem(db, name);
  if (system === undefined) throw new AppError('NOT_FOUND', `no system is called "${name}": \`patch list\` shows them`);
  return system;
}

export async function findPerson(db: Kysely<Database>, handle: string): Promise<Person | undefined> {
  const row = await db.selectFrom('people').selectAll().where('handle', '=', handle).executeTakeFirst();
  return row && personFromRow(row);
}

/** The person behind a chat identity, if the inventory knows them. */
export async function personByChat(
  db: Kysely<Database>,
  platform: 'slack' | 'teams',
  id: string,
): Promise<Person | undefined> {
  const column = platform === 'slack' ? 'slack_id' : 'teams_id';
  const row = await db.selectFrom('people').selectAll().where(column, '=', id).executeTakeFirst();
  return row && personFromRow(row);
}

/** The people with these handles, in the order given (unknown handles are left out). */
export async function peopleNamed(db: Kysely<Database>, handles: readonly string[]): Promise<Person[]> {
  if (handles.length === 0) return [];
  const rows = await db.selectFrom('people').selectAll().where('handle', 'in', handles).execute();
  return handles.flatMap((handle) => rows.filter((row) => row.handle === handle).map(personFromRow));
}

export async function findPolicy(db: Kysely<Database>, name: string): Promise<EscalationPolicy | undefined> {
  const row = await db.selectFrom('policies').selectAll().where('name', '=', name).executeTakeFirst();
  return row && policyFromRow(row);
}

/** The person, their manager, that manager's manager... (people are few: read at once). */
export async function managementChain(db: Kysely<Database>, handle: string): Promise<Person[]> {
  const people = await db.selectFrom('people').selectAll().execute();
  return managementChainOf(new Map(people.map((row) => [row.handle, personFromRow(row)])), handle);
}

export async function patchesOf(db: Kysely<Database>, system: string): Promise<StoredPatch[]> {
  const rows = await db.selectFrom('patches').selectAll().where('system', '=', system).orderBy('due_at').execute();
  return rows.map(patchFromRow);
}

export async function findPatch(db: Kysely<Database>, system: string, key: string): Promise<StoredPatch | undefined> {
  const row = await db
    .selectFrom('patches')
    .selectAll()
    .where('system', '=', system)
    .where('patch_key', '=', key)
    .executeTakeFirst();
  return row && patchFromRow(row);
}

export async function patchById(db: Kysely<Database>, id: number): Promise<StoredPatch | undefined> {
  const row = await db.selectFrom('patches').selectAll().where('id', '=', id).executeTakeFirst();
  return row && patchFromRow(row);
}

/** Open patches past their due date, most overdue first, with their system's owner. */
export async function overduePatches(
  db: Kysely<Database>,
  now: number,
  limit = 500,
): Promise<(StoredPatch & { owner: string })[]> {
  const rows = await db
    .selectFrom('patches')
    .innerJoin('systems', 'systems.name', 'patches.system')
    .selectAll('patches')
    .select('systems.owner')
    .where('patches.status', '=', 'open')
    .where('patches.due_at', '<', now)
    .orderBy('patches.due_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...patchFromRow(row), owner: row.owner }));
}

/** Systems with their open patches counted, for `patch list`. */
export async function systemsWithOpenPatches(
  db: Kysely<Database>,
  limit = 500,
): Promise<{ system: System; open: number; firstDueAt: number | null }[]> {
  const rows = await db
    .selectFrom('systems')
    .leftJoin('patches', (join) => join.onRef('patches.system', '=', 'systems.name').on('patches.status', '=', 'open'))
    .selectAll('systems')
    .select((eb) => [eb.fn.count<number>('patches.id').as('open'), eb.fn.min('patches.due_at').as('first_due_at')])
    .groupBy([
      'systems.name',
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
    .orderBy('systems.name')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    system: systemFromRow(row),
    open: Number(row.open),
    firstDueAt: row.first_due_at === null ? null : Number(row.first_due_at),
  }));
}

/** Everything in the store, as an inventory file would hold it (explicit due dates only). */
export async function exportInventory(db: Kysely<Database>): Promise<InventoryDocument> {
  const [people, policies, systems, patches] = await Promise.all([
    db.selectFrom('people').selectAll().orderBy('handle').execute(),
    db.selectFrom('policies').selectAll().orderBy('name').execute(),
    db.selectFrom('systems').selectAll().orderBy('name').execute(),
    db.selectFrom('patches').selectAll().orderBy('system').orderBy('patch_key').execute(),
  ]);
  return {
    people: people.map(personFromRow),
    policies: policies.map(policyFromRow),
    systems: systems.map(systemFromRow),
    patches: patches.map(patchFromRow).map(toPatchSpec),
  };
}

function toPatchSpec(patch: StoredPatch): PatchSpec {
  return {
    system: patch.system,
    title: patch.title,
    ...(patch.advisory !== undefined ? { advisory: patch.advisory } : {}),
    severity: patch.severity,
    releasedAt: patch.releasedAt,
    ...(patch.dueSource === 'set' ? { dueAt: patch.dueAt } : {}),
  };
}
