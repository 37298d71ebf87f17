/**
 * How probe workers hold their jobs, named once so the side that waits for a probe can count on
 * it. A worker that dies mid-probe stops renewing its job lock: the lock lapses after
 * lockDurationMs, and the next stall check (every stalledIntervalMs) hands the job to another
 * worker, which may still have to wait for the dead worker's hold on the destination address
 * (its probe time-out plus destinationLockExtraMs) to lapse. Job lock and stall check are
 * BullMQ's defaults.
 */
export interface ProbeStall {
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly destinationLockExtraMs: number;
}

export const PROBE_STALL: ProbeStall = {
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  destinationLockExtraMs: 30_000,
};

/** For a worker to pick the job up, and BullMQ's retry back-off: a margin, not a measurement. */
const PICK_UP_MS = 5_000;

/**
 * How long a check waits for a queued probe: the probe runs in a worker that dies just before its
 * end, the job is found stalled and taken over (or, if later, the destination's hold lapses), and
 * it runs once more. 3 min 5 s with the defaults and a 90 s probe.
 */
export function queuedProbeWaitMs(probeTimeoutMs: number, stall: ProbeStall = PROBE_STALL): number {
  const takenOver = Math.max(stall.lockDurationMs + stall.stalledIntervalMs, stall.destinationLockExtraMs);
  return probeTimeoutMs + takenOver + probeTimeoutMs + PICK_UP_MS;
}
