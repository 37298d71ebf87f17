import { describe, expect, it } from 'vitest';
import { managementChainOf } from '../../src/patching/management-chain.js';
import { PEOPLE } from '../support/inventory-fixture.js';
import type { Person } from '../../src/patching/inventory.js';

const byHandle = (people: readonly Person[]) => new Map(people.map((person) => [person.handle, person]));

describe('management chain', () => {
  it('follows managers to the top', () => {
    expect(managementChainOf(byHandle(PEOPLE), 'alice').map((person) => person.handle)).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
    expect(managementChainOf(byHandle(PEOPLE), 'carol').map((person) => person.handle)).toEqual(['carol']);
  });

  it('stops at an unknown manager, an unknown person, and a cycle', () => {
    const dangling = PEOPLE.map((person) => (person.handle === 'bob' ? { ...person, manager: 'nobody' } : person));
    expect(managementChainOf(byHandle(dangling), 'alice').map((person) => person.handle)).toEqual(['alice', 'bob']);
    expect(managementChainOf(byHandle(PEOPLE), 'zed')).toEqual([]);
    const cycle = PEOPLE.map((person) => (person.handle === 'carol' ? { ...person, manager: 'alice' } : person));
    expect(managementChainOf(byHandle(cycle), 'bob').map((person) => person.handle)).toEqual(['bob', 'carol', 'alice']);
  });
});
