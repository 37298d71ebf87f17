/**
 * From the neutral tree to an InventoryDocument, for both file formats: read each section, run the
 * whole-document checks, then throw once with every problem or return the document.
 */
import { checkInventory, type InventoryEntries } from './inventory-checks.js';
import { throwIfProblems } from './inventory-file-error.js';
import type { EscalationPolicy, InventoryDocument, PatchSpec, Person, System } from './inventory.js';
import { readPolicy } from './inventory-policy-record.js';
import { readPatch, readPerson, readSystem, type Entry } from './inventory-records.js';
import { readMap, readSequence, type InventoryNode, type ProblemLog } from './inventory-tree.js';

export const SECTION_KEYS = ['people', 'policies', 'systems', 'patches'] as const;

export function readInventoryDocument(
  log: ProblemLog,
  root: InventoryNode | undefined,
  source: string,
): InventoryDocument {
  const map = readMap(log, root, SECTION_KEYS) ?? undefined;
  const section = <T>(
    key: string,
    readOne: (log: ProblemLog, node: InventoryNode) => Entry<T> | undefined,
  ): Entry<T>[] => (readSequence(log, map?.entries.get(key)) ?? []).flatMap((node) => readOne(log, node) ?? []);
  const entries: InventoryEntries = {
    people: section('people', readPerson),
    policies: section('policies', readPolicy),
    systems: section('systems', readSystem),
    patches: section('patches', readPatch),
  };
  checkInventory(log, entries);
  throwIfProblems(source, log.problems);
  // No problem was reported, and every missing or unusable field reports one: the entries are whole.
  return {
    people: entries.people.map((entry) => entry.value as Person),
    policies: entries.policies.map((entry) => entry.value as EscalationPolicy),
    systems: entries.systems.map((entry) => entry.value as System),
    patches: entries.patches.map((entry) => entry.value as PatchSpec),
  };
}
