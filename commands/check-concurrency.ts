/**
 * `--concurrency` of `mxops check`: how many targets are checked at once. Apart from check-many.ts
 * so that a check of one target can refuse a bad value without loading the many-target runner.
 */
import { AppError } from '../src/errors.js';

/** --concurrency when not given: enough to overlap slow servers, few enough to stay polite. */
export const DEFAULT_CHECK_CONCURRENCY = 16;
const MAX_CHECK_CONCURRENCY = 256;

/** --concurrency as typed: a whole number from 1 to 256. */
export function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CHECK_CONCURRENCY;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_CHECK_CONCURRENCY) {
    throw new AppError(
      'BAD_INPUT',
      `--concurrency must be a whole number from 1 to ${MAX_CHECK_CONCURRENCY} (got "${value}")`,
    );
  }
  return n;
}
