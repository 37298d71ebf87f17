/**
 * The owner's answer at the end of an approved window (Patched or Not done): once, only for a
 * window that was approved, and only once it has started.
 */
import { AppError } from '../errors.js';
import type { OutageRequest } from './outage-record.js';

export function checkOutageAnswer(request: Pick<OutageRequest, 'status' | 'start'>, now: number): void {
  if (request.status === 'patched' || request.status === 'not-done')
    throw new AppError('CONFLICT', `this window was already answered: ${request.status}`);
  if (request.status !== 'approved')
    throw new AppError('CONFLICT', `this window was never approved (${request.status})`);
  if (now < request.start) throw new AppError('CONFLICT', 'this window has not started yet');
}
