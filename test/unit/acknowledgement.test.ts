/**
 * Issue 15: acknowledging after every nag kept a patch at the owner for ever. An acknowledgement
 * now holds a level once, its clock running, and whatever is clicked the top of the chain hears
 * of a patch nobody applies within longestEscalationMs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { acknowledge, acknowledgementEndsAt, type AckRequest } from '../../src/patching/acknowledgement.js';
import { longestEscalationMs } from '../../src/patching/escalation-bound.js';
import {
  acceptRisk,
  advanceEscalation,
  escalateForDenial,
  type EscalationState,
  markDone,
  type PlannedNag,
  snooze,
  startEscalation,
  type WorkingTimeOf,
} from '../../src/patching/escalation.js';
import type { EscalationPolicy } from '../../src/patching/inventory.js';
import { STANDARD_POLICY } from '../support/inventory-fixture.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const due = Date.parse('2026-11-02T10:00:00Z');
const patch = { dueAt: due };
const policy: EscalationPolicy = STANDARD_POLICY;
const always: WorkingTimeOf = (_level, at) => at;
const alice: AckRequest = { by: 'alice', timeZone: 'UTC' };

/** Sweeps as the scheduler would, every time the state asks, up to `until`; the nags it plans. */
function sweepUntil(
  state: EscalationState,
  until: number,
  usePolicy = policy,
): { state: EscalationState; nags: PlannedNag[] } {
  const nags: PlannedNag[] = [];
  while (state.nextAt !== null && state.nextAt <= until) {
    const result = advanceEscalation(state, patch, usePolicy, state.nextAt, always);
    if (result.outcome === 'nag') nags.push(result.nag);
    state = result.state;
  }
  return { state, nags };
}

function refusal(run: () => unknown): { code: string; message: string } | 'accepted' {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  return 'accepted';
}

const brief = (nags: readonly PlannedNag[]) =>
  nags.map((nag) => ({ level: nag.level, kind: nag.kind, at: new Date(nag.at).toISOString() }));

