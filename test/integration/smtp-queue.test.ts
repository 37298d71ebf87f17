import type { QueueEvents, Worker } from 'bullmq';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import {
  blankProbeResult,
  type SmtpProbeRequest,
  type SmtpProbeResult,
  type SmtpProber,
} from '../../src/diagnosis/smtp-port.js';
import { createFollowUpScheduler } from '../../src/queue/follow-up-scheduler.js';
import { createQueuedSmtpProber } from '../../src/queue/queued-smtp-prober.js';
import { smtpProbeJobId, type SmtpProbeJobData } from '../../src/queue/smtp-probe-jobs.js';
import { type ProbeQueueBed, useProbeQueueBed } from '../support/probe-queue-bed.js';
import { manualClock } from '../support/manual-clock.js';
import { until } from '../support/wait.js';

const request = (address: string, recipient = 'postmaster@partner.test'): SmtpProbeRequest => ({
  mxHost: 'mx1.partner.test',
  address,
  port: 25,
  heloName: 'probe.mxops.test',
  mailFrom: '',
  recipient,
});

function resultFor(probe: SmtpProbeRequest): SmtpProbeResult {
  return {
    ...blankProbeResult(probe),
    connect: { ok: true, ms: 1 },
    banner: { code: 220, lines: ['mx1.partner.test ESMTP'], ms: 2 },
    rcpt: { code: 250, lines: ['OK'], ms: 1 },
    totalMs: 5,
  };
}

/** A prober that holds each probe until released and records how many run per address at once. */
function controllableProber() {
  const calls: SmtpProbeRequest[] = [];
  const running = new Map<string, number>();
  let maxPerAddress = 0;
  const waiting: (() => void)[] = [];
  let autoRelease = true;
  const prober: SmtpProber = {
    async probe(probe) {
      calls.push(probe);
      const now = (running.get(probe.address) ?? 0) + 1;
      running.set(probe.address, now);
      maxPerAddress = Math.max(maxPerAddress, now);
      if (!autoRelease) await new Promise<void>((resolve) => waiting.push(resolve));
      else await new Promise((resolve) => setTimeout(resolve, 50));
      running.set(probe.address, (running.get(probe.address) ?? 1) - 1);
      return resultFor(probe);
    },
  };
  return {
    prober,
    calls,
    maxPerAddress: () => maxPerAddress,
    hold: () => void (autoRelease = false),
    releaseAll: () => waiting.splice(0).forEach((release) => release()),
    waitingCount: () => waiting.length,
  };
}

