/**
 * When an outage window should start, as people type it: an ISO time (2026-11-28T22:00, with or
 * without an offset) or a plain phrase (saturday 22:00, tomorrow 06:30, next sat 2am), read in the
 * requester's own time zone. chrono-node reads the phrase; luxon places the wall-clock time in the
 * zone, DST included (a time the clocks skip becomes the moment they jump, as for working hours).
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import { AppError } from '../errors.js';
import { resolveLocalTime, zoneNamed } from '../patching/local-time.js';

export function parseWhen(text: string, now: number, timeZone: string): number {
  const input = text.trim();
  const zone = zoneNamed(timeZone);
  // chrono works in one fixed offset; give it the requester's wall clock as if it were UTC, so
  // "today", "tomorrow" and weekdays are the requester's, then place the result in the real zone.
  const wallNow = DateTime.fromMillis(now, { zone }).setZone('UTC', { keepLocalTime: true }).toJSDate();
  const [result] = chrono.parse(input, { instant: wallNow, timezone: 'UTC' }, { forwardDate: true });
  if (result === undefined)
    throw new AppError(
      'BAD_INPUT',
      `"${input}" is not a time: write 2026-11-28 22:00, saturday 22:00 or tomorrow 06:30 (your time zone, ${timeZone})`,
    );
  const rest = (input.slice(0, result.index) + input.slice(result.index + result.text.length)).trim();
  if (rest !== '')
    throw new AppError(
      'BAD_INPUT',
      `"${input}": could not read "${rest}"; write only the time, such as saturday 22:00`,
    );
  const { start } = result;
  if (!start.isCertain('hour'))
    throw new AppError('BAD_INPUT', `"${input}" names a day but no time: add it, such as ${input} 22:00`);
  // An explicit offset (2026-11-28T22:00Z, +01:00) is an instant already.
  if (start.isCertain('timezoneOffset')) return start.date().getTime();
  const date = DateTime.utc(start.get('year')!, start.get('month')!, start.get('day')!);
  return resolveLocalTime(date, start.get('hour')! * 60 + (start.get('minute') ?? 0), zone);
}
