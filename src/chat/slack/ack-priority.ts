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
 * waits until arrivals pause for QUIET_MS. A command or two alone starts at once.
 */
const MAX_WAIT_MS = 2_000;
const QUIET_MS = 50;
const BURST_ARRIVALS = 10;

export interface AckPriority {
  /** A connection was accepted (HTTP mode) or a request reached Bolt. */
  arrived(): void;
  /** Wraps Bolt's handling of one request, from arrival to the end of its middleware chain. */
  handle<T>(request: () => Promise<T>): Promise<T>;
  /** Resolves when the work behind a command may start. */
  acksDrained(): Promise<void>;
}

export function createAckPriority(now: () => number): AckPriority {
  let unacked = 0;
  let lastArrival = -Infinity;
  let burstArrivals = 0;
  const arrived = (): void => {
    const at = now();
    burstArrivals = at - lastArrival < QUIET_MS ? burstArrivals + 1 : 1;
    lastArrival = at;
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
    async acksDrained() {
      const deadline = now() + MAX_WAIT_MS;
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        const at = now();
        if (at >= deadline) return;
        if (unacked > 0) continue;
        const quietFor = at - lastArrival;
        if (burstArrivals < BURST_ARRIVALS || quietFor >= QUIET_MS) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(QUIET_MS - quietFor, deadline - at)));
      }
    },
  };
}
