/**
 * Single inventory values as people write them, in either file format: names, enums, weekdays,
 * clock times, dates, zones, numbers. Each parser throws BAD_INPUT with a message that reads after
 * the field path (`must be one of ... (got "urgent")`); each formatter writes what its parser reads.
 */
import { DateTime, IANAZone } from 'luxon';
import { AppError } from '../errors.js';
import { formatDuration } from './duration.js';
import type { Weekday } from './inventory.js';

function bad(message: string): AppError {
  return new AppError('BAD_INPUT', message);
}

// Names are keys in chat commands (`/patch ack mail-gw-1`) and are listed space-separated in
// CSV cells, so no spaces, commas or semicolons.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A person handle, system name or policy name. */
export function parseName(text: string): string {
  if (!NAME.test(text)) {
    throw bad(`must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (got "${text}")`);
  }
  return text;
}

export function parseText(text: string): string {
  return text;
}

/** A parser for one of a fixed set of lower-case words; `Critical` reads as `critical`. */
export function parseOneOf<T extends string>(values: readonly T[]): (text: string) => T {
  return (text) => {
    const value = values.find((candidate) => candidate === text.toLowerCase());
    if (value === undefined) throw bad(`must be one of ${values.join(', ')} (got "${text}")`);
    return value;
  };
}

export function parseWholeNumber(text: string): number {
  if (!/^\d{1,6}$/.test(text)) throw bad(`must be a whole number, 0 or more (got "${text}")`);
  return Number(text);
}

export function parseBoolean(text: string): boolean {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw bad(`must be true or false (got "${text}")`);
}

// Slack ids: U/W users, C/G channels (api.slack.com/changelog/2016-08-11-user-id-format-changes);
// checked because a user id in a channel column (or the reverse) is the usual spreadsheet slip.
// Teams channels are conversation ids (19:...@thread.tacv2). Teams users are AAD object ids in
// production but other ids in tests and the console adapter, so only their shape is checked.
export function parseSlackUser(text: string): string {
  if (!/^[UW][A-Z0-9]{2,}$/.test(text)) throw bad(`must be a Slack user id such as U012ABCDEF (got "${text}")`);
  return text;
}

export function parseSlackChannel(text: string): string {
  if (!/^[CG][A-Z0-9]{2,}$/.test(text)) throw bad(`must be a Slack channel id such as C0123ABCD (got "${text}")`);
  return text;
}

export function parseTeamsUser(text: string): string {
  if (/\s/.test(text))
    throw bad(`must be a Teams user id such as an Azure AD object id, without spaces (got "${text}")`);
  return text;
}

export function parseTeamsChannel(text: string): string {
  if (!/^19:\S+@thread\.\S+$/.test(text))
    throw bad(`must be a Teams channel id such as 19:abc@thread.tacv2 (got "${text}")`);
  return text;
}

/** Checks an IANA zone; a zone written in the wrong case comes back in its usual spelling. */
export function parseTimeZone(text: string): string {
  if (!IANAZone.isValidZone(text)) throw bad(`must be an IANA time zone such as Europe/Berlin or UTC (got "${text}")`);
  // Intl also maps links to other names (Asia/Kolkata <-> Asia/Calcutta, by ICU version): keep
  // what the user wrote unless only the case differs.
  const usual = new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  return usual.toLowerCase() === text.toLowerCase() ? usual : text;
}

export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export function parseWeekday(text: string): Weekday {
  const index = WEEKDAY_NAMES.findIndex((name) => name === text.toLowerCase());
  if (index < 0) throw bad(`must be a weekday: ${WEEKDAY_NAMES.join(', ')} (got "${text}")`);
  return (index + 1) as Weekday;
}

export function formatWeekday(day: Weekday): string {
  return WEEKDAY_NAMES[day - 1] ?? String(day);
}

/** `wed` or a range `mon-fri`; a range may run past Sunday (`sat-mon`). */
export function parseWeekdays(text: string): Weekday[] {
  const [first, last, ...rest] = text.split('-');
  if (first === undefined || rest.length > 0) throw bad(`must be a weekday or a range such as mon-fri (got "${text}")`);
  const from = parseWeekday(first);
  if (last === undefined) return [from];
  const to = parseWeekday(last);
  const days: Weekday[] = [];
  for (let day = from; ; day = ((day % 7) + 1) as Weekday) {
    days.push(day);
    if (day === to) return days;
  }
}

/** Sorted days, with runs of three or more as ranges: `mon-fri`, `mon,wed,fri`, `sat,sun`. */
export function formatWeekdays(days: readonly Weekday[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] ?? 0) + 1) end++;
    const run = sorted.slice(start, end + 1).map(formatWeekday);
    parts.push(run.length >= 3 ? `${run[0]}-${run[run.length - 1]}` : run.join(','));
    start = end + 1;
  }
  return parts.join(',');
}

const CLOCK = /^(\d{1,2}):(\d{2})$/;
const MINUTES_PER_DAY = 24 * 60;

/** `HH:MM` as minutes since midnight, 00:00 to 23:59; `24:00` too where an end of day is meant. */
export function parseClock(text: string, options: { endOfDay?: boolean } = {}): number {
  const match = CLOCK.exec(text);
  const minute = match === null ? NaN : Number(match[1]) * 60 + Number(match[2]);
  const valid =
    match !== null &&
    Number(match[2]) < 60 &&
    (minute < MINUTES_PER_DAY || (options.endOfDay === true && minute === MINUTES_PER_DAY));
  if (!valid)
    throw bad(`must be a time HH:MM from 00:00 to ${options.endOfDay === true ? '24:00' : '23:59'} (got "${text}")`);
  return minute;
}

export function formatClock(minute: number): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// Spelled out rather than left to luxon's fromISO, which also takes week dates and bare times
// (the latter meaning "today", which an inventory must never depend on).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A date (UTC midnight) or an ISO date-time; without an offset the time is UTC. */
export function parseInstant(text: string): number {
  const parsed =
    DATE_ONLY.test(text) || DATE_TIME.test(text)
      ? DateTime.fromISO(text.replace(' ', 'T').toUpperCase(), { zone: 'utc' })
      : undefined;
  if (parsed === undefined || !parsed.isValid) {
    throw bad(`must be a date YYYY-MM-DD or a date-time such as 2026-10-01T09:30Z (got "${text}")`);
  }
  return parsed.toMillis();
}

/**
 * The end of a period: a bare date includes that whole day (`to: 2027-01-05` ends at midnight
 * UTC starting 2027-01-06), which is what people mean by "until the 5th"; date-times are exact.
 */
export function parseEndInstant(text: string): number {
  const instant = parseInstant(text);
  return DATE_ONLY.test(text) ? instant + DAY_MS : instant;
}

/** A date when the instant is UTC midnight, else an ISO date-time in UTC. */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (ms % DAY_MS === 0) return iso.slice(0, 10);
  return iso.replace('.000Z', 'Z');
}

/** The inverse of parseEndInstant: an end at UTC midnight is written as the (inclusive) day before. */
export function formatEndInstant(ms: number): string {
  return ms % DAY_MS === 0 ? formatInstant(ms - DAY_MS) : formatInstant(ms);
}

/** Whole days as days (`30d`, `180d`, where formatDuration writes `4w2d`): SLAs are agreed in days. */
export function formatLength(ms: number): string {
  return ms > 0 && ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : formatDuration(ms);
}
