/**
 * Who may act on a system's patches (acknowledge, snooze, mark patched, add one, ask for or answer
 * an outage window): its owner and the people above them in the management chain. Anyone else is
 * told who may, so a refusal is also the way to find the right person.
 */
import { AppError } from '../errors.js';
import type { Person, System } from './inventory.js';

/**
 * `chain` is the owner's management chain, owner first (managementChainOf); `identity` names an
 * actor the inventory does not know (slack:U123...), who may not act but should learn why.
 */
export function requireOwnerOrChain(
  system: System,
  chain: readonly Person[],
  actor: Person | undefined,
  identity: string,
): void {
  if (actor !== undefined && chain.some((person) => person.handle === actor.handle)) return;
  const who = chain.map((person) => person.name).join(', ') || system.owner;
  const whoYouAre = actor === undefined ? `you (${identity}) are not in the inventory, and ` : '';
  throw new AppError(
    'FORBIDDEN',
    `${whoYouAre}only the owner of ${system.name} and their management chain may do this: ${who}`,
  );
}
