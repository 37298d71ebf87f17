import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CheckRegistry, RunningChecks } from '../../src/chat/running-checks.js';
import type { DiagnosisProgress, DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { createSharedChecks } from '../../src/queue/redis-shared-checks.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { until } from '../support/wait.js';

const report = (by: string): DiagnosisReport =>
  ({ domain: 'partner.test', recipient: `postmaster@${by}` }) as DiagnosisReport;
const progress = (checksDone: number): DiagnosisProgress => ({
  checksDone,
  checksTotal: 3,
  mailServers: undefined,
  findings: [],
});

/** Two bot replicas on one Redis: a check asked of both runs once. */
describe('checks shared across replicas through Redis', () => {
  let prefix: string;
  const connections: Redis[] = [];
  const connectionsOf = new Map<string, Redis[]>();
  const replica = async (
    name: string,
    { leaseMs = 5_000, rejoinMs = 5_000 }: { leaseMs?: number; rejoinMs?: number } = {},
  ): Promise<CheckRegistry> => {
    const [redis, subscriber] = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    connections.push(redis, subscriber);
    connectionsOf.set(name, [redis, subscriber]);
    return createSharedChecks(new RunningChecks(), redis, subscriber, { prefix, instanceId: name, leaseMs, rejoinMs });
  };
  /** The replica's process dies: it says nothing more on Redis, and its lease is left to run out. */
  const kill = (name: string): void => {
    for (const connection of connectionsOf.get(name) ?? []) connection.disconnect();
  };

  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    const admin = new Redis(REDIS_URL);
    await dropPrefix(admin, prefix);
    admin.disconnect();
    for (const c of connections.splice(0)) c.disconnect();
  });

  it('runs a check once: the second replica follows the progress and report of the first', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const runs: string[] = [];
    const slow = (name: string) => async (onProgress: (p: DiagnosisProgress) => void) => {
      runs.push(name);
      await new Promise((resolve) => setTimeout(resolve, 20));
      onProgress(progress(1));
      await gate;
      onProgress(progress(3));
      return report(name);
    };
    const seenByB: number[] = [];
    const first = await a.join('partner.test|postmaster', slow('a'), () => undefined);
    const second = await b.join('partner.test|postmaster', slow('b'), (p) => seenByB.push(p.checksDone));
    expect([first.joined, second.joined]).toEqual([false, true]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect(await second.report).toEqual(report('a'));
    expect(runs).toEqual(['a']);
    expect(seenByB).toContain(3);
    // A third request within the rejoin window gets the finished report without running anything.
    const third = await (await replica('c')).join('partner.test|postmaster', slow('c'), () => undefined);
    expect([third.joined, await third.report, runs]).toEqual([true, report('a'), ['a']]);
  });

  it('runs the check itself when the replica running it fails', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const failing = await a.join(
      'k',
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('crashed');
      },
      () => undefined,
    );
    const following = await b.join(
      'k',
      async () => report('b'),
      () => undefined,
    );
    await expect(failing.report).rejects.toThrow('crashed');
    expect(await following.report).toEqual(report('b'));
  });

  it('runs the check itself when the replica running it dies, after waiting a lease for it', async () => {
    const LEASE_MS = 1_000;
    const [a, b] = [await replica('a', { leaseMs: LEASE_MS }), await replica('b', { leaseMs: LEASE_MS })];
    let finishA: (report: DiagnosisReport) => void = () => undefined;
    const dying = await a.join(
      'k',
      () => new Promise<DiagnosisReport>((resolve) => (finishA = resolve)),
      () => undefined,
    );
    expect(dying.joined).toBe(false);
    kill('a');

    const asked = performance.now();
    let startedAfterMs: number | undefined;
    const following = await b.join(
      'k',
      async () => ((startedAfterMs = performance.now() - asked), report('b')),
      () => undefined,
    );
    expect(following.joined).toBe(true);
    expect(await following.report).toEqual(report('b'));
    // b waited out the lease (timers never fire early; 1 ms for their rounding), then ran it once.
    expect(startedAfterMs).toBeGreaterThanOrEqual(LEASE_MS - 1);
    // The takeover's report is shared like any other: a replica asking now gets it without a run.
    const c = await replica('c');
    const third = await c.join(
      'k',
      async () => report('c'),
      () => undefined,
    );
    expect([third.joined, await third.report]).toEqual([true, report('b')]);

    // The dead replica's check ending with its Redis gone must not crash its process: publishing
    // the outcome fails, and nothing is left unhandled (vitest fails the run on an unhandled rejection).
    finishA(report('a'));
    expect(await dying.report).toEqual(report('a'));
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('runs afresh once the rejoin window of a finished check has run out', async () => {
    // Long enough to see the finished report kept though this process stalls (a loaded machine).
    const REJOIN_MS = 1_500;
    const a = await replica('a', { rejoinMs: REJOIN_MS });
    const runs: string[] = [];
    const run = (name: string) => async () => (runs.push(name), report(name));
    const first = await a.join('k', run('a'), () => undefined);
    await first.report;
    const admin = new Redis(REDIS_URL);
    connections.push(admin);
    const kept = `${prefix}:check:k:report`;
    const ttl = await until('the finished report kept for the rejoin window', async () => {
      const left = await admin.pttl(kept);
      return left > 0 && left;
    });
    expect(ttl).toBeLessThanOrEqual(REJOIN_MS);
    // Redis ends the window (PX): wait for it rather than for a guessed time.
    await until('the rejoin window over', async () => (await admin.exists(kept)) === 0, { timeoutMs: 20 * REJOIN_MS });
    const b = await replica('b', { rejoinMs: REJOIN_MS });
    const afresh = await b.join('k', run('b'), () => undefined);
    expect([afresh.joined, await afresh.report, runs]).toEqual([false, report('b'), ['a', 'b']]);
  });
});
