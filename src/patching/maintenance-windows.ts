/**
 * When a system may be taken down. A window occurs on each of its weekdays, starting when clocks
 * in the window's zone first show its start time (resolveLocalTime: a start in the skipped hour
 * begins when clocks jump past it; one in the repeated hour at its first occurrence) and lasting
 * its duration in real time, so a DST-night occurrence keeps its local start and its length.
 * An occurrence may run past midnight (Saturday 22:00 for 4 h ends Sunday 02:00).
 */
import type { IANAZone } from 'luxon';
import { AppError } from '../errors.js';
import type { FreezePeriod, MaintenanceWindow } from './inventory.js';
import {
  checkInstant,
  checkWeekdays,
  DAY_MS,
  localDateOf,
  MINUTES_PER_DAY,
  resolveLocalTime,
  weekdayOf,
  zoneNamed,
  type CalendarDate,
} from './local-time.js';

export interface Slot {
  readonly start: number;
  readonly end: number;
}

/** How far ahead nextMaintenanceSlots looks for occurrence starts. */
export const SLOT_SEARCH_DAYS = 366;

/** A window longer than a week would overlap its own next occurrence. */
const MAX_WINDOW_MS = 7 * DAY_MS;

/** True when the half-open intervals [aStart, aEnd) and [bStart, bEnd) share an instant. */
export function overlaps(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart < aEnd && bStart < bEnd && aStart < bEnd && bStart < aEnd;
}

/** The first freeze (in list order) that shares an instant with [start, end); a freeze's `to` is exclusive. */
export function overlappingFreeze(
  start: number,
  end: number,
  freezes: readonly FreezePeriod[],
): FreezePeriod | undefined {
  return freezes.find((freeze) => overlaps(start, end, freeze.from, freeze.to));
}

/** Throws BAD_INPUT unless the window has weekdays, a start within the day, a length of up to a week and an IANA zone. */
export function checkMaintenanceWindow(window: MaintenanceWindow): IANAZone {
  const zone = zoneNamed(window.timeZone);
  checkWeekdays(window.days, 'A maintenance window');
  if (!Number.isInteger(window.startMinute) || window.startMinute < 0 || window.startMinute >= MINUTES_PER_DAY) {
    throw new AppError(
      'BAD_INPUT',
      `A maintenance window starts at minute ${String(window.startMinute)}: use a whole minute from 0 (00:00) to 1439 (23:59)`,
    );
  }
  if (!Number.isFinite(window.durationMs) || window.durationMs <= 0 || window.durationMs > MAX_WINDOW_MS) {
    throw new AppError(
      'BAD_INPUT',
      `A maintenance window lasts ${String(window.durationMs)} ms: it must be longer than zero and at most 7 days`,
    );
  }
  return zone;
}

function checkDuration(durationMs: number): void {
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new AppError(
      'BAD_INPUT',
      `An outage of ${String(durationMs)} ms cannot be placed: the duration must be longer than zero`,
    );
  }
}

function occurrenceOn(window: MaintenanceWindow, zone: IANAZone, date: CalendarDate): Slot | undefined {
  if (!window.days.includes(weekdayOf(date))) return undefined;
  const start = resolveLocalTime(date, window.startMinute, zone);
  return { start, end: start + window.durationMs };
}

/** Occurrences of `window` starting on the local dates from that of `from` to that of `to`, in order. */
function* occurrencesBetween(window: MaintenanceWindow, zone: IANAZone, from: number, to: number): Generator<Slot> {
  const last = localDateOf(to, zone);
  for (let date = localDateOf(from, zone); date <= last; date = date.plus({ days: 1 })) {
    const occurrence = occurrenceOn(window, zone, date);
    if (occurrence !== undefined) yield occurrence;
  }
}

/** True when [start, start + durationMs) lies entirely inside one occurrence of one window. */
export function fitsMaintenanceWindow(
  start: number,
  durationMs: number,
  windows: readonly MaintenanceWindow[],
): boolean {
  checkInstant(start, 'The outage start');
  checkDuration(durationMs);
  const checked = windows.map((window) => ({ window, zone: checkMaintenanceWindow(window) }));
  const end = start + durationMs;
  return checked.some(({ window, zone }) => {
    // Only an occurrence that starts in (start - window length, start] can contain start.
    for (const occurrence of occurrencesBetween(window, zone, start - window.durationMs, start)) {
      if (occurrence.start <= start && end <= occurrence.end) return true;
    }
    return false;
  });
}

/**
 * The next `count` slots of `durationMs` (soonest first, across all windows) that begin at an
 * occurrence start at or after `after`, within SLOT_SEARCH_DAYS, fit inside that occurrence and
 * overlap no freeze. A slot is the outage itself: `end` is `start + durationMs`, not the end of
 * the occurrence. Windows that open at the same instant give one slot. Fewer (or none) when the
 * search finds fewer.
 */
export function nextMaintenanceSlots(
  after: number,
  durationMs: number,
  windows: readonly MaintenanceWindow[],
  freezes: readonly FreezePeriod[],
  count: number,
): Slot[] {
  checkInstant(after, 'The earliest start');
  checkDuration(durationMs);
  if (!Number.isInteger(count) || count < 0)
    throw new AppError('BAD_INPUT', `Cannot list ${String(count)} slots: ask for a whole number, zero or more`);
  const checked = windows.map((window) => ({ window, zone: checkMaintenanceWindow(window) }));
  const horizon = after + SLOT_SEARCH_DAYS * DAY_MS;
  const starts = new Set<number>();
  for (const { window, zone } of checked) {
    if (durationMs > window.durationMs) continue;
    // Occurrences of one window come in order, so its first `count` slots are all it can add.
    let found = 0;
    for (const occurrence of occurrencesBetween(window, zone, after, horizon)) {
      if (found >= count) break;
      const inRange = occurrence.start >= after && occurrence.start < horizon;
      if (inRange && overlappingFreeze(occurrence.start, occurrence.start + durationMs, freezes) === undefined) {
        starts.add(occurrence.start);
        found += 1;
      }
    }
  }
  return [...starts]
    .sort((a, b) => a - b)
    .slice(0, count)
    .map((start) => ({ start, end: start + durationMs }));
}
