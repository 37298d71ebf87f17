import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CheckRegistry, RunningChecks } from '../../src/chat/running-checks.js';
import type { DiagnosisProgress, DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { createSharedChecks } from '../../src/store/redis-shared-checks.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';

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
  const replica = async (name: string, leaseMs = 5_000): Promise<CheckRegistry> => {
    const [redis, subscriber] = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    connections.push(redis, subscriber);
    return createSharedChecks(new RunningChecks(), redis, subscriber, {
      prefix,
      instanceId: name,
      leaseMs,
      rejoinMs: 5_000,
    });
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
});
