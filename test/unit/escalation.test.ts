import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { acknowledge } from '../../src/patching/acknowledgement.js';
import {
  acceptRisk,
  advanceEscalation,
  type AdvanceResult,
  type EscalationState,
  escalateForDenial,
  markDone,
  moveDueDate,
  reopen,
  snooze,
  startEscalation,
  type WorkingTimeOf,
} from '../../src/patching/escalation.js';
import { DEFAULT_WORKING_HOURS, type EscalationPolicy } from '../../src/patching/inventory.js';
import { nextWorkingTime } from '../../src/patching/working-time.js';
import { STANDARD_POLICY } from '../support/inventory-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const due = Date.parse('2026-11-02T10:00:00Z');
const patch = { dueAt: due };

const policy: EscalationPolicy = STANDARD_POLICY;

const always: WorkingTimeOf = (_level, at) => at;
const byAlice = { by: 'alice', timeZone: 'UTC' };

/** Runs the sweep each time the state asks to be looked at, until it stops asking or `until`. */
function drive(
  state: EscalationState,
  until: number,
  workingTime: WorkingTimeOf = always,
  usePolicy = policy,
): { state: EscalationState; results: AdvanceResult[] } {
  const results: AdvanceResult[] = [];
  while (state.nextAt !== null && state.nextAt <= until) {
    const result = advanceEscalation(state, patch, usePolicy, state.nextAt, workingTime);
    results.push(result);
    state = result.state;
  }
  return { state, results };
}

const nagsOf = (results: AdvanceResult[]) =>
  results.flatMap((result) =>
    result.outcome === 'nag'
      ? [
          {
            step: result.nag.step,
            level: result.nag.level,
            kind: result.nag.kind,
            at: new Date(result.nag.at).toISOString(),
          },
        ]
      : [],
  );

describe('escalation of an overdue patch', () => {
  it('reminds before the due date, then walks the levels, repeats the last up to the cap, then stops', () => {
    const { state, results } = drive(startEscalation(patch, policy), due + 100 * DAY);
    expect(nagsOf(results)).toEqual([
      { step: 1, level: -1, kind: 'coming-due', at: '2026-10-30T10:00:00.000Z' },
      { step: 2, level: 0, kind: 'overdue', at: '2026-11-02T10:00:00.000Z' },
      { step: 3, level: 1, kind: 'escalated', at: '2026-11-04T10:00:00.000Z' },
      { step: 4, level: 2, kind: 'escalated', at: '2026-11-06T10:00:00.000Z' },
      { step: 5, level: 3, kind: 'escalated', at: '2026-11-09T10:00:00.000Z' },
      { step: 6, level: 3, kind: 'repeat', at: '2026-11-16T10:00:00.000Z' },
      { step: 7, level: 3, kind: 'repeat', at: '2026-11-23T10:00:00.000Z' },
    ]);
    expect(results.at(-1)).toMatchObject({ outcome: 'exhausted' });
    expect(state).toMatchObject({ phase: 'exhausted', nextAt: null, step: 7 });
  });

  it('goes straight to the first level when the patch is already overdue on import', () => {
    const imported = startEscalation(patch, policy);
    const result = advanceEscalation(imported, patch, policy, due + 10 * DAY, always);
    expect(result).toMatchObject({ outcome: 'nag', nag: { step: 1, level: 0, kind: 'overdue' } });
  });

  it('sends no reminder when the policy has none', () => {
    const silent = { ...policy, remindBeforeMs: 0 };
    const start = startEscalation(patch, silent);
    expect(start.nextAt).toBe(due);
    expect(nagsOf(drive(start, due, always, silent).results)).toEqual([
      { step: 1, level: 0, kind: 'overdue', at: '2026-11-02T10:00:00.000Z' },
    ]);
  });

  it('does nothing before nextAt, and a replay of the same sweep plans the same nag', () => {
    const start = startEscalation(patch, policy);
    expect(advanceEscalation(start, patch, policy, start.nextAt! - 1, always)).toEqual({
      outcome: 'idle',
      state: start,
    });
    const first = advanceEscalation(start, patch, policy, start.nextAt!, always);
    const replay = advanceEscalation(start, patch, policy, start.nextAt!, always);
    expect(replay).toEqual(first);
  });

  it('moves the reminder with a later due date until someone was reminded', () => {
    const start = startEscalation(patch, policy);
    const later = { dueAt: due + 10 * DAY };
    expect(moveDueDate(start, later, policy).nextAt).toBe(later.dueAt - 3 * DAY);
    const reminded = drive(start, due - DAY).state;
    expect(reminded.reminded).toBe(true);
    const moved = moveDueDate(reminded, later, policy);
    expect(moved.nextAt).toBe(later.dueAt);
    // Looked at on the old date, it only waits for the new one.
    const early = advanceEscalation(moved, later, policy, due, always);
    expect(early).toMatchObject({ outcome: 'idle' });
    const overdue = drive(drive(startEscalation(patch, policy), due).state, due).state;
    expect(moveDueDate(overdue, later, policy)).toBe(overdue);
  });
});

