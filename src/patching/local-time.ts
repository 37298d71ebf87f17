/**
 * Wall-clock time in an IANA zone, for working hours and maintenance windows. All zone math is
 * luxon's; the only rule added here is how a local time that does not exist, or exists twice,
 * becomes one instant (see resolveLocalTime).
 */
import { DateTime, IANAZone } from 'luxon';
import { AppError } from '../errors.js';
import type { Weekday } from './inventory.js';

export const MINUTES_PER_DAY = 24 * 60;
export const DAY_MS = 86_400_000;

/**
 * A calendar date with no zone, held as UTC midnight so that `plus({ days: 1 })` and
 * `plus({ minutes })` are plain calendar arithmetic with no DST in the way.
 */
export type CalendarDate = DateTime;

/**
 * The zone object for an IANA name. Only real IANA names (and UTC) are accepted: luxon would also
 * take "local" or "system", which would make the result depend on the host's zone.
 */
export function zoneNamed(timeZone: string): IANAZone {
  if (!IANAZone.isValidZone(timeZone)) {
    throw new AppError(
      'BAD_INPUT',
      `"${timeZone}" is not an IANA time zone: use a name such as Europe/Berlin or America/New_York`,
    );
  }
  return IANAZone.create(timeZone);
}

export function checkInstant(at: number, what: string): void {
  if (!Number.isFinite(at))
    throw new AppError('BAD_INPUT', `${what} must be a finite epoch-milliseconds time, not ${String(at)}`);
}

export function checkWeekdays(days: readonly number[], what: string): void {
  if (days.length === 0)
    throw new AppError('BAD_INPUT', `${what} has no weekdays: list at least one of 1 (Monday) to 7 (Sunday)`);
  const bad = days.find((day) => !Number.isInteger(day) || day < 1 || day > 7);
  if (bad !== undefined)
    throw new AppError('BAD_INPUT', `${what} has weekday ${String(bad)}: use 1 (Monday) to 7 (Sunday)`);
}

/** The date that clocks in `zone` show at `at`. */
export function localDateOf(at: number, zone: IANAZone): CalendarDate {
  const local = DateTime.fromMillis(at, { zone });
  return DateTime.utc(local.year, local.month, local.day);
}

export function weekdayOf(date: CalendarDate): Weekday {
  return date.weekday as Weekday;
}

/** What clocks in `zone` show at `at`, as if that wall time were UTC (comparable to a CalendarDate). */
function wallClockAt(at: number, zone: IANAZone): number {
  return DateTime.fromMillis(at, { zone }).setZone('UTC', { keepLocalTime: true }).toMillis();
}

/**
 * The first instant at which clocks in `zone` show `minute` minutes past midnight of `date`, or
 * later; minute 1440 is midnight at the end of the day.
 *
 * - A time skipped by a spring-forward change (02:30 in Europe/Berlin on 2026-03-29) becomes the
 *   first instant after the gap: the moment of the change, when clocks show 03:00. (luxon alone
 *   would move it by the gap's length, to 03:30.)
 * - A time repeated by an autumn change (02:30 in Europe/Berlin on 2026-10-25) becomes its first
 *   occurrence, in summer time. (luxon alone picks the second.)
 */
export function resolveLocalTime(date: CalendarDate, minute: number, zone: IANAZone): number {
  const wall = date.plus({ minutes: minute });
  const target = wall.toMillis();
  const local = DateTime.fromObject(
    { year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute },
    { zone },
  );
  if (wallClockAt(local.toMillis(), zone) === target) {
    return Math.min(local.toMillis(), ...local.getPossibleOffsets().map((candidate) => candidate.toMillis()));
  }
  // Skipped wall time: luxon moved it past the gap. Clocks run forward across the gap, so the first
  // instant showing `target` or later is found by bisection (no gap is longer than a day).
  let before = local.toMillis() - 2 * DAY_MS;
  let after = local.toMillis();
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wallClockAt(middle, zone) >= target) after = middle;
    else before = middle;
  }
  return after;
}
