/** A person's management chain: them, their manager, that manager's manager... */
import type { Person } from './inventory.js';

/**
 * Follows `manager` links from `handle` until someone without a manager, an unknown handle, or a
 * person already in the chain (a cycle the inventory file check missed ends it instead of looping).
 */
export function managementChainOf(people: ReadonlyMap<string, Person>, handle: string): Person[] {
  const chain: Person[] = [];
  for (
    let person = people.get(handle);
    person !== undefined && !chain.includes(person);
    person = person.manager === undefined ? undefined : people.get(person.manager)
  ) {
    chain.push(person);
  }
  return chain;
}
