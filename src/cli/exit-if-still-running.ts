/**
 * A daemon command that fails for good (a store or Redis that cannot be reached, Redis gone past
 * MXOPS_REDIS_GIVE_UP_SECONDS) throws to the entry point, which closes the store, prints the cause
 * and sets the exit code. BullMQ's workers on a dead connection keep timers of their own (their
 * close() would wait for Redis), which would hold the process for ever: so it ends as soon as the
 * entry point has set the code, and at the latest after `capMs` (code 1 if none was set by then).
 * Both timers are unref'd: a process that ends by itself is not held.
 */
export function exitIfStillRunning(capMs: number): void {
  setInterval(() => {
    if (process.exitCode !== undefined) process.exit();
  }, REPORTED_POLL_MS).unref();
  setTimeout(() => process.exit(process.exitCode ?? 1), capMs).unref();
}

const REPORTED_POLL_MS = 50;
