/** Who may act on a patch, and what acting on several does (patch-permission.ts, patch-action.ts). */
import { describe, expect, it } from 'vitest';
import { startEscalation } from '../../src/patching/escalation.js';
import type { Person } from '../../src/patching/inventory.js';
import { managementChainOf } from '../../src/patching/management-chain.js';
import { actOnPatches } from '../../src/patching/patch-action.js';
import { requireOwnerOrChain } from '../../src/patching/patch-permission.js';
import type { StoredPatch } from '../../src/patching/stored-patch.js';
import { DAY, HOUR, PEOPLE, STANDARD_POLICY, system } from '../support/inventory-fixture.js';

const NOW = Date.parse('2026-11-26T17:00:00Z');
const gateway = system('mail-gw-1');
const person = (handle: string): Person => PEOPLE.find((candidate) => candidate.handle === handle)!;
const chain = managementChainOf(new Map(PEOPLE.map((each) => [each.handle, each])), 'alice');

function storedPatch(id: number, key: string, overrides: Partial<StoredPatch> = {}): StoredPatch {
  const dueAt = NOW - DAY;
  return {
    id,
    system: gateway.name,
    key,
    title: `Fix for ${key}`,
    advisory: key,
    severity: 'critical',
    releasedAt: dueAt - 7 * DAY,
    dueAt,
    dueSource: 'sla',
    status: 'open',
    doneAt: undefined,
    doneBy: undefined,
    escalation: { ...startEscalation({ dueAt }, STANDARD_POLICY), phase: 'overdue', level: 0, round: 1, step: 1 },
    ...overrides,
  };
}

describe('who may act on a patch', () => {
  it('lets the owner and everyone above them act', () => {
    for (const handle of ['alice', 'bob', 'carol'])
      expect(() => requireOwnerOrChain(gateway, chain, person(handle), `slack:${handle}`)).not.toThrow();
  });

  it('tells anyone else who may, and a stranger that the inventory does not know them', () => {
    const mallory: Person = { ...person('alice'), handle: 'mallory', name: 'Mallory' };
    expect(() => requireOwnerOrChain(gateway, chain, mallory, 'slack:UMAL')).toThrow(
      'only the owner of mail-gw-1 and their management chain may do this: Alice Owner, Bob Manager, Carol Chief',
    );
    expect(() => requireOwnerOrChain(gateway, chain, undefined, 'slack:UNKNOWN')).toThrow(
      'you (slack:UNKNOWN) are not in the inventory, and only the owner of mail-gw-1',
    );
  });

  it('names the owner handle when the inventory knows nobody in the chain', () => {
    expect(() => requireOwnerOrChain(gateway, [], person('bob'), 'slack:UBOB')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringMatching(/may do this: alice$/) }),
    );
  });
});

describe('acting on patches', () => {
  const acting = { actor: person('alice'), actorIdentity: 'slack:UALICE', now: NOW };

  it('snoozes each patch, in order', () => {
    const states = actOnPatches([storedPatch(1, 'CVE-1'), storedPatch(2, 'CVE-2')], STANDARD_POLICY, {
      ...acting,
      action: { kind: 'snooze', durationMs: 2 * DAY, reason: 'vendor build due' },
    });
    expect(states.map((state) => [state.phase, state.holdUntil, state.snoozes])).toEqual([
      ['snoozed', NOW + 2 * DAY, 1],
      ['snoozed', NOW + 2 * DAY, 1],
    ]);
  });

  it('refuses all when one patch refuses, naming that patch only when there are several', () => {
    const done = storedPatch(2, 'CVE-2', {
      escalation: { ...storedPatch(2, 'CVE-2').escalation, phase: 'done', nextAt: null },
    });
    expect(() =>
      actOnPatches([storedPatch(1, 'CVE-1'), done], STANDARD_POLICY, { ...acting, action: { kind: 'ack' } }),
    ).toThrow(expect.objectContaining({ code: 'CONFLICT', message: 'CVE-2: this patch is already marked as applied' }));
    expect(() => actOnPatches([done], STANDARD_POLICY, { ...acting, action: { kind: 'ack' } })).toThrow(
      expect.objectContaining({ message: 'this patch is already marked as applied' }),
    );
  });

  it('records who acknowledged, by identity when the inventory does not know them', () => {
    const [state] = actOnPatches([storedPatch(1, 'CVE-1')], STANDARD_POLICY, {
      actor: undefined,
      actorIdentity: 'teams:aad-x',
      now: NOW,
      action: { kind: 'ack' },
    });
    expect(state!.lastAck).toMatchObject({ by: 'teams:aad-x', at: NOW });
    expect(state!.holdUntil).toBeGreaterThan(NOW + HOUR);
  });

  it('marks patched whatever the phase', () => {
    const [state] = actOnPatches([storedPatch(1, 'CVE-1')], STANDARD_POLICY, { ...acting, action: { kind: 'done' } });
    expect(state).toMatchObject({ phase: 'done', nextAt: null, holdUntil: null });
  });
});