describe('SMTP probes through BullMQ and real Redis', () => {
  const bed = useProbeQueueBed();
  let queue: ProbeQueueBed['queue'];
  let events: QueueEvents;
  beforeEach(() => {
    ({ queue, events } = bed());
  });

  const startWorker = (
    prober: SmtpProber,
    extra: {
      concurrency?: number;
      lockDurationMs?: number;
      stalledIntervalMs?: number;
      destinationLockMs?: number;
    } = {},
  ): Worker =>
    bed().startWorker({
      concurrency: extra.concurrency ?? 4,
      prober,
      probeTimeoutMs: 5_000,
      busyRetryMs: 100,
      ...extra,
    });
  const queuedProber = (cacheSeconds = 60, waitTimeoutMs = 15_000, clock?: Clock) =>
    createQueuedSmtpProber({ queue, events, cacheSeconds, waitTimeoutMs, ...(clock ? { clock } : {}) });

  it('runs a probe in a worker and hands back its result', async () => {
    const fake = controllableProber();
    startWorker(fake.prober);
    const result = await queuedProber().probe(request('11.22.33.10'));
    expect(result).toEqual(resultFor(request('11.22.33.10')));
    expect(fake.calls).toHaveLength(1);
  });

  it('makes identical probes in flight one job, and serves a recent result from the cache', async () => {
    const fake = controllableProber();
    startWorker(fake.prober);
    const prober = queuedProber();
    const [a, b] = await Promise.all([prober.probe(request('11.22.33.10')), prober.probe(request('11.22.33.10'))]);
    expect(a).toEqual(b);
    expect(fake.calls).toHaveLength(1);
    await prober.probe(request('11.22.33.10'));
    expect(fake.calls).toHaveLength(1);
    await prober.probe(request('11.22.33.10', 'someone@partner.test'));
    expect(fake.calls).toHaveLength(2);
  });

  it('probes afresh for a Re-check, however recent the cached result, and the fresh result is the one cached after', async () => {
    const fake = controllableProber();
    startWorker(fake.prober);
    const prober = queuedProber(300);
    await prober.probe(request('11.22.33.10'));
    await prober.probe(request('11.22.33.10'));
    expect(fake.calls).toHaveLength(1);
    await prober.probe(request('11.22.33.10'), { fresh: true });
    expect(fake.calls).toHaveLength(2);
    await prober.probe(request('11.22.33.10'));
    expect(fake.calls).toHaveLength(2);
  });

  it('probes again once a cached result is older than the cache time, even on a quiet queue', async () => {
    const fake = controllableProber();
    startWorker(fake.prober);
    const clock = manualClock();
    const prober = queuedProber(60, 15_000, clock);
    await prober.probe(request('11.22.33.10'));
    // The worker dates the finished job with the real time, a moment after the clock was read.
    clock.advance(59_000);
    await prober.probe(request('11.22.33.10'));
    expect(fake.calls).toHaveLength(1);
    clock.advance(2_000);
    await prober.probe(request('11.22.33.10'));
    expect(fake.calls).toHaveLength(2);
  });

  it('reports a probe no worker took as unfinished, instead of failing the whole check', async () => {
    const result = await queuedProber(60, 300).probe(request('11.22.33.10'));
    expect(result.connect).toBeUndefined();
    expect(result.abort).toMatchObject({ step: 'connect', reason: 'error' });
    expect(result.abort?.detail).toMatch(
      /^no worker finished the probe within 0 s \(is mxops worker running against this Redis\?\)/,
    );
  });

  it('schedules a new follow-up when the previous one for the same probe has already run', async () => {
    const fake = controllableProber();
    startWorker(fake.prober);
    const scheduler = createFollowUpScheduler(queue);
    const first = await scheduler.schedule(request('11.22.33.10'), 50);
    await until('the first job to finish', async () => (await queue.getJob(first.id))?.finishedOn !== undefined);
    const second = await scheduler.schedule(request('11.22.33.10'), 60_000);
    expect(second.id).toBe(first.id);
    expect(await (await queue.getJob(second.id))?.getState()).toBe('delayed');
    expect(Date.parse(second.dueAt) - Date.now()).toBeGreaterThan(50_000);
  });

  it('opens at most one connection per destination address at a time, across workers', async () => {
    const fake = controllableProber();
    startWorker(fake.prober, { concurrency: 4 });
    startWorker(fake.prober, { concurrency: 4 });
    const prober = queuedProber();
    const recipients = ['a', 'b', 'c', 'd'].map((local) => `${local}@partner.test`);
    await Promise.all([
      ...recipients.map((r) => prober.probe(request('11.22.33.10', r))),
      prober.probe(request('11.22.33.11')),
    ]);
    expect(fake.calls).toHaveLength(5);
    expect(fake.maxPerAddress()).toBe(1);
  });

  it('finishes running probes before a worker closes (SIGTERM), losing nothing', async () => {
    const fake = controllableProber();
    fake.hold();
    const worker = startWorker(fake.prober);
    const pending = queuedProber().probe(request('11.22.33.10'));
    await until('a probe held', () => fake.waitingCount() === 1);
    const closing = worker.close();
    fake.releaseAll();
    await closing;
    await expect(pending).resolves.toMatchObject({ rcpt: { code: 250 } });
  });

  it('hands a job to another worker when the one running it dies mid-probe', async () => {
    const dying = controllableProber();
    dying.hold();
    // The destination lock of the dead worker's probe expires too (after 1.5 s here, 35 s by default).
    const first = startWorker(dying.prober, {
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
      destinationLockMs: 1_500,
    });
    const pending = queuedProber().probe(request('11.22.33.10'));
    await until('a probe held by the dying worker', () => dying.waitingCount() === 1);
    // A hard kill: the worker stops renewing its lock and never reports the job.
    await first.close(true);
    const rescuer = controllableProber();
    // Only the dying worker needs a short lock; the rescuer just looks for stalled jobs often.
    startWorker(rescuer.prober, { stalledIntervalMs: 500 });
    await expect(pending).resolves.toMatchObject({ rcpt: { code: 250 } });
    expect(rescuer.calls).toHaveLength(1);
    const job = await queue.getJob(smtpProbeJobId(request('11.22.33.10')));
    expect(job?.attemptsStarted).toBeGreaterThanOrEqual(2);
  });

  it('refuses bad job data without retrying it', async () => {
    const fake = controllableProber();
    startWorker(fake.prober);
    const job = await queue.add('probe', { request: { address: 42 } } as unknown as SmtpProbeJobData, { attempts: 3 });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/request\.mxHost is not a string/);
    const failed = await queue.getJob(job.id ?? '');
    expect(failed?.attemptsMade).toBe(1);
    expect(fake.calls).toHaveLength(0);
  });
});