describe('holding escalation', () => {
  const atLevel2 = drive(startEscalation(patch, policy), due + 4 * DAY).state;

  // Issue 15: this used to nag level 2 again when the acknowledgement ran out ('resumed') and
  // only then start its 3-day wait afresh, so acknowledging every nag kept a patch on one level.
  it('an acknowledgement holds the level for ackFor without stopping its clock: when both are over, the next level is nagged', () => {
    expect(atLevel2).toMatchObject({ phase: 'overdue', level: 2, nextAt: due + 7 * DAY });
    const acked = acknowledge(atLevel2, policy, due + 4 * DAY + HOUR, byAlice);
    expect(acked).toMatchObject({
      phase: 'acknowledged',
      nextAt: due + 7 * DAY + HOUR,
      holdUntil: due + 7 * DAY + HOUR,
    });
    const { results } = drive(acked, due + 10 * DAY + HOUR);
    expect(nagsOf(results)).toEqual([{ step: 5, level: 3, kind: 'escalated', at: '2026-11-09T11:00:00.000Z' }]);
  });

  it('an acknowledgement of the reminder that ends before the due date leaves the normal overdue nag', () => {
    const shortAck = { ...policy, ackForMs: DAY };
    const reminded = drive(startEscalation(patch, shortAck), due - 3 * DAY, always, shortAck).state;
    const acked = acknowledge(reminded, shortAck, due - 3 * DAY, byAlice);
    const { results } = drive(acked, due, always, shortAck);
    expect(results.map((result) => result.outcome)).toEqual(['idle', 'nag']);
    expect(nagsOf(results)).toEqual([{ step: 2, level: 0, kind: 'overdue', at: '2026-11-02T10:00:00.000Z' }]);
  });

  // Was kind 'resumed': the acknowledgement held the reminder, so what follows is the first level's overdue nag.
  it('an acknowledgement of the reminder that runs past the due date nags the first level when it ends', () => {
    const reminded = drive(startEscalation(patch, policy), due - DAY).state;
    const { results } = drive(acknowledge(reminded, policy, due - DAY, byAlice), due + 2 * DAY);
    expect(nagsOf(results)[0]).toEqual({ step: 2, level: 0, kind: 'overdue', at: '2026-11-04T10:00:00.000Z' });
  });

  it('a snooze needs a reason, stays within the length and count, and resumes where it was', () => {
    const now = due + 4 * DAY + HOUR;
    const attempt = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return isAppError(error) ? { code: error.code, message: error.message } : error;
      }
      return 'no error';
    };
    expect(attempt(() => snooze(atLevel2, policy, now, DAY, '  '))).toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('needs a reason'),
    });
    expect(attempt(() => snooze(atLevel2, policy, now, 8 * DAY, 'vendor build'))).toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('at most 1 week'),
    });
    const once = snooze(atLevel2, policy, now, 2 * DAY, 'vendor build');
    expect(once).toMatchObject({ phase: 'snoozed', snoozes: 1, nextAt: now + 2 * DAY });
    const twice = snooze(once, policy, now, 2 * DAY, 'vendor build, again');
    expect(attempt(() => snooze(twice, policy, now, DAY, 'third time'))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('already snoozed 2 times'),
    });
    const { results } = drive(twice, now + 2 * DAY);
    expect(results[0]).toMatchObject({ outcome: 'nag', nag: { level: 2, kind: 'resumed', resumedFrom: 'snoozed' } });
  });

  it('an accepted risk pauses until its expiry, then resumes at the level reached, whatever the repeat count', () => {
    const exhausted = drive(startEscalation(patch, policy), due + 100 * DAY).state;
    const accepted = acceptRisk(exhausted, due + 100 * DAY, due + 190 * DAY);
    expect(accepted).toMatchObject({ phase: 'risk-accepted', nextAt: due + 190 * DAY });
    expect(drive(accepted, due + 189 * DAY).results).toEqual([]);
    const { results, state } = drive(accepted, due + 190 * DAY);
    expect(results).toMatchObject([
      { outcome: 'nag', nag: { step: 8, level: 3, kind: 'resumed', resumedFrom: 'risk-accepted' } },
    ]);
    expect(state).toMatchObject({ phase: 'overdue', level: 3, round: 1 });
  });

  it('nothing holds an accepted risk or a patched system', () => {
    const accepted = acceptRisk(atLevel2, due, due + 30 * DAY);
    expect(() => acknowledge(accepted, policy, due, byAlice)).toThrow(/risk .* is accepted/);
    expect(() => snooze(accepted, policy, due, DAY, 'why')).toThrow(/risk .* is accepted/);
    const done = markDone(atLevel2);
    expect(done).toMatchObject({ phase: 'done', nextAt: null });
    expect(() => acknowledge(done, policy, due, byAlice)).toThrow(/already marked as applied/);
    expect(() => acceptRisk(atLevel2, due, due - 1)).toThrow(/expire in the future/);
  });

  it('reopening nags the level reached at once, then escalates from there', () => {
    const reopened = reopen(markDone(atLevel2), due + 5 * DAY);
    const { results } = drive(reopened, due + 8 * DAY);
    expect(nagsOf(results)).toEqual([
      { step: 5, level: 2, kind: 'reopened', at: '2026-11-07T10:00:00.000Z' },
      { step: 6, level: 3, kind: 'escalated', at: '2026-11-10T10:00:00.000Z' },
    ]);
  });
});

