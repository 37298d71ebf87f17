/**
 * Slack's 3 s deadline is on the ack; the work behind a command can wait. So a command's work
 * starts only when no request is waiting for its ack, capped at MAX_WAIT_MS so a steady stream
 * cannot starve it.
 *
 * Requests inside Bolt are counted, but that is not enough: libuv (1.45 and later, so Node 20)
 * accepts one connection per turn of the event loop, and once earlier commands' work makes each
 * turn take 10-20 ms, the rest of a burst waits in the kernel's accept queue where no counter sees
 * it (~2 s for 200, measured with bench/ack-floor.ts and slash-burst.ts; bench/README.md). So
 * during a burst (BURST_ARRIVALS arrivals, each within QUIET_MS of the one before) the work also
 * waits until arrivals pause for QUIET_MS.
 *
 * Before a burst is recognised, the work waits for arrivals to pause SETTLE_MS: the first commands
 * of a burst look like commands alone (up to four of them, more the faster the acks go), and a check
 * started that early took ~80 ms of CPU from the acks still to come (bench/README.md,
 * slash-burst.ts). A command alone starts SETTLE_MS after it arrived.
 */
import type { Clock } from '../../clock.js';

const MAX_WAIT_MS = 2_000;
const QUIET_MS = 50;
const BURST_ARRIVALS = 10;
const SETTLE_MS = 10;

export interface AckPriority {
  /** A connection was accepted (HTTP mode) or a request reached Bolt. */
  arrived(): void;
  /** Wraps Bolt's handling of one request, from arrival to the end of its middleware chain. */
  handle<T>(request: () => Promise<T>): Promise<T>;
  /** Resolves when the work behind a command may start. */
  acksDrained(): Promise<void>;
}

interface HeldCommand {
  readonly deadline: number;
  readonly start: () => void;
}

export function createAckPriority(clock: Clock): AckPriority {
  const now = (): number => clock.monotonicMs();
  let unacked = 0;
  let lastArrival = -Infinity;
  let burstArrivals = 0;
  // In insertion order, which is deadline order.
  const held = new Set<HeldCommand>();
  const arrived = (): void => {
    const at = now();
    // While work is held, a long gap between two arrivals does not end the burst: it can be this loop stalled (a
    // GC, another process on the CPU) with connections waiting in the kernel's queue; ending it there released the
    // held work with much of a burst still to accept (one run on a busy machine: acks up to 2.4 s). Only the
    // watcher, which looks after the loop has polled for connections, sees a burst end (paused()).
    burstArrivals = at - lastArrival < QUIET_MS || held.size > 0 ? burstArrivals + 1 : 1;
    lastArrival = at;
  };

  /** The next turn of the loop, whose poll phase accepts a connection waiting in the kernel's queue. */
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  /**
   * Whether arrivals have paused for `quiet`. The time may have passed in this turn's own callbacks, after its poll,
   * with connections queuing meanwhile; so the pause counts once one more poll has found none.
   */
  const paused = async (quiet: number): Promise<boolean> => {
    if (unacked > 0 || now() - lastArrival < quiet) return false;
    const seen = lastArrival;
    await nextTurn();
    return unacked === 0 && lastArrival === seen;
  };

  // One watcher for every held command, not a polling loop each: 200 commands each polling on every turn of the
  // loop took ~10% of the CPU of the acks they waited for, and a young-generation GC (slash-burst.ts).
  let watching = false;
  const watch = async (): Promise<void> => {
    watching = true;
    while (held.size > 0) {
      await nextTurn();
      const quiet = burstArrivals >= BURST_ARRIVALS ? QUIET_MS : SETTLE_MS;
      const mayStart = await paused(quiet);
      if (mayStart) burstArrivals = 0;
      const at = now();
      for (const command of held) {
        if (!mayStart && at < command.deadline) break;
        held.delete(command);
        command.start();
      }
      const next = held.values().next().value;
      if (next && unacked === 0) {
        const wait = Math.min(quiet - (at - lastArrival), next.deadline - at);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
      }
    }
    watching = false;
  };

  return {
    arrived,
    async handle(request) {
      unacked++;
      arrived();
      try {
        return await request();
      } finally {
        unacked--;
      }
    },
    acksDrained() {
      return new Promise<void>((start) => {
        held.add({ deadline: now() + MAX_WAIT_MS, start });
        if (!watching) void watch();
      });
    },
  };
}
