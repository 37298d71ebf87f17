import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { FreezePeriod, MaintenanceWindow } from '../../src/patching/inventory.js';
import {
  fitsMaintenanceWindow,
  nextMaintenanceSlots,
  overlappingFreeze,
  overlaps,
} from '../../src/patching/maintenance-windows.js';

/** ISO time with offset -> epoch ms; and back to UTC ISO so failures read as times. */
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad fixture ${iso}`);
  return ms;
};
const utc = (ms: number): string => new Date(ms).toISOString();
const slotsAsIso = (slots: readonly { start: number; end: number }[]): string[][] =>
  slots.map((slot) => [utc(slot.start), utc(slot.end)]);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Saturday 22:00 Berlin for 4 hours: runs into Sunday 02:00. */
const SATURDAY_NIGHT_BERLIN: MaintenanceWindow = {
  days: [6],
  startMinute: 22 * 60,
  durationMs: 4 * HOUR,
  timeZone: 'Europe/Berlin',
};
/** Wednesday 02:00 New York for 2 hours. */
const WEDNESDAY_NEW_YORK: MaintenanceWindow = {
  days: [3],
  startMinute: 2 * 60,
  durationMs: 2 * HOUR,
  timeZone: 'America/New_York',
};
/** Sunday 01:00 Berlin for 3 hours: spans both Berlin DST changes. */
const SUNDAY_0100_BERLIN: MaintenanceWindow = {
  days: [7],
  startMinute: 60,
  durationMs: 3 * HOUR,
  timeZone: 'Europe/Berlin',
};
/** Sunday 02:30 New York for 1 hour: starts in the skipped hour on 2026-03-08. */
const SUNDAY_0230_NEW_YORK: MaintenanceWindow = {
  days: [7],
  startMinute: 2 * 60 + 30,
  durationMs: HOUR,
  timeZone: 'America/New_York',
};
/** Sunday 01:30 New York for 1 hour: starts in the repeated hour on 2026-11-01. */
const SUNDAY_0130_NEW_YORK: MaintenanceWindow = {
  days: [7],
  startMinute: 60 + 30,
  durationMs: HOUR,
  timeZone: 'America/New_York',
};

const freeze = (from: string, to: string, reason = 'freeze'): FreezePeriod => ({ from: at(from), to: at(to), reason });

describe('overlaps', () => {
  it.each([
    [0, 10, 10, 20, false],
    [10, 20, 0, 10, false],
    [0, 10, 9, 20, true],
    [0, 10, 2, 3, true],
    [2, 3, 0, 10, true],
    [5, 5, 0, 10, false],
    [0, 10, 5, 5, false],
  ])('[%i, %i) and [%i, %i) -> %s', (aStart, aEnd, bStart, bEnd, expected) => {
    expect(overlaps(aStart, aEnd, bStart, bEnd)).toBe(expected);
  });
});

describe('overlappingFreeze', () => {
  const yearEnd = freeze('2026-12-20T00:00:00+01:00', '2027-01-04T00:00:00+01:00', 'year end');
  const audit = freeze('2026-12-01T00:00:00+01:00', '2026-12-22T00:00:00+01:00', 'audit');

  it.each<[string, string, string, string | undefined]>([
    ['before both', '2026-11-30T22:00:00+01:00', '2026-12-01T00:00:00+01:00', undefined],
    ['ending as a freeze begins', '2026-12-19T22:00:00+01:00', '2026-12-20T00:00:00+01:00', 'audit'],
    [
      'starting as the last freeze ends (to is exclusive)',
      '2027-01-04T00:00:00+01:00',
      '2027-01-04T02:00:00+01:00',
      undefined,
    ],
    ['inside both: the first listed wins', '2026-12-21T00:00:00+01:00', '2026-12-21T02:00:00+01:00', 'year end'],
    ['the last millisecond of a freeze', '2027-01-03T23:59:59.999+01:00', '2027-01-04T02:00:00+01:00', 'year end'],
  ])('%s', (_case, start, end, expected) => {
    expect(overlappingFreeze(at(start), at(end), [yearEnd, audit])?.reason).toBe(expected);
  });

  it('finds nothing in an empty list', () => {
    expect(overlappingFreeze(0, DAY, [])).toBeUndefined();
  });
});

describe('fitsMaintenanceWindow', () => {
  it.each<[string, readonly MaintenanceWindow[], string, number, boolean]>([
    ['the whole window', [SATURDAY_NIGHT_BERLIN], '2026-11-28T22:00:00+01:00', 4 * HOUR, true],
    ['a millisecond longer than the window', [SATURDAY_NIGHT_BERLIN], '2026-11-28T22:00:00+01:00', 4 * HOUR + 1, false],
    ['starting a minute early', [SATURDAY_NIGHT_BERLIN], '2026-11-28T21:59:00+01:00', HOUR, false],
    [
      'after midnight, inside the crossing window',
      [SATURDAY_NIGHT_BERLIN],
      '2026-11-29T00:00:00+01:00',
      2 * HOUR,
      true,
    ],
    ['after midnight, running past its end', [SATURDAY_NIGHT_BERLIN], '2026-11-29T01:30:00+01:00', HOUR, false],
    ['the same local time on the wrong weekday', [SATURDAY_NIGHT_BERLIN], '2026-11-27T22:00:00+01:00', HOUR, false],
    ['in the window zone, not the caller zone', [WEDNESDAY_NEW_YORK], '2026-11-25T08:00:00+01:00', 2 * HOUR, true],
    ['Berlin 02:00 is not New York 02:00', [WEDNESDAY_NEW_YORK], '2026-11-25T02:00:00+01:00', HOUR, false],
    ['no windows', [], '2026-11-28T22:00:00+01:00', HOUR, false],
    ['one of several windows', [WEDNESDAY_NEW_YORK, SATURDAY_NIGHT_BERLIN], '2026-11-28T23:00:00+01:00', HOUR, true],
    [
      'never across two windows',
      [SATURDAY_NIGHT_BERLIN, { ...SUNDAY_0100_BERLIN, startMinute: 2 * 60 }],
      '2026-11-29T01:00:00+01:00',
      2 * HOUR,
      false,
    ],
    // Berlin spring forward: 01:00 CET + 3 real hours ends 05:00 CEST.
    [
      'Berlin spring-forward night: to the real end',
      [SUNDAY_0100_BERLIN],
      '2026-03-29T04:30:00+02:00',
      30 * MINUTE,
      true,
    ],
    [
      'Berlin spring-forward night: past the real end',
      [SUNDAY_0100_BERLIN],
      '2026-03-29T04:30:00+02:00',
      31 * MINUTE,
      false,
    ],
    // Berlin fall back: 01:00 CEST + 3 real hours ends 03:00 CET.
    ['Berlin fall-back night: to the real end', [SUNDAY_0100_BERLIN], '2026-10-25T02:30:00+01:00', 30 * MINUTE, true],
    [
      'Berlin fall-back night: past the real end',
      [SUNDAY_0100_BERLIN],
      '2026-10-25T02:30:00+01:00',
      31 * MINUTE,
      false,
    ],
    ['Berlin fall-back night: from the local start', [SUNDAY_0100_BERLIN], '2026-10-25T01:00:00+02:00', 3 * HOUR, true],
    // New York spring forward: a 02:30 start opens when clocks jump to 03:00 EDT.
    ['New York skipped-hour start opens at 03:00', [SUNDAY_0230_NEW_YORK], '2026-03-08T03:00:00-04:00', HOUR, true],
    [
      'New York skipped-hour start: not before the jump',
      [SUNDAY_0230_NEW_YORK],
      '2026-03-08T01:59:00-05:00',
      MINUTE,
      false,
    ],
    ['New York a week earlier opens at 02:30', [SUNDAY_0230_NEW_YORK], '2026-03-01T02:30:00-05:00', HOUR, true],
    // New York fall back: a 01:30 start is the first 01:30 (EDT).
    ['New York repeated-hour start: first occurrence', [SUNDAY_0130_NEW_YORK], '2026-11-01T01:30:00-04:00', HOUR, true],
    [
      'New York repeated-hour start: the second 01:30 is its end',
      [SUNDAY_0130_NEW_YORK],
      '2026-11-01T01:30:00-05:00',
      MINUTE,
      false,
    ],
  ])('%s', (_case, windows, start, durationMs, expected) => {
    expect(fitsMaintenanceWindow(at(start), durationMs, windows)).toBe(expected);
  });
});

describe('nextMaintenanceSlots', () => {
  const WEDNESDAY = '2026-11-25T00:00:00+01:00';
  const BOTH = [SATURDAY_NIGHT_BERLIN, WEDNESDAY_NEW_YORK];

  it.each<[string, string, number, readonly MaintenanceWindow[], readonly FreezePeriod[], number, string[]]>([
    [
      'soonest first across windows and zones',
      WEDNESDAY,
      HOUR,
      BOTH,
      [],
      3,
      ['2026-11-25T02:00:00-05:00', '2026-11-28T22:00:00+01:00', '2026-12-02T02:00:00-05:00'],
    ],
    ['count limits the list', WEDNESDAY, HOUR, BOTH, [], 1, ['2026-11-25T02:00:00-05:00']],
    [
      'a window too short for the outage is skipped',
      WEDNESDAY,
      3 * HOUR,
      BOTH,
      [],
      2,
      ['2026-11-28T22:00:00+01:00', '2026-12-05T22:00:00+01:00'],
    ],
    [
      'an occurrence in a freeze is skipped',
      WEDNESDAY,
      HOUR,
      BOTH,
      [freeze('2026-11-28T00:00:00+01:00', '2026-11-29T00:00:00+01:00')],
      3,
      ['2026-11-25T02:00:00-05:00', '2026-12-02T02:00:00-05:00', '2026-12-05T22:00:00+01:00'],
    ],
    [
      'a freeze ending as the slot starts does not block it',
      WEDNESDAY,
      HOUR,
      [SATURDAY_NIGHT_BERLIN],
      [freeze('2026-11-28T00:00:00+01:00', '2026-11-28T22:00:00+01:00')],
      1,
      ['2026-11-28T22:00:00+01:00'],
    ],
    [
      'a freeze starting as the slot ends does not block it',
      WEDNESDAY,
      HOUR,
      [SATURDAY_NIGHT_BERLIN],
      [freeze('2026-11-28T23:00:00+01:00', '2026-11-30T00:00:00+01:00')],
      1,
      ['2026-11-28T22:00:00+01:00'],
    ],
    [
      'a freeze starting inside the slot blocks it',
      WEDNESDAY,
      HOUR,
      [SATURDAY_NIGHT_BERLIN],
      [freeze('2026-11-28T22:59:00+01:00', '2026-11-30T00:00:00+01:00')],
      1,
      ['2026-12-05T22:00:00+01:00'],
    ],
    [
      'an occurrence starting exactly at `after` counts',
      '2026-11-28T22:00:00+01:00',
      HOUR,
      [SATURDAY_NIGHT_BERLIN],
      [],
      1,
      ['2026-11-28T22:00:00+01:00'],
    ],
    [
      'an occurrence already running does not',
      '2026-11-28T22:00:00.001+01:00',
      HOUR,
      [SATURDAY_NIGHT_BERLIN],
      [],
      1,
      ['2026-12-05T22:00:00+01:00'],
    ],
    [
      'the skipped-hour start in New York',
      '2026-03-01T00:00:00-05:00',
      HOUR,
      [SUNDAY_0230_NEW_YORK],
      [],
      3,
      ['2026-03-01T02:30:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-15T02:30:00-04:00'],
    ],
    [
      'the repeated-hour start in New York',
      '2026-10-31T00:00:00-04:00',
      HOUR,
      [SUNDAY_0130_NEW_YORK],
      [],
      2,
      ['2026-11-01T01:30:00-04:00', '2026-11-08T01:30:00-05:00'],
    ],
    [
      'Berlin spring forward keeps the local start',
      '2026-03-22T02:00:00+01:00',
      3 * HOUR,
      [SUNDAY_0100_BERLIN],
      [],
      2,
      ['2026-03-29T01:00:00+01:00', '2026-04-05T01:00:00+02:00'],
    ],
    [
      'windows opening at the same instant give one slot',
      WEDNESDAY,
      HOUR,
      [SATURDAY_NIGHT_BERLIN, { days: [6], startMinute: 21 * 60, durationMs: HOUR, timeZone: 'UTC' }],
      [],
      2,
      ['2026-11-28T22:00:00+01:00', '2026-12-05T22:00:00+01:00'],
    ],
    [
      'found at the far end of the search after a long freeze',
      WEDNESDAY,
      HOUR,
      [SATURDAY_NIGHT_BERLIN],
      [freeze(WEDNESDAY, '2027-11-20T00:00:00+01:00')],
      5,
      ['2027-11-20T22:00:00+01:00'],
    ],
    ['no windows', WEDNESDAY, HOUR, [], [], 3, []],
    ['count zero', WEDNESDAY, HOUR, BOTH, [], 0, []],
    [
      'no result: frozen for the whole search',
      WEDNESDAY,
      HOUR,
      BOTH,
      [freeze(WEDNESDAY, '2028-01-01T00:00:00+01:00')],
      3,
      [],
    ],
    ['no result: longer than every window', WEDNESDAY, 5 * HOUR, BOTH, [], 3, []],
  ])('%s', (_case, after, durationMs, windows, freezes, count, expectedStarts) => {
    const expected = expectedStarts.map((start) => [utc(at(start)), utc(at(start) + durationMs)]);
    expect(slotsAsIso(nextMaintenanceSlots(at(after), durationMs, windows, freezes, count))).toEqual(expected);
  });

  it.each<[string, number, readonly MaintenanceWindow[], number]>([
    ['a window without weekdays', HOUR, [{ ...SATURDAY_NIGHT_BERLIN, days: [] }], 1],
    ['a window of zero length', HOUR, [{ ...SATURDAY_NIGHT_BERLIN, durationMs: 0 }], 1],
    ['a window longer than a week', HOUR, [{ ...SATURDAY_NIGHT_BERLIN, durationMs: 7 * DAY + 1 }], 1],
    ['a window starting at 24:00', HOUR, [{ ...SATURDAY_NIGHT_BERLIN, startMinute: 24 * 60 }], 1],
    ['a window in an unknown zone', HOUR, [{ ...SATURDAY_NIGHT_BERLIN, timeZone: 'Europe/Atlantis' }], 1],
    ['an outage of zero length', 0, [SATURDAY_NIGHT_BERLIN], 1],
    ['a negative count', HOUR, [SATURDAY_NIGHT_BERLIN], -1],
    ['a fractional count', HOUR, [SATURDAY_NIGHT_BERLIN], 1.5],
  ])('refuses %s with BAD_INPUT', (_case, durationMs, windows, count) => {
    let caught: unknown;
    try {
      nextMaintenanceSlots(at(WEDNESDAY), durationMs, windows, [], count);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: 'BAD_INPUT' });
  });

  it('checks every window, not only up to the first that fits', () => {
    const broken = { ...WEDNESDAY_NEW_YORK, timeZone: 'Nowhere/Special' };
    expect(() =>
      fitsMaintenanceWindow(at('2026-11-28T23:00:00+01:00'), HOUR, [SATURDAY_NIGHT_BERLIN, broken]),
    ).toThrowError(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