describe('quiet hours', () => {
  const quiet = { ...policy, quietHours: true };
  // Working time for everyone: 09:00-17:00 UTC every day; level 2 (manager) only from 13:00.
  const workingTime: WorkingTimeOf = (level, at) => {
    const day = Math.floor(at / DAY) * DAY;
    const opens = day + (level === 2 ? 13 : 9) * HOUR;
    const closes = day + 17 * HOUR;
    if (at < opens) return opens;
    if (at >= closes) return day + DAY + (level === 2 ? 13 : 9) * HOUR;
    return at;
  };

  it('defers a nag outside working hours to the recipient next working time, without planning it twice', () => {
    const lateDue = { dueAt: Date.parse('2026-11-02T20:00:00Z') };
    const start = { ...startEscalation(lateDue, quiet), reminded: true, nextAt: lateDue.dueAt };
    const deferred = advanceEscalation(start, lateDue, quiet, lateDue.dueAt, workingTime);
    expect(deferred).toEqual({
      outcome: 'deferred',
      state: { ...start, nextAt: Date.parse('2026-11-03T09:00:00Z') },
      until: Date.parse('2026-11-03T09:00:00Z'),
    });
    const sent = advanceEscalation(deferred.state, lateDue, quiet, deferred.state.nextAt!, workingTime);
    expect(sent).toMatchObject({ outcome: 'nag', nag: { step: 1, level: 0, at: Date.parse('2026-11-03T09:00:00Z') } });
  });

  it('uses the working time of the level being nagged', () => {
    const { results } = drive(startEscalation(patch, quiet), due + 5 * DAY, workingTime, quiet);
    const manager = results.find((result) => result.outcome === 'nag' && result.nag.level === 2);
    expect(manager).toMatchObject({ nag: { at: Date.parse('2026-11-06T13:00:00Z') } });
    expect(
      results.some((result) => result.outcome === 'deferred' && result.until === Date.parse('2026-11-06T13:00:00Z')),
    ).toBe(true);
  });
});

describe('quiet hours in the recipient zone, across a DST change', () => {
  const quiet = { ...policy, quietHours: true, remindBeforeMs: 0 };
  const berlin: WorkingTimeOf = (_level, at) => nextWorkingTime(at, 'Europe/Berlin', DEFAULT_WORKING_HOURS);

  it('a patch due on the Saturday clocks go back is first nagged Monday 09:00 winter time', () => {
    const saturday = { dueAt: Date.parse('2026-10-24T10:00:00Z') };
    let state = startEscalation(saturday, quiet);
    const deferred = advanceEscalation(state, saturday, quiet, saturday.dueAt, berlin);
    // 09:00 in Berlin on Monday 26 October is 08:00 UTC (CET, +01:00); on Friday it was 07:00 UTC.
    expect(deferred).toMatchObject({ outcome: 'deferred', until: Date.parse('2026-10-26T08:00:00Z') });
    state = deferred.state;
    expect(advanceEscalation(state, saturday, quiet, state.nextAt!, berlin)).toMatchObject({
      outcome: 'nag',
      nag: { level: 0, kind: 'overdue', at: Date.parse('2026-10-26T08:00:00Z') },
    });
  });
});

describe('a denied outage window', () => {
  it('escalates an overdue patch one level at once, the last level at most, and leaves others alone', () => {
    const atLevel1 = drive(startEscalation(patch, policy), due + 2 * DAY).state;
    expect(atLevel1.level).toBe(1);
    const escalated = escalateForDenial(atLevel1, patch, policy, due + 2 * DAY + HOUR);
    expect(escalated).toEqual({
      state: {
        ...atLevel1,
        phase: 'overdue',
        level: 2,
        round: 1,
        step: atLevel1.step + 1,
        holdUntil: null,
        nextAt: due + 5 * DAY + HOUR,
      },
      nag: { step: atLevel1.step + 1, level: 2, kind: 'outage-denied', at: due + 2 * DAY + HOUR },
    });
    const atTop = drive(startEscalation(patch, policy), due + 8 * DAY).state;
    expect(escalateForDenial(atTop, patch, policy, due + 8 * DAY)?.nag.level).toBe(3);
    expect(escalateForDenial(startEscalation(patch, policy), patch, policy, due - DAY)).toBeUndefined();
    expect(escalateForDenial(acceptRisk(atLevel1, due, due + 30 * DAY), patch, policy, due + 3 * DAY)).toBeUndefined();
    expect(escalateForDenial(markDone(atLevel1), patch, policy, due + 3 * DAY)).toBeUndefined();
  });
});
