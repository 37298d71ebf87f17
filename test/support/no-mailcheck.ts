/** Mailcheck deps for chat tests about something else: a mailcheck typed there would be a bug. */
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { manualClock } from './manual-clock.js';
import { RunningChecks } from '../../src/chat/running-checks.js';

export function noMailcheck(): MailcheckDeps {
  return {
    diagnose: () => Promise.reject(new Error('no mailcheck in these tests')),
    running: new RunningChecks(),
    reports: new Map(),
    minUpdateIntervalMs: 0,
    clock: manualClock(),
  };
}