describe('an acknowledgement', () => {
  // Level 0 (owner, 2 days) was nagged at the due date.
  const atLevel0 = sweepUntil(startEscalation(patch, policy), due).state;

  it("made early in a level holds it, and the next level is still nagged when the level's wait is up", () => {
    const shortAck = { ...policy, ackForMs: 12 * HOUR };
    const acked = acknowledge(atLevel0, shortAck, due + HOUR, alice);
    expect(acked).toMatchObject({
      phase: 'acknowledged',
      holdUntil: due + 13 * HOUR,
      lastAck: { step: 2, by: 'alice', at: due + HOUR, level: 0, count: 1, levelEndsAt: due + 2 * DAY },
    });
    expect(acknowledgementEndsAt(acked)).toBe(due + 2 * DAY);
    // The hold ends quietly; the owner's two days end on schedule, with the next level.
    const { state, nags } = sweepUntil(acked, due + 2 * DAY, shortAck);
    expect(brief(nags)).toEqual([{ level: 1, kind: 'escalated', at: '2026-11-04T10:00:00.000Z' }]);
    expect(state).toMatchObject({ phase: 'overdue', level: 1, holdUntil: null });
  });

  it('made late in a level holds it for ackFor, then the next level is nagged, not the same one', () => {
    const acked = acknowledge(atLevel0, policy, due + 2 * DAY - MINUTE, alice);
    expect(acknowledgementEndsAt(acked)).toBe(due + 5 * DAY - MINUTE);
    expect(sweepUntil(acked, due + 5 * DAY - 2 * MINUTE).nags).toEqual([]);
    expect(brief(sweepUntil(acked, due + 5 * DAY).nags)).toEqual([
      { level: 1, kind: 'escalated', at: '2026-11-07T09:59:00.000Z' },
    ]);
  });

  it('is allowed once a level by default: a further one is refused with what to do instead, and a new level allows one again', () => {
    const acked = acknowledge(atLevel0, policy, due + HOUR, alice);
    // Snoozed and resumed, level 0 is nagged again: its acknowledgement is used up.
    const resumed = sweepUntil(snooze(acked, policy, due + 2 * HOUR, DAY, 'vendor build'), due + 2 * HOUR + DAY).state;
    expect(resumed).toMatchObject({ phase: 'overdue', level: 0, step: 3 });
    expect(
      refusal(() => acknowledge(resumed, policy, due + 3 * DAY, { by: 'bob', timeZone: 'Europe/Berlin' })),
    ).toEqual({
      code: 'FORBIDDEN',
      message:
        'this level was already acknowledged once (last by alice at Mon 2 Nov 12:00 Europe/Berlin), the most the standard policy allows, so escalation goes on as scheduled. Instead, apply it, request an outage window (outage request), or ask for the risk to be accepted (patch accept-risk)',
    });
    const atLevel1 = sweepUntil(resumed, due + 3 * DAY + 2 * HOUR).state;
    expect(atLevel1.level).toBe(1);
    expect(acknowledge(atLevel1, policy, due + 4 * DAY, alice)).toMatchObject({
      phase: 'acknowledged',
      lastAck: { level: 1, count: 1 },
    });
  });

  it("follows the policy's ack.maxCount: two a level, or none at all", () => {
    const twice = { ...policy, ack: { maxCount: 2 } };
    const acked = acknowledge(atLevel0, twice, due + HOUR, alice);
    const resumed = sweepUntil(
      snooze(acked, twice, due + 2 * HOUR, DAY, 'vendor build'),
      due + 2 * HOUR + DAY,
      twice,
    ).state;
    expect(acknowledge(resumed, twice, due + 3 * DAY, alice)).toMatchObject({ lastAck: { level: 0, count: 2 } });
    expect(refusal(() => acknowledge(atLevel0, { ...policy, ack: { maxCount: 0 } }, due + HOUR, alice))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(
        /^the standard policy allows no acknowledgements, so escalation goes on as scheduled\. Instead, apply it, request an outage window/,
      ),
    });
  });

  it('uses the default limit for a policy stored before it had one', () => {
    const { ack: _limits, ...stored } = policy;
    const acked = acknowledge(atLevel0, stored, due + HOUR, alice);
    expect(acked.lastAck?.count).toBe(1);
  });

  it('is refused while snoozed, once escalation is over, and on a settled patch, each saying why', () => {
    const snoozed = snooze(atLevel0, policy, due + HOUR, DAY, 'vendor build');
    expect(refusal(() => acknowledge(snoozed, policy, due + 2 * HOUR, alice))).toEqual({
      code: 'CONFLICT',
      message:
        'this patch is snoozed until Tue 3 Nov 11:00 UTC: nobody is nagged before then, so there is nothing to acknowledge',
    });
    const exhausted = sweepUntil(atLevel0, due + 60 * DAY).state;
    expect(exhausted.phase).toBe('exhausted');
    expect(refusal(() => acknowledge(exhausted, policy, due + 60 * DAY, alice))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(
        /^escalation of this patch is over: every level of the standard policy was told, and an acknowledgement would hold nothing\. It stays on the overdue list until you apply it, request an outage window/,
      ),
    });
    expect(refusal(() => acknowledge(markDone(atLevel0), policy, due + HOUR, alice))).toMatchObject({
      code: 'CONFLICT',
      message: 'this patch is already marked as applied',
    });
    expect(
      refusal(() => acknowledge(acceptRisk(atLevel0, due, due + 30 * DAY), policy, due + HOUR, alice)),
    ).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('risk of not applying this patch is accepted'),
    });
  });
});

describe('a second click on the same nag', () => {
  const atLevel0 = sweepUntil(startEscalation(patch, policy), due).state;
  const acked = acknowledge(atLevel0, policy, due + HOUR, { ...alice, nag: atLevel0.step });
  const already = {
    code: 'CONFLICT',
    message: 'this nag was already acknowledged by alice at Mon 2 Nov 11:00 UTC; nothing changed',
  };

  it('changes nothing and says who acknowledged it and when, during the hold and after it', () => {
    expect(
      refusal(() => acknowledge(acked, policy, due + 2 * HOUR, { by: 'bob', nag: atLevel0.step, timeZone: 'UTC' })),
    ).toEqual(already);
    // Typed, with no nag named: the latest nag, the same one.
    expect(refusal(() => acknowledge(acked, policy, due + 2 * HOUR, alice))).toEqual(already);
    // The hold is over and no new nag went out (the level's wait is not): still the same nag.
    const oneDay = { ...policy, ackForMs: DAY };
    const released = sweepUntil(acknowledge(atLevel0, oneDay, due + HOUR, alice), due + DAY + 23 * HOUR, oneDay).state;
    expect(released).toMatchObject({ phase: 'overdue', level: 0, nextAt: due + 2 * DAY });
    expect(refusal(() => acknowledge(released, policy, due + DAY + 23 * HOUR, alice))).toEqual(already);
  });

  it('on an older nag, after the next level was nagged, is still that nag: already acknowledged', () => {
    const atLevel1 = sweepUntil(acked, due + 3 * DAY + HOUR).state;
    expect(atLevel1).toMatchObject({ level: 1, step: 3 });
    expect(refusal(() => acknowledge(atLevel1, policy, due + 3 * DAY + HOUR, { ...alice, nag: 2 }))).toEqual(already);
    // The new nag's own button acknowledges the new level.
    expect(acknowledge(atLevel1, policy, due + 3 * DAY + HOUR, { ...alice, nag: 3 })).toMatchObject({
      lastAck: { step: 3, level: 1, count: 1 },
    });
  });

  it('on an older nag not yet answered acknowledges the patch where it stands now', () => {
    const atLevel1 = sweepUntil(atLevel0, due + 2 * DAY).state;
    expect(acknowledge(atLevel1, policy, due + 2 * DAY, { ...alice, nag: 2 })).toMatchObject({
      lastAck: { step: 3, level: 1 },
    });
  });
});

