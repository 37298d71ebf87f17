import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../../src/patching/inventory.js';
import { describeLocalTime, isWorkingTime, nextWorkingTime } from '../../src/patching/working-time.js';

/** ISO time with offset -> epoch ms; and back to UTC ISO so failures read as times. */
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad fixture ${iso}`);
  return ms;
};
const utc = (ms: number): string => new Date(ms).toISOString();

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7] as const;
const DAILY_0230: WorkingHours = { days: EVERY_DAY, startMinute: 2 * 60 + 30, endMinute: 18 * 60 };
const DAILY_0130: WorkingHours = { days: EVERY_DAY, startMinute: 60 + 30, endMinute: 18 * 60 };
const DAILY_0900: WorkingHours = { days: EVERY_DAY, startMinute: 9 * 60, endMinute: 18 * 60 };
const UNTIL_0230: WorkingHours = { days: EVERY_DAY, startMinute: 0, endMinute: 2 * 60 + 30 };
const EVENINGS: WorkingHours = { days: [1, 2, 3, 4, 5], startMinute: 20 * 60, endMinute: 24 * 60 };

describe('nextWorkingTime', () => {
  it.each<[string, string, WorkingHours, string, string]>([
    // [case, zone, hours, at, expected]
    ['inside hours is now', BERLIN, DEFAULT_WORKING_HOURS, '2026-11-30T10:15:00+01:00', '2026-11-30T10:15:00+01:00'],
    [
      'exactly the start is now',
      BERLIN,
      DEFAULT_WORKING_HOURS,
      '2026-11-30T09:00:00+01:00',
      '2026-11-30T09:00:00+01:00',
    ],
    [
      'one millisecond before the end is now',
      BERLIN,
      DEFAULT_WORKING_HOURS,
      '2026-11-30T17:59:59.999+01:00',
      '2026-11-30T17:59:59.999+01:00',
    ],
    [
      'before the start waits for it',
      BERLIN,
      DEFAULT_WORKING_HOURS,
      '2026-11-30T07:30:00+01:00',
      '2026-11-30T09:00:00+01:00',
    ],
    ['the end is exclusive', BERLIN, DEFAULT_WORKING_HOURS, '2026-12-01T18:00:00+01:00', '2026-12-02T09:00:00+01:00'],
    [
      'Friday night waits for Monday',
      BERLIN,
      DEFAULT_WORKING_HOURS,
      '2026-11-27T23:10:00+01:00',
      '2026-11-30T09:00:00+01:00',
    ],
    [
      'Saturday waits for Monday',
      BERLIN,
      DEFAULT_WORKING_HOURS,
      '2026-11-28T12:00:00+01:00',
      '2026-11-30T09:00:00+01:00',
    ],
    [
      'the same instant, seen from New York',
      NEW_YORK,
      DEFAULT_WORKING_HOURS,
      '2026-11-27T23:10:00+01:00',
      '2026-11-27T17:10:00-05:00',
    ],
    // Europe/Berlin, spring forward 2026-03-29 02:00 CET -> 03:00 CEST
    [
      'Berlin: weekend across spring forward',
      BERLIN,
      DEFAULT_WORKING_HOURS,
      '2026-03-27T20:00:00+01:00',
      '2026-03-30T09:00:00+02:00',
    ],
    ['Berlin: the spring-forward Sunday', BERLIN, DAILY_0900, '2026-03-28T20:00:00+01:00', '2026-03-29T09:00:00+02:00'],
    [
      'Berlin: a start in the skipped hour begins as clocks jump',
      BERLIN,
      DAILY_0230,
      '2026-03-29T00:00:00+01:00',
      '2026-03-29T03:00:00+02:00',
    ],
    [
      'Berlin: last instant before the jump is not yet working',
      BERLIN,
      DAILY_0230,
      '2026-03-29T01:59:59.999+01:00',
      '2026-03-29T03:00:00+02:00',
    ],
    [
      'Berlin: the day after spring forward starts at 02:30 again',
      BERLIN,
      DAILY_0230,
      '2026-03-29T18:00:00+02:00',
      '2026-03-30T02:30:00+02:00',
    ],
    // Europe/Berlin, fall back 2026-10-25 03:00 CEST -> 02:00 CET
    [
      'Berlin: weekend across fall back',
      BERLIN,
      DEFAULT_WORKING_HOURS,
      '2026-10-23T19:00:00+02:00',
      '2026-10-26T09:00:00+01:00',
    ],
    ['Berlin: the fall-back Sunday', BERLIN, DAILY_0900, '2026-10-24T20:00:00+02:00', '2026-10-25T09:00:00+01:00'],
    [
      'Berlin: a start in the repeated hour is its first occurrence',
      BERLIN,
      DAILY_0230,
      '2026-10-25T00:00:00+02:00',
      '2026-10-25T02:30:00+02:00',
    ],
    [
      'Berlin: the span goes on when clocks go back',
      BERLIN,
      DAILY_0230,
      '2026-10-25T02:15:00+01:00',
      '2026-10-25T02:15:00+01:00',
    ],
    [
      'Berlin: an end in the repeated hour is its first occurrence',
      BERLIN,
      UNTIL_0230,
      '2026-10-25T02:15:00+01:00',
      '2026-10-26T00:00:00+01:00',
    ],
    [
      'Berlin: before that end it is working',
      BERLIN,
      UNTIL_0230,
      '2026-10-25T02:29:00+02:00',
      '2026-10-25T02:29:00+02:00',
    ],
    // America/New_York, spring forward 2026-03-08 02:00 EST -> 03:00 EDT
    [
      'New York: weekend across spring forward',
      NEW_YORK,
      DEFAULT_WORKING_HOURS,
      '2026-03-06T18:00:00-05:00',
      '2026-03-09T09:00:00-04:00',
    ],
    [
      'New York: the spring-forward Sunday',
      NEW_YORK,
      DAILY_0900,
      '2026-03-07T20:00:00-05:00',
      '2026-03-08T09:00:00-04:00',
    ],
    [
      'New York: a start in the skipped hour begins as clocks jump',
      NEW_YORK,
      DAILY_0230,
      '2026-03-08T00:00:00-05:00',
      '2026-03-08T03:00:00-04:00',
    ],
    [
      'New York: the day before is unaffected',
      NEW_YORK,
      DAILY_0230,
      '2026-03-07T00:00:00-05:00',
      '2026-03-07T02:30:00-05:00',
    ],
    // America/New_York, fall back 2026-11-01 02:00 EDT -> 01:00 EST
    [
      'New York: weekend across fall back',
      NEW_YORK,
      DEFAULT_WORKING_HOURS,
      '2026-10-30T18:30:00-04:00',
      '2026-11-02T09:00:00-05:00',
    ],
    ['New York: the fall-back Sunday', NEW_YORK, DAILY_0900, '2026-10-31T20:00:00-04:00', '2026-11-01T09:00:00-05:00'],
    [
      'New York: a start in the repeated hour is its first occurrence',
      NEW_YORK,
      DAILY_0130,
      '2026-11-01T00:00:00-04:00',
      '2026-11-01T01:30:00-04:00',
    ],
    [
      'New York: the span goes on when clocks go back',
      NEW_YORK,
      DAILY_0130,
      '2026-11-01T01:10:00-05:00',
      '2026-11-01T01:10:00-05:00',
    ],
    // An end of 1440 runs to midnight.
    [
      'until midnight: the last millisecond is working',
      BERLIN,
      EVENINGS,
      '2026-11-30T23:59:59.999+01:00',
      '2026-11-30T23:59:59.999+01:00',
    ],
    [
      'until midnight: midnight itself is not',
      BERLIN,
      EVENINGS,
      '2026-12-01T00:00:00+01:00',
      '2026-12-01T20:00:00+01:00',
    ],
    [
      'until midnight: Friday midnight waits for Monday',
      BERLIN,
      EVENINGS,
      '2026-12-05T00:00:00+01:00',
      '2026-12-07T20:00:00+01:00',
    ],
    [
      'until midnight on the fall-back night',
      BERLIN,
      { days: [6], startMinute: 20 * 60, endMinute: 24 * 60 },
      '2026-10-24T23:59:00+02:00',
      '2026-10-24T23:59:00+02:00',
    ],
  ])('%s', (_case, zone, hours, now, expected) => {
    expect(utc(nextWorkingTime(at(now), zone, hours))).toBe(utc(at(expected)));
  });

  it('skips a day whose whole span falls in the skipped hour', () => {
    const sundaysInTheGap: WorkingHours = { days: [7], startMinute: 2 * 60 + 10, endMinute: 2 * 60 + 50 };
    expect(utc(nextWorkingTime(at('2026-03-28T12:00:00+01:00'), BERLIN, sundaysInTheGap))).toBe(
      utc(at('2026-04-05T02:10:00+02:00')),
    );
  });

  it.each<[string, string, WorkingHours]>([
    ['no weekdays', BERLIN, { days: [], startMinute: 540, endMinute: 1080 }],
    ['weekday 8', BERLIN, { days: [8 as 1], startMinute: 540, endMinute: 1080 }],
    ['end before start', BERLIN, { days: [1], startMinute: 1080, endMinute: 540 }],
    ['empty span', BERLIN, { days: [1], startMinute: 540, endMinute: 540 }],
    ['end past midnight', BERLIN, { days: [1], startMinute: 540, endMinute: 1441 }],
    ['negative start', BERLIN, { days: [1], startMinute: -1, endMinute: 540 }],
    ['fractional minute', BERLIN, { days: [1], startMinute: 540.5, endMinute: 1080 }],
    ['unknown zone', 'Mars/Olympus_Mons', DEFAULT_WORKING_HOURS],
    ['host-dependent zone', 'local', DEFAULT_WORKING_HOURS],
  ])('refuses %s with BAD_INPUT', (_case, zone, hours) => {
    expect(() => nextWorkingTime(at('2026-11-30T10:00:00+01:00'), zone, hours)).toThrowError(AppError);
    expect(() => isWorkingTime(at('2026-11-30T10:00:00+01:00'), zone, hours)).toThrowError(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
  });

  it('refuses a time that is not a number', () => {
    expect(() => nextWorkingTime(Number.NaN, BERLIN, DEFAULT_WORKING_HOURS)).toThrowError(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
  });
});

describe('isWorkingTime', () => {
  it.each<[string, string, WorkingHours, string, boolean]>([
    ['a weekday morning', BERLIN, DEFAULT_WORKING_HOURS, '2026-11-30T09:00:00+01:00', true],
    ['just before the start', BERLIN, DEFAULT_WORKING_HOURS, '2026-11-30T08:59:59.999+01:00', false],
    ['the end', BERLIN, DEFAULT_WORKING_HOURS, '2026-11-30T18:00:00+01:00', false],
    ['Saturday noon', BERLIN, DEFAULT_WORKING_HOURS, '2026-11-28T12:00:00+01:00', false],
    ['Berlin evening, New York afternoon', NEW_YORK, DEFAULT_WORKING_HOURS, '2026-11-30T21:00:00+01:00', true],
    ['Berlin evening, Berlin hours', BERLIN, DEFAULT_WORKING_HOURS, '2026-11-30T21:00:00+01:00', false],
    ['Berlin: the moment clocks jump past a 02:30 start', BERLIN, DAILY_0230, '2026-03-29T03:00:00+02:00', true],
    [
      'Berlin: second 02:10 after clocks go back, span started at the first 02:30',
      BERLIN,
      DAILY_0230,
      '2026-10-25T02:10:00+01:00',
      true,
    ],
    ['Berlin: first 02:10, before the start', BERLIN, DAILY_0230, '2026-10-25T02:10:00+02:00', false],
    ['New York: 03:00 as clocks jump past 02:30', NEW_YORK, DAILY_0230, '2026-03-08T03:00:00-04:00', true],
    ['New York: second 01:10 after clocks go back', NEW_YORK, DAILY_0130, '2026-11-01T01:10:00-05:00', true],
  ])('%s', (_case, zone, hours, now, expected) => {
    expect(isWorkingTime(at(now), zone, hours)).toBe(expected);
  });
});

describe('describeLocalTime', () => {
  it.each([
    ['2026-11-30T08:00:00Z', BERLIN, 'Mon 30 Nov 09:00 Europe/Berlin'],
    ['2026-11-30T08:00:00Z', NEW_YORK, 'Mon 30 Nov 03:00 America/New_York'],
    ['2026-09-05T23:05:00Z', BERLIN, 'Sun 6 Sep 01:05 Europe/Berlin'],
    ['2026-03-29T01:00:00Z', BERLIN, 'Sun 29 Mar 03:00 Europe/Berlin'],
  ])('%s in %s', (iso, zone, expected) => {
    expect(describeLocalTime(at(iso), zone)).toBe(expected);
  });

  it('refuses an unknown zone', () => {
    expect(() => describeLocalTime(0, 'Nowhere/Special')).toThrowError(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
