import { systemClock } from '../clock.js';

/**
 * A daemon command that fails for good (a store or Redis that cannot be reached, Redis gone past
 * MXOPS_REDIS_GIVE_UP_SECONDS) throws to the entry point, which closes what it opened (lifecycle.ts),
 * prints the cause and sets the exit code. BullMQ's workers on a dead connection keep timers of
 * their own (their close() would wait for Redis), which would hold the process for ever: so it ends
 * if it is still running a moment after the entry point has set the code, and at the latest after
 * `capMs` (code 1 if none was set by then). The moment lets connections that are closing finish
 * (a socket's shutdown can take a few event-loop turns on a loaded machine), so a process that
 * closed everything ends by itself. Both timers are unref'd: a process that ends by itself is not held.
 */
export function exitIfStillRunning(capMs: number): void {
  const clock = systemClock;
  let reportedAt: number | undefined;
  setInterval(() => {
    if (process.exitCode === undefined) return;
    reportedAt ??= clock.monotonicMs();
    if (clock.monotonicMs() - reportedAt >= SETTLE_MS) process.exit();
  }, REPORTED_POLL_MS).unref();
  setTimeout(() => process.exit(process.exitCode ?? 1), capMs).unref();
}

const REPORTED_POLL_MS = 50;
/** Closing connections finish in milliseconds; a process held past this is held by something that never lets go. */
const SETTLE_MS = 1_000;
