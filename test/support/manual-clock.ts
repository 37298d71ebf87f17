/**
 * A Clock for tests that moves only when the test says so: durations become exact numbers and
 * expiry can be tested on any date. Both readings advance together, as real time does.
 */
import type { Clock } from '../../src/clock.js';

export interface ManualClock extends Clock {
  /** Moves both the wall and the monotonic time forward by `ms`. */
  advance(ms: number): void;
  /** Sets the wall time (epoch ms or a Date); the monotonic time does not move. */
  setWall(at: number | Date): void;
}

/** Starts at `wall` (defaults to the real time now, so real certificates stay valid) and monotonic 0. */
export function manualClock(wall: number | Date = Date.now()): ManualClock {
  let wallMs = typeof wall === 'number' ? wall : wall.getTime();
  let monotonicMs = 0;
  return {
    wallMs: () => wallMs,
    monotonicMs: () => monotonicMs,
    advance(ms) {
      wallMs += ms;
      monotonicMs += ms;
    },
    setWall(at) {
      wallMs = typeof at === 'number' ? at : at.getTime();
    },
  };
}

/**
 * A Clock that reads the time from the test, for tests that keep "now" in a variable they move
 * (`clockFrom(() => now)`). Both readings give that value; such tests time nothing.
 */
export function clockFrom(read: () => number): Clock {
  return { wallMs: read, monotonicMs: read };
}
