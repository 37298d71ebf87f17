/**
 * How long a queued check waits for its probe (issue 15, point 4), on real Redis: long enough for
 * a worker dying at the end of its probe to have the job found stalled and taken over, derived
 * from the workers' stall settings; and past that wait, a probe still running is reported as
 * running, with its job and where its result will be, not as lost.
 */
import type { QueueEvents, Worker } from 'bullmq';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  blankProbeResult,
  type SmtpProbeRequest,
  type SmtpProbeResult,
  type SmtpProber,
} from '../../src/diagnosis/smtp-port.js';
import { PROBE_STALL, type ProbeStall, queuedProbeWaitMs } from '../../src/queue/probe-stall.js';
import { createQueuedSmtpProber } from '../../src/queue/queued-smtp-prober.js';
import { smtpProbeJobId } from '../../src/queue/smtp-probe-jobs.js';
import { type ProbeQueueBed, useProbeQueueBed } from '../support/probe-queue-bed.js';
import { until } from '../support/wait.js';

const request: SmtpProbeRequest = {
  mxHost: 'mx1.partner.test',
  address: '11.22.33.44',
  port: 25,
  heloName: 'probe.mxops.test',
  mailFrom: '',
  recipient: 'postmaster@partner.test',
};
const answered = (probe: SmtpProbeRequest): SmtpProbeResult => ({
  ...blankProbeResult(probe),
  connect: { ok: true, ms: 1 },
  rcpt: { code: 250, lines: ['OK'], ms: 1 },
  totalMs: 5,
});

/** Low stall settings so the test runs in seconds; the wait is derived from them as in production. */
const STALL: ProbeStall = { lockDurationMs: 1_000, stalledIntervalMs: 500, destinationLockExtraMs: 500 };
const PROBE_TIMEOUT_MS = 1_000;
/** A wait shorter than the probe, so that it is still running when the wait ends. */
const SHORT_WAIT_MS = 1_000;

/** A prober that holds each probe until released, or for a set time. */
function heldProber(holdMs?: number) {
  const releases: (() => void)[] = [];
  let calls = 0;
  const prober: SmtpProber = {
    async probe(probe) {
      calls += 1;
      await new Promise<void>((resolve) => {
        releases.push(resolve);
        if (holdMs !== undefined) setTimeout(resolve, holdMs);
      });
      return answered(probe);
    },
  };
  return {
    prober,
    calls: () => calls,
    held: () => releases.length,
    release: () => releases.splice(0).forEach((r) => r()),
  };
}

describe('how long a queued check waits for its probe', () => {
  const bed = useProbeQueueBed();
  let queue: ProbeQueueBed['queue'];
  let events: QueueEvents;
  beforeEach(() => {
    ({ queue, events } = bed());
  });

  const startWorker = (prober: SmtpProber): Worker =>
    bed().startWorker({
      concurrency: 1,
      prober,
      probeTimeoutMs: PROBE_TIMEOUT_MS,
      lockDurationMs: STALL.lockDurationMs,
      stalledIntervalMs: STALL.stalledIntervalMs,
      destinationLockMs: PROBE_TIMEOUT_MS + STALL.destinationLockExtraMs,
      busyRetryMs: 100,
    });

  it('covers a probe, a stall taken over, and a second probe (3 min 5 s with the defaults and a 90 s probe)', () => {
    expect(queuedProbeWaitMs(90_000)).toBe(90_000 + 60_000 + 90_000 + 5_000);
    expect(queuedProbeWaitMs(90_000, PROBE_STALL)).toBe(queuedProbeWaitMs(90_000));
    // A dead worker's hold on the destination lapsing later than the stall check counts instead.
    expect(
      queuedProbeWaitMs(1_000, { lockDurationMs: 1_000, stalledIntervalMs: 500, destinationLockExtraMs: 4_000 }),
    ).toBe(1_000 + 4_000 + 1_000 + 5_000);
  });

  it(
    'gets the result when the worker dies at the end of its probe and another takes the job over',
    async () => {
      const waitMs = queuedProbeWaitMs(PROBE_TIMEOUT_MS, STALL);
      const dying = heldProber();
      const first = startWorker(dying.prober);
      const pending = createQueuedSmtpProber({ queue, events, cacheSeconds: 60, waitTimeoutMs: waitMs }).probe(request);
      await until('the probe held by the first worker', () => dying.held() === 1);
      // Dies as late as it can: at its probe's time-out, never reporting the job.
      await new Promise((resolve) => setTimeout(resolve, PROBE_TIMEOUT_MS));
      await first.close(true);
      // The rescuer's probe takes most of the probe time-out, as a slow server's would.
      const rescuer = heldProber(PROBE_TIMEOUT_MS * 0.8);
      startWorker(rescuer.prober);
      const result = await pending;
      expect(result.abort).toBeUndefined();
      expect(result.rcpt).toMatchObject({ code: 250 });
      expect(rescuer.calls()).toBe(1);
    },
    queuedProbeWaitMs(PROBE_TIMEOUT_MS, STALL) * 3,
  );

  it(
    'past the wait, says the probe is still running, which job, and that its result is kept for the next check',
    async () => {
      const slow = heldProber();
      startWorker(slow.prober);
      const prober = createQueuedSmtpProber({ queue, events, cacheSeconds: 60, waitTimeoutMs: SHORT_WAIT_MS });
      const result = await prober.probe(request);
      expect(result.connect).toBeUndefined();
      expect(result.abort?.detail).toBe(
        `the probe is still running in a worker after 1 s (job ${smtpProbeJobId(request)}); its result is kept for 60 s after it ends: run the check again then to see it`,
      );
      slow.release();
      await until(
        'the probe finished',
        async () => (await queue.getJob(smtpProbeJobId(request)))?.finishedOn !== undefined,
      );
      // Where the message said: the next check gets it, without probing again.
      expect(await prober.probe(request)).toMatchObject({ rcpt: { code: 250 } });
      expect(slow.calls()).toBe(1);
    },
    // The short wait, the probe's release and the cached answer, with room for a loaded machine.
    SHORT_WAIT_MS * 5 + 10_000,
  );
});
