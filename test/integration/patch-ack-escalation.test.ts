/**
 * Issue 15, through the store on real databases: an owner who clicks Acknowledge after every nag
 * kept the patch at level 0 (87 nags in 90 days, all to the owner). Here the sweep plans each nag,
 * the nag worker's processor delivers it (direct messages recorded), and the owner acknowledges it
 * a minute later with the step its delivered Acknowledge button carries: the manager and
 * leadership are nagged when the levels' clocks say, and acknowledging is refused once a level's
 * acknowledgement is used.
 */
import { clockFrom } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatchNagProcessor } from '../../jobs/patch-nag.js';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import { readNagButtonValue } from '../../src/chat/patch-nag-cards.js';
import { isAppError } from '../../src/errors.js';
import { longestEscalationMs } from '../../src/patching/escalation-bound.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import { type NagId, sweepDuePatches } from '../../src/store/escalation-sweep.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPatch } from '../../src/store/inventory-queries.js';
import { applyPatchAction } from '../../src/store/patch-actions.js';
import { DAY, inventory, patch, PEOPLE, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

const MINUTE = 60_000;
const start = Date.parse('2026-11-20T10:00:00Z');
/** Critical, released 4 days before the start under a 7-day SLA: due 3 days after it, reminded at it. */
const due = start + 3 * DAY;
const KEY = 'CVE-2026-1500';
const alice = PEOPLE.find((person) => person.handle === 'alice')!;

describe.each(STORE_DIALECTS)('acknowledging every nag on %s', (dialect) => {
  let store: TestDatabase;

  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    await importInventory(
      store,
      inventory({ systems: [system('mail-gw-1')], patches: [patch('mail-gw-1', KEY, start - 4 * DAY)] }),
      { actor: 'alice', surface: 'cli', now: start, source: 'test' },
    );
  });

  afterEach(async () => {
    await store.drop();
  });

  const ack = (nag: number, now: number, by = alice) =>
    applyPatchAction(store, {
      system: 'mail-gw-1',
      patch: KEY,
      action: { kind: 'ack', nag },
      actor: by,
      actorIdentity: by.handle,
      surface: 'slack',
      now,
    });

  it('still reaches the manager and leadership on schedule, with acknowledgements refused once each level has had one', async () => {
    const slack = recordingNotifier('slack');
    let now = start;
    const deliver = createPatchNagProcessor({ store, notifiers: [slack.notifier], clock: clockFrom(() => now) });
    const refusals: string[] = [];
    const end = start + 90 * DAY;
    /** The step the delivered nag's Acknowledge button carries, as the Slack or Teams handler reads it. */
    const clickedStep = (id: NagId): number => {
      const posted = slack.messages.find(
        (message) => message.kind !== 'direct' && message.marker === `nag-${id.patchId}-${id.step}`,
      );
      const actions = posted?.card.blocks.find((block) => block.kind === 'actions');
      const value =
        actions?.kind === 'actions'
          ? actions.actions.find((action) => action.id === ACTION_IDS.patchAck)?.value
          : undefined;
      expect(value).toBe(`${id.patchId}:${id.step}`);
      return readNagButtonValue(value!)!.step!;
    };
    for (;;) {
      const { planned } = await sweepDuePatches(store, now);
      for (const id of planned)
        expect(await deliver({ id: `nag-${id.patchId}-${id.step}`, data: id } as never)).toBe('sent');
      now += MINUTE;
      for (const id of planned) {
        try {
          await ack(clickedStep(id), now);
        } catch (error) {
          if (!isAppError(error)) throw error;
          refusals.push(`${error.code}: ${error.message}`);
        }
      }
      const nextAt = (await findPatch(store.db, 'mail-gw-1', KEY))!.escalation.nextAt;
      if (nextAt === null || nextAt > end) break;
      now = Math.max(now, nextAt);
    }

    const nags = await store.db
      .selectFrom('nags')
      .select(['step', 'level', 'kind', 'planned_at', 'status'])
      .orderBy('step')
      .execute();
    const at = (offset: number) => due + offset;
    // Each level moves on when its wait is over or its acknowledgement ends, whichever is later:
    // a minute's click after each nag, 3-day acknowledgements, waits of 2, 2, 3 and 7 days.
    expect(
      nags.map((nag) => ({
        step: Number(nag.step),
        level: Number(nag.level),
        kind: nag.kind,
        at: Number(nag.planned_at),
        status: nag.status,
      })),
    ).toEqual([
      { step: 1, level: -1, kind: 'coming-due', at: start, status: 'sent' },
      { step: 2, level: 0, kind: 'overdue', at: at(MINUTE), status: 'sent' },
      { step: 3, level: 1, kind: 'escalated', at: at(3 * DAY + 2 * MINUTE), status: 'sent' },
      { step: 4, level: 2, kind: 'escalated', at: at(6 * DAY + 3 * MINUTE), status: 'sent' },
      { step: 5, level: 3, kind: 'escalated', at: at(9 * DAY + 4 * MINUTE), status: 'sent' },
      { step: 6, level: 3, kind: 'repeat', at: at(16 * DAY + 4 * MINUTE), status: 'sent' },
      { step: 7, level: 3, kind: 'repeat', at: at(23 * DAY + 4 * MINUTE), status: 'sent' },
    ]);
    expect(Number(nags[4]!.planned_at) - due).toBeLessThanOrEqual(longestEscalationMs(STANDARD_POLICY));

    // Direct messages: the owner for the first three levels, then Bob (manager), then Carol (the top of the chain).
    expect(slack.messages.filter((message) => message.kind === 'direct').map((message) => message.to)).toEqual([
      'UALICE',
      'UALICE',
      'UALICE',
      'UBOB',
      'UCAROL',
      'UCAROL',
      'UCAROL',
    ]);

    // The two repeats at the top found its acknowledgement used, and said what to do instead.
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toBe(
      'FORBIDDEN: this level was already acknowledged once (last by alice at Wed 2 Dec 11:05 Europe/Berlin), the most the standard policy allows, so escalation goes on as scheduled. Instead, apply it, request an outage window (outage request), or ask for the risk to be accepted (patch accept-risk)',
    );
    const acks: unknown[] = [];
    for await (const row of readAuditLog(store.db)) if (row.action === 'ack') acks.push(JSON.parse(row.details));
    expect(acks.map((details) => (details as { nag: number }).nag)).toEqual([1, 2, 3, 4, 5]);
    expect((await findPatch(store.db, 'mail-gw-1', KEY))!.escalation).toMatchObject({
      phase: 'exhausted',
      level: 3,
      nextAt: null,
    });
  });

  it('a second click on the same nag changes nothing and says who acknowledged it and when', async () => {
    const { planned } = await sweepDuePatches(store, start);
    const [reminder] = planned as NagId[];
    await ack(reminder!.step, start + MINUTE);
    const before = await findPatch(store.db, 'mail-gw-1', KEY);
    const bob = PEOPLE.find((person) => person.handle === 'bob')!;
    await expect(ack(reminder!.step, start + 2 * MINUTE, bob)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'this nag was already acknowledged by alice at Fri 20 Nov 11:01 Europe/Berlin; nothing changed',
    });
    expect(await findPatch(store.db, 'mail-gw-1', KEY)).toEqual(before);
  });
});
