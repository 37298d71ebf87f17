/**
 * The one "now" of mxops. Everything that needs the time takes a Clock through its deps, so a
 * test can set the time instead of waiting for it or racing it.
 *
 * Which to use when:
 * - wallMs(): epoch milliseconds, the time on the calendar. For timestamps that are stored or
 *   shown, certificate and signature expiry, due dates, schedules and outage windows. It can jump
 *   (NTP, a changed system clock), so never subtract two readings to time something.
 * - monotonicMs(): milliseconds from an arbitrary origin that only moves forward. For durations,
 *   time-outs and rate limits within one process. Meaningless across processes or as a date.
 *
 * Pure (no I/O, no imports), so the cores may depend on it.
 */
export interface Clock {
  /** Epoch milliseconds (Date.now()): timestamps, expiry, schedules. */
  wallMs(): number;
  /** Milliseconds from an arbitrary origin, never going back (performance.now()): durations and time-outs. */
  monotonicMs(): number;
}

/** The real clock: the system's wall time and the process's monotonic timer. */
export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

/** The clock's wall time as a Date: for code that compares calendar instants (signature validity). */
export function wallDate(clock: Clock): Date {
  return new Date(clock.wallMs());
}

/** A clock stopped at one instant: for a piece of work that must see a single "now" throughout. */
export function stoppedAt(wallMs: number): Clock {
  return { wallMs: () => wallMs, monotonicMs: () => 0 };
}
