/** `--since` as the CLI takes it: an ISO date or time, or a duration back from now (7d). */
import { AppError } from '../src/errors.js';
import { parseDuration } from '../src/patching/duration.js';

export function parseSince(text: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = Date.parse(/T|\s/.test(text) ? text : `${text}T00:00:00Z`);
    if (Number.isNaN(at))
      throw new AppError(
        'BAD_INPUT',
        `--since "${text}" is not a date: use 2026-11-01, 2026-11-01T09:00:00Z or a duration such as 7d`,
      );
    return at;
  }
  try {
    return now - parseDuration(text);
  } catch {
    throw new AppError('BAD_INPUT', `--since "${text}" is neither a date (2026-11-01) nor a duration (7d, 36h)`);
  }
}
