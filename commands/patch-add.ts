/**
 * `patch add`: one patch, written through the inventory import (so it is audited, and adding the
 * same patch again changes nothing), by the system's owner or someone above them.
 */
import { addedCard } from '../src/chat/patch-cards.js';
import type { Card } from '../src/chat/card.js';
import type { Reading } from '../src/chat/patch-text.js';
import { AppError } from '../src/errors.js';
import { patchKey, type PatchSpec } from '../src/patching/inventory.js';
import { requireOwnerOrChain } from '../src/patching/patch-permission.js';
import type { OpenDatabase } from '../src/store/database.js';
import { importInventory } from '../src/store/inventory-import.js';
import { findPatch, managementChain, requireSystem } from '../src/store/inventory-queries.js';
import { actorName, type KnownActor } from './patch-actor.js';
import type { AddPatchRequest } from './patch-request.js';

const DAY_MS = 86_400_000;

export async function addPatch(
  store: OpenDatabase,
  request: AddPatchRequest,
  actor: KnownActor,
  reading: Reading,
): Promise<Card> {
  const system = await requireSystem(store.db, request.system);
  requireOwnerOrChain(system, await managementChain(store.db, system.owner), actor.person, actor.identity);
  const key = patchKey(request);
  // Typed again without --released, a patch keeps the date it was added with (else re-adding it
  // on another day would move its due date).
  const stored = await findPatch(store.db, system.name, key);
  const releasedAt = request.releasedAt ?? stored?.releasedAt ?? reading.now - (reading.now % DAY_MS);
  if (request.dueAt !== undefined && request.dueAt < releasedAt)
    throw new AppError(
      'BAD_INPUT',
      'the due date is before the release date (today, unless --released says otherwise)',
    );
  // Likewise without --due, a due date someone set (an inventory file's `due:`) is kept; one the
  // policy's SLA gave follows the severity typed now.
  const dueAt = request.dueAt ?? (stored?.dueSource === 'set' ? stored.dueAt : undefined);
  const spec: PatchSpec = {
    system: system.name,
    title: request.title,
    ...(request.advisory !== undefined ? { advisory: request.advisory } : {}),
    severity: request.severity,
    releasedAt,
    ...(dueAt !== undefined ? { dueAt } : {}),
  };
  const summary = await importInventory(
    store,
    { people: [], policies: [], systems: [], patches: [spec] },
    {
      actor: actor.person?.handle ?? actor.identity,
      surface: actor.surface,
      now: reading.now,
      source: 'chat: patch add',
    },
  );
  const outcome = summary.patches.added > 0 ? 'added' : summary.patches.updated > 0 ? 'updated' : 'unchanged';
  const patch = await findPatch(store.db, system.name, key);
  if (patch === undefined) throw new Error(`patch ${key} on ${system.name} is not in the store after importing it`);
  return addedCard(outcome, patch, actorName(actor), reading);
}