describe('states stored before issue 15', () => {
  it('an acknowledgement without a recorded clock counts as having outlasted it: the next level follows', () => {
    const atLevel0 = sweepUntil(startEscalation(patch, policy), due).state;
    const legacy: EscalationState = {
      ...atLevel0,
      phase: 'acknowledged',
      holdUntil: due + 3 * DAY,
      nextAt: due + 3 * DAY,
    };
    expect(brief(sweepUntil(legacy, due + 3 * DAY).nags)).toEqual([
      { level: 1, kind: 'escalated', at: '2026-11-05T10:00:00.000Z' },
    ]);
    expect(refusal(() => acknowledge(legacy, policy, due + DAY, alice))).toEqual({
      code: 'CONFLICT',
      message: 'this patch is already acknowledged until Thu 5 Nov 10:00 UTC; nothing changed',
    });
  });
});

describe('acknowledging every nag as it arrives (the measured attack)', () => {
  it('still walks the chain: the manager and leadership are nagged, and a nag at most every level wait plus ackFor', () => {
    let state = startEscalation(patch, policy);
    const nags: PlannedNag[] = [];
    const refused: string[] = [];
    const end = due + 90 * DAY;
    while (state.nextAt !== null && state.nextAt <= end) {
      const result = advanceEscalation(state, patch, policy, state.nextAt, always);
      state = result.state;
      if (result.outcome !== 'nag') continue;
      nags.push(result.nag);
      // A minute after every nag, its Acknowledge.
      const click = result.nag.at + MINUTE;
      try {
        state = acknowledge(state, policy, click, { ...alice, nag: result.nag.step });
      } catch (error) {
        if (!isAppError(error)) throw error;
        refused.push(error.code);
      }
    }
    expect(brief(nags)).toEqual([
      { level: -1, kind: 'coming-due', at: '2026-10-30T10:00:00.000Z' },
      { level: 0, kind: 'overdue', at: '2026-11-02T10:01:00.000Z' },
      { level: 1, kind: 'escalated', at: '2026-11-05T10:02:00.000Z' },
      { level: 2, kind: 'escalated', at: '2026-11-08T10:03:00.000Z' },
      { level: 3, kind: 'escalated', at: '2026-11-11T10:04:00.000Z' },
      { level: 3, kind: 'repeat', at: '2026-11-18T10:04:00.000Z' },
      { level: 3, kind: 'repeat', at: '2026-11-25T10:04:00.000Z' },
    ]);
    expect(refused).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(state.phase).toBe('exhausted');
  });
});

