/**
 * Who typed a patch command, as the inventory knows them: Slack and Teams say who it was (a user
 * id, an AAD object id); the console is told with `mxops chat --as <handle>`.
 */
import type { ChatActor } from '../src/chat/chat-place.js';
import { AppError } from '../src/errors.js';
import type { Actor } from '../src/store/actor.js';
import { CLAIMED_CONSOLE_SURFACE } from '../src/store/audit-log.js';
import type { OpenDatabase } from '../src/store/database.js';
import { findPerson, personByChat } from '../src/store/inventory-queries.js';

/** Who typed or clicked, as the inventory knows them (the store's Actor). */
export type KnownActor = Actor;

export async function resolveActor(store: OpenDatabase, actor: ChatActor): Promise<KnownActor | undefined> {
  if (actor.id === undefined || actor.id === '') return undefined;
  const person =
    actor.platform === 'console'
      ? await findPerson(store.db, actor.id)
      : await personByChat(store.db, actor.platform, actor.id);
  // The console only repeats what --as said: the audit log records it as claimed, not as verified.
  return {
    person,
    identity: `${actor.platform}:${actor.id}`,
    surface: actor.platform === 'console' ? CLAIMED_CONSOLE_SURFACE : actor.platform,
  };
}

/** For the commands that change something: who it is must be known, even if not who may. */
export function requireIdentity(known: KnownActor | undefined, actor: ChatActor): KnownActor {
  if (known !== undefined) return known;
  throw new AppError(
    'FORBIDDEN',
    actor.platform === 'console'
      ? 'changing the inventory needs to know who you are: run mxops chat --as <handle> (your handle in the inventory)'
      : `${actor.platform === 'slack' ? 'Slack' : 'Teams'} did not say who you are, so nothing was changed`,
  );
}

/** "Alice Owner", or the chat identity of someone the inventory does not know. */
export function actorName(known: KnownActor): string {
  return known.person?.name ?? known.identity;
}
