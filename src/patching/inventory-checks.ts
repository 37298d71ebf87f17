/**
 * Rules that need the whole document: unique names, references between entries, manager loops.
 *
 * A file is often one slice of the inventory (a CSV of systems alone, a YAML of patches): the
 * people or policies it names may already be in the database. So a reference is only checked when
 * this document holds entries of the kind it points to (an owner against the people, if there are
 * people here); references to entries stored elsewhere are checked by the store on import.
 */
import { patchKey, type EscalationPolicy, type PatchSpec, type Person, type System } from './inventory.js';
import type { Entry } from './inventory-records.js';
import { placeOf, type InventoryMap, type Place, type ProblemLog } from './inventory-tree.js';

export interface InventoryEntries {
  readonly people: readonly Entry<Person>[];
  readonly policies: readonly Entry<EscalationPolicy>[];
  readonly systems: readonly Entry<System>[];
  readonly patches: readonly Entry<PatchSpec>[];
}

export function checkInventory(log: ProblemLog, entries: InventoryEntries): void {
  const handles = reportDuplicates(log, entries.people, (person) => person.handle, 'handle', 'person handle');
  const policies = reportDuplicates(log, entries.policies, (policy) => policy.name, 'name', 'policy name');
  const systems = reportDuplicates(log, entries.systems, (system) => system.name, 'name', 'system name');
  reportDuplicates(
    log,
    entries.patches,
    patchIdentity,
    (patch) => (patch.advisory === undefined ? 'title' : 'advisory'),
    'patch',
  );

  if (entries.people.length > 0) {
    const person = { names: handles, noun: 'person', among: 'the people' };
    for (const { value, map } of entries.people) checkReference(log, map, 'manager', value.manager, person);
    for (const { value, map } of entries.systems) checkReference(log, map, 'owner', value.owner, person);
    for (const { value, map } of entries.policies) {
      checkReferences(log, map, 'riskApprovers', value.riskApprovers, person);
      checkReferences(log, map, 'leadership', value.leadership, person);
      const outage = map.entries.get('outage');
      if (outage?.kind === 'map') checkReferences(log, outage, 'approvers', value.outage?.approvers, person);
    }
    reportManagerLoops(log, entries.people);
  }
  if (entries.policies.length > 0) {
    const policy = { names: policies, noun: 'policy', among: 'the policies' };
    for (const { value, map } of entries.systems) checkReference(log, map, 'policy', value.policy, policy);
  }
  if (entries.systems.length > 0) {
    const system = { names: systems, noun: 'system', among: 'the systems' };
    for (const { value, map } of entries.systems) checkReferences(log, map, 'dependsOn', value.dependsOn, system);
    for (const { value, map } of entries.patches) checkReference(log, map, 'system', value.system, system);
  }
}

/** A patch is known by its system and its advisory, or its title when it has none (patchKey). */
function patchIdentity(patch: Partial<PatchSpec>): string | undefined {
  if (patch.system === undefined || patch.title === undefined) return undefined;
  return `"${patchKey({ advisory: patch.advisory, title: patch.title })}" for system ${patch.system}`;
}

/** Reports every entry whose key was seen before; returns each key with the line it was first seen on. */
function reportDuplicates<T>(
  log: ProblemLog,
  entries: readonly Entry<T>[],
  keyOf: (value: Partial<T>) => string | undefined,
  field: string | ((value: Partial<T>) => string),
  noun: string,
): Map<string, number> {
  const first = new Map<string, number>();
  for (const { value, map } of entries) {
    const key = keyOf(value);
    if (key === undefined) continue;
    const seen = first.get(key);
    const place = placeOf(map, typeof field === 'string' ? field : field(value));
    if (seen === undefined) first.set(key, place.line);
    else log.report(place, `duplicate ${noun} ${noun === 'patch' ? key : `"${key}"`} (first on line ${seen})`);
  }
  return first;
}

interface Known {
  readonly names: ReadonlyMap<string, number>;
  readonly noun: string;
  readonly among: string;
}

function checkReference(log: ProblemLog, map: InventoryMap, key: string, name: string | undefined, known: Known): void {
  if (name !== undefined && !known.names.has(name)) log.report(placeOf(map, key), unknown(name, known));
}

function checkReferences(
  log: ProblemLog,
  map: InventoryMap,
  key: string,
  names: readonly string[] | undefined,
  known: Known,
): void {
  (names ?? []).forEach((name, index) => {
    if (!known.names.has(name)) log.report(itemPlace(map, key, index), unknown(name, known));
  });
}

function unknown(name: string, known: Known): string {
  return `unknown ${known.noun} "${name}": not among ${known.among} in this file`;
}

/** The place of the index-th item of a list field; a list written as one value has one place. */
function itemPlace(map: InventoryMap, key: string, index: number): Place {
  const node = map.entries.get(key);
  return node?.kind === 'list' ? (node.items[index] ?? node) : placeOf(map, key);
}

/** A management chain must end: a loop (a -> b -> a) would escalate forever. Each loop is reported once. */
function reportManagerLoops(log: ProblemLog, people: readonly Entry<Person>[]): void {
  const byHandle = new Map<string, Entry<Person>>();
  for (const entry of people)
    if (entry.value.handle !== undefined && !byHandle.has(entry.value.handle)) byHandle.set(entry.value.handle, entry);
  const settled = new Set<string>();
  for (const start of byHandle.keys()) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let handle: string | undefined = start;
    while (handle !== undefined && !settled.has(handle) && !onPath.has(handle)) {
      path.push(handle);
      onPath.add(handle);
      handle = byHandle.get(handle)?.value.manager;
    }
    if (handle !== undefined && onPath.has(handle)) {
      const loop = path.slice(path.indexOf(handle));
      const firstInFile = loop.reduce((a, b) => (lineOf(byHandle, a) <= lineOf(byHandle, b) ? a : b));
      const rotated = [...loop.slice(loop.indexOf(firstInFile)), ...loop.slice(0, loop.indexOf(firstInFile))];
      const entry = byHandle.get(firstInFile);
      if (entry !== undefined)
        log.report(placeOf(entry.map, 'manager'), `management chain loops: ${[...rotated, firstInFile].join(' -> ')}`);
    }
    for (const seen of path) settled.add(seen);
  }
}

function lineOf(byHandle: ReadonlyMap<string, Entry<Person>>, handle: string): number {
  return byHandle.get(handle)?.map.line ?? Number.MAX_SAFE_INTEGER;
}