describe('whatever is clicked, the top of the chain hears of a patch nobody applies', () => {
  it('within longestEscalationMs: the waits below the top, ackFor per acknowledgement allowed, and per snooze its length and a fresh wait', () => {
    // 2d + 2d + 3d of waits; four levels held by an acknowledgement of 3 days (the reminder's and
    // three below the top); two snoozes of a week, each restarting a wait of at most 3 days.
    expect(longestEscalationMs(policy)).toBe(7 * DAY + 4 * 3 * DAY + 2 * (7 * DAY + 3 * DAY));
  });

  const durationArb = (min: number, max: number) =>
    fc.integer({ min: min / MINUTE, max: max / MINUTE }).map((minutes) => minutes * MINUTE);

  const policyArb: fc.Arbitrary<EscalationPolicy> = fc
    .record({
      waits: fc.array(durationArb(HOUR, 5 * DAY), { minLength: 1, maxLength: 4 }),
      remindBeforeMs: fc.oneof(fc.constant(0), durationArb(HOUR, 5 * DAY)),
      repeatCap: fc.integer({ min: 0, max: 3 }),
      ackForMs: durationArb(HOUR, 4 * DAY),
      ackMax: fc.integer({ min: 0, max: 2 }),
      snoozeMax: fc.integer({ min: 0, max: 2 }),
      snoozeLength: durationArb(HOUR, 5 * DAY),
    })
    .map(({ waits, remindBeforeMs, repeatCap, ackForMs, ackMax, snoozeMax, snoozeLength }) => ({
      ...policy,
      remindBeforeMs,
      levels: waits.map((waitMs, index) => ({
        targets: [index === waits.length - 1 ? ('leadership' as const) : ('owner' as const)],
        waitMs,
      })),
      repeatCap,
      ackForMs,
      ack: { maxCount: ackMax },
      snooze: { maxCount: snoozeMax, maxLengthMs: snoozeLength },
    }));

  /** A click some time after the last thing that happened (a nag or a click), on some nag. */
  const clickArb = fc.record({
    after: durationArb(HOUR, 3 * DAY),
    kind: fc.constantFrom('ack', 'snooze'),
    on: fc.constantFrom('latest', 'previous', 'typed', 'acknowledged'),
    snoozeFor: durationArb(MINUTE, 8 * DAY),
    by: fc.constantFrom('alice', 'bob', 'carol'),
  });

  type Click = typeof clickArb extends fc.Arbitrary<infer T> ? T : never;

  function simulate(usePolicy: EscalationPolicy, clicks: readonly Click[]) {
    let state = startEscalation(patch, usePolicy);
    const nags: PlannedNag[] = [];
    const end = due + 90 * DAY;
    let last = due - 6 * DAY;
    let next = 0;
    for (;;) {
      const sweepAt = state.nextAt ?? Infinity;
      const click = clicks.length > 0 ? clicks[next % clicks.length]! : undefined;
      const clickAt = click === undefined ? Infinity : last + click.after;
      if (Math.min(sweepAt, clickAt) > end) break;
      if (sweepAt <= clickAt) {
        const result = advanceEscalation(state, patch, usePolicy, sweepAt, always);
        if (result.outcome === 'nag') nags.push(result.nag);
        state = result.state;
        last = sweepAt;
        continue;
      }
      next++;
      last = clickAt;
      const nag = {
        latest: state.step,
        previous: Math.max(1, state.step - 1),
        typed: undefined,
        acknowledged: state.lastAck?.step,
      }[click!.on];
      try {
        state =
          click!.kind === 'ack'
            ? acknowledge(state, usePolicy, clickAt, {
                by: click!.by,
                timeZone: 'UTC',
                ...(nag !== undefined ? { nag } : {}),
              })
            : snooze(state, usePolicy, clickAt, click!.snoozeFor, 'because');
      } catch (error) {
        if (!isAppError(error)) throw error;
      }
      expect(state.lastAck === undefined || state.lastAck.count <= (usePolicy.ack?.maxCount ?? 1)).toBe(true);
    }
    return nags;
  }

  it('property: any Acknowledge and Snooze clicks over 90 days, nobody patching', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(policy), policyArb),
        fc.array(clickArb, { maxLength: 12 }),
        (usePolicy, clicks) => {
          const top = simulate(usePolicy, clicks).find((nag) => nag.level === usePolicy.levels.length - 1);
          expect(top).toBeDefined();
          expect(top!.at - due).toBeLessThanOrEqual(longestEscalationMs(usePolicy));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a denied outage window during an acknowledgement escalates at once, and the new level may be acknowledged', () => {
    const atLevel0 = sweepUntil(startEscalation(patch, policy), due).state;
    const acked = acknowledge(atLevel0, policy, due + HOUR, alice);
    const denied = escalateForDenial(acked, patch, policy, due + 2 * HOUR)!;
    expect(denied.nag).toMatchObject({ level: 1, kind: 'outage-denied' });
    expect(acknowledge(denied.state, policy, due + 3 * HOUR, alice)).toMatchObject({ lastAck: { level: 1, count: 1 } });
  });
});
