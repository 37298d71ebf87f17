/**
 * Durations as people type them in chat and inventory files: `90m`, `36h`, `7d`, `2w`, or a
 * combination such as `1d12h`. Months and years are refused: their length depends on the date.
 */
import { AppError } from '../errors.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

const WHOLE = /^(?:\d+[mhdw])+$/;
const PART = /(\d+)([mhdw])/g;

/** Parses `7d`, `36h`, `1d12h`... into milliseconds; throws BAD_INPUT naming the accepted forms. */
export function parseDuration(text: string): number {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!WHOLE.test(compact)) {
    throw new AppError(
      'BAD_INPUT',
      `"${text}" is not a duration: use a number with m, h, d or w, such as 90m, 36h, 7d, 2w or 1d12h`,
    );
  }
  let total = 0;
  for (const [, count, unit] of compact.matchAll(PART)) total += Number(count) * UNIT_MS[unit as Unit];
  if (total <= 0) throw new AppError('BAD_INPUT', `"${text}" is not a duration: it must be longer than zero`);
  return total;
}

/** The shortest exact spelling that parseDuration reads back: 1d12h, 2w, 90m... */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0m';
  let rest = Math.round(ms / UNIT_MS.m) * UNIT_MS.m;
  let text = '';
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * UNIT_MS[unit];
  }
  return text;
}

/** For people: "3 days", "5 hours", "1 day 4 hours" (at most two units, rounded down). */
export function describeDuration(ms: number): string {
  const units = [
    ['week', UNIT_MS.w],
    ['day', UNIT_MS.d],
    ['hour', UNIT_MS.h],
    ['minute', UNIT_MS.m],
  ] as const;
  const parts: string[] = [];
  let rest = Math.max(0, ms);
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.length > 0 ? parts.join(' ') : 'less than a minute';
}
