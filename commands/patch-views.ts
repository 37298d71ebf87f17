/** What the read-only patch commands show, gathered from the store as the cards take it. */
import type { OverdueRow, OpenSystemRow, SystemDetails, SystemPeople } from '../src/chat/patch-cards.js';
import type { Person } from '../src/patching/inventory.js';
import type { OpenDatabase } from '../src/store/database.js';
import {
  findPerson,
  findPolicy,
  managementChain,
  overduePatches,
  patchesOf,
  requireSystem,
  systemsWithOpenPatches,
} from '../src/store/inventory-queries.js';

/** Looks each handle up once: a list shows the same owner many times. */
function peopleByHandle(store: OpenDatabase): (handle: string) => Promise<Person | string> {
  const known = new Map<string, Promise<Person | string>>();
  return (handle) => {
    let person = known.get(handle);
    if (person === undefined) {
      person = findPerson(store.db, handle).then((found) => found ?? handle);
      known.set(handle, person);
    }
    return person;
  };
}

/** Systems with open patches, the one with the earliest due date first. */
export async function loadOpenSystems(store: OpenDatabase): Promise<OpenSystemRow[]> {
  const person = peopleByHandle(store);
  const rows = (await systemsWithOpenPatches(store.db)).filter((row) => row.open > 0 && row.firstDueAt !== null);
  rows.sort((a, b) => (a.firstDueAt ?? 0) - (b.firstDueAt ?? 0));
  return Promise.all(
    rows.map(async (row) => ({
      system: row.system,
      owner: await person(row.system.owner),
      open: row.open,
      firstDueAt: row.firstDueAt ?? 0,
    })),
  );
}

/** Overdue open patches, most overdue first, split into those still escalating and those whose risk is accepted. */
export async function loadOverdue(
  store: OpenDatabase,
  now: number,
): Promise<{ overdue: OverdueRow[]; riskAccepted: OverdueRow[] }> {
  const person = peopleByHandle(store);
  const rows = await Promise.all(
    (await overduePatches(store.db, now)).map(async (patch) => ({ patch, owner: await person(patch.owner) })),
  );
  return {
    overdue: rows.filter((row) => row.patch.escalation.phase !== 'risk-accepted'),
    riskAccepted: rows.filter((row) => row.patch.escalation.phase === 'risk-accepted'),
  };
}

export async function loadSystemDetails(store: OpenDatabase, name: string): Promise<SystemDetails> {
  const system = await requireSystem(store.db, name);
  const [owner, policy, patches] = await Promise.all([
    peopleByHandle(store)(system.owner),
    findPolicy(store.db, system.policy),
    patchesOf(store.db, system.name),
  ]);
  return { system, owner, policy, patches };
}

export async function loadSystemPeople(store: OpenDatabase, name: string): Promise<SystemPeople> {
  const system = await requireSystem(store.db, name);
  const [chain, policy] = await Promise.all([
    managementChain(store.db, system.owner),
    findPolicy(store.db, system.policy),
  ]);
  const person = peopleByHandle(store);
  const approvers = await Promise.all((policy?.riskApprovers ?? []).map(person));
  return { system, chain, policy, approvers };
}
