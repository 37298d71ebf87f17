/**
 * Working hours in the recipient's own zone, for quiet hours: a nag due outside them waits for the
 * next working span. On each working day the span runs from the instant local clocks first show
 * the start time to the instant they first show the end time (resolveLocalTime), so a span is one
 * unbroken stretch of real time even on DST days: a start in the skipped hour begins when clocks
 * jump past it, and a span whose start lies in the repeated hour does not pause when clocks go back.
 */
import { DateTime } from 'luxon';
import type { IANAZone } from 'luxon';
import { AppError } from '../errors.js';
import type { WorkingHours } from './inventory.js';
import {
  checkInstant,
  checkWeekdays,
  localDateOf,
  MINUTES_PER_DAY,
  resolveLocalTime,
  weekdayOf,
  zoneNamed,
  type CalendarDate,
} from './local-time.js';

/** Far more than any valid WorkingHours needs (at most two weeks); only a guard against loops. */
const SEARCH_DAYS = 366;

/** Throws BAD_INPUT unless the hours name a weekday and a non-empty span within one day. */
export function checkWorkingHours(hours: WorkingHours): void {
  checkWeekdays(hours.days, 'Working hours');
  const { startMinute, endMinute } = hours;
  if (!Number.isInteger(startMinute) || startMinute < 0 || startMinute >= MINUTES_PER_DAY) {
    throw new AppError(
      'BAD_INPUT',
      `Working hours start at minute ${String(startMinute)}: use a whole minute from 0 (00:00) to 1439 (23:59)`,
    );
  }
  if (!Number.isInteger(endMinute) || endMinute <= startMinute || endMinute > MINUTES_PER_DAY) {
    throw new AppError(
      'BAD_INPUT',
      `Working hours end at minute ${String(endMinute)}: use a whole minute after the start (${String(startMinute)}) and at most 1440 (midnight); spans across midnight are not supported`,
    );
  }
}

function workingSpanOn(
  date: CalendarDate,
  zone: IANAZone,
  hours: WorkingHours,
): { start: number; end: number } | undefined {
  if (!hours.days.includes(weekdayOf(date))) return undefined;
  const start = resolveLocalTime(date, hours.startMinute, zone);
  const end = resolveLocalTime(date, hours.endMinute, zone);
  // A span lying wholly inside a skipped hour does not happen that day.
  return start < end ? { start, end } : undefined;
}

/**
 * `at` itself when it is working time in `timeZone`, else the start of the next working span.
 * Throws BAD_INPUT for an unknown zone or invalid hours (no weekdays, end not after start).
 */
export function nextWorkingTime(at: number, timeZone: string, hours: WorkingHours): number {
  checkInstant(at, 'The time');
  const zone = zoneNamed(timeZone);
  checkWorkingHours(hours);
  let date = localDateOf(at, zone);
  for (let day = 0; day < SEARCH_DAYS; day += 1, date = date.plus({ days: 1 })) {
    const span = workingSpanOn(date, zone, hours);
    if (span !== undefined && at < span.end) return Math.max(at, span.start);
  }
  throw new AppError(
    'BAD_INPUT',
    `Working hours ${JSON.stringify(hours)} in ${timeZone} have no working time in the next ${SEARCH_DAYS} days`,
  );
}

export function isWorkingTime(at: number, timeZone: string, hours: WorkingHours): boolean {
  return nextWorkingTime(at, timeZone, hours) === at;
}

/** "Mon 30 Nov 09:00 Europe/Berlin": the wall time people in that zone see, for messages. */
export function describeLocalTime(at: number, timeZone: string): string {
  checkInstant(at, 'The time');
  const local = DateTime.fromMillis(at, { zone: zoneNamed(timeZone) }).setLocale('en-US');
  return `${local.toFormat('ccc d LLL HH:mm')} ${timeZone}`;
}
