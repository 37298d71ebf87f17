/**
 * /mailcheck watch's worker side with real parts: BullMQ job schedulers on real Redis, the real
 * diagnosis against DNS servers on loopback whose zone changes between runs, SQLite, and a fixed
 * clock (each run one hour after the last), posting through a recording notifier.
 */
import { performance } from 'node:perf_hooks';
import { Queue, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailWatchProcessor, type MailWatchDeps } from '../../jobs/mail-watch.js';
import type { CheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { MAIL_WATCH_QUEUE, scheduleWatch, unscheduleWatch, type WatchJobData } from '../../src/queue/watch-jobs.js';
import { startWatchWorker, type WatchWorker } from '../../src/queue/watch-workers.js';
import { listChecks } from '../../src/store/check-reports.js';
import { addWatch, removeWatch } from '../../src/store/mail-watches.js';
import { startDnsServers, type ServerSpec } from '../support/dns-test-server.js';
import { DAY, HOUR } from '../support/inventory-fixture.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { until } from '../support/wait.js';
import { manyMx, soa, zone } from '../fixtures/zones.js';

const DOMAIN = 'watched.test';
const RESOLVER = '127.0.0.140';
const NAMESERVER = '127.0.0.141';
const START = Date.parse('2026-11-02T08:00:00Z');

/** watched.test with `mxCount` MX records sharing a long suffix: 20 end the MX answer past byte 512. */
function watchedDomain(mxCount: number): ServerSpec[] {
  const zones = [
    zone(DOMAIN, [
      soa(),
      { name: '@', type: 'NS', data: 'ns1' },
      { name: 'ns1', type: 'A', data: NAMESERVER },
      ...manyMx(mxCount, DOMAIN),
      ...Array.from({ length: mxCount }, (_, i) => ({ name: `inbound-filter-${String(i).padStart(2, '0')}.scanning-service-cluster`, type: 'A', data: `11.22.60.${i + 1}` })),
      { name: '@', type: 'TXT', data: 'v=spf1 mx -all' },
      { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=reject' },
    ]),
    // Reverse DNS of the MX addresses, forward-confirmed, so the PTR check has nothing to say.
    zone('60.22.11.in-addr.arpa', [soa(), { name: '@', type: 'NS', data: `ns1.${DOMAIN}.` }, ...Array.from({ length: 20 }, (_, i) => ({ name: String(i + 1), type: 'PTR', data: `inbound-filter-${String(i).padStart(2, '0')}.scanning-service-cluster.${DOMAIN}.` }))]),
    zone('test', [soa()]),
  ];
  return [
    { address: RESOLVER, zones },
    { address: NAMESERVER, zones },
  ];
}

describe('a watch re-checks on its schedule and posts only when mail got worse or was fixed', () => {
  let redis: Redis;
  let store: TestDatabase;
  let queue: Queue<WatchJobData>;
  let worker: WatchWorker | undefined;
  let prefix: string;
  let dns: Awaited<ReturnType<typeof startDnsServers>> | undefined;
  let runs = 0;
  /** Runs and DNS changes take turns, so no run sees a zone half replaced. */
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const result = turn.then(work);
    turn = result.catch(() => undefined);
    return result;
  };
  const serve = (mxCount: number): Promise<void> =>
    inTurn(async () => {
      await dns?.close();
      dns = await startDnsServers(watchedDomain(mxCount));
    });
  const check = (target: CheckTarget): Promise<DiagnosisReport> =>
    inTurn(() => {
      runs += 1;
      const network = dns!;
      return diagnose(target, {
        dns: createDnsClient(),
        now: () => performance.now(),
        lookup: { resolver: { host: RESOLVER, port: network.port }, authoritativePort: network.port, queryOptions: { timeoutMs: 1_000, retries: 0 } },
      });
    });
  const recorded = recordingNotifier('slack');
  let clockCalls = 0;
  const deps = (): MailWatchDeps => ({ store, diagnose: check, notifiers: [recorded.notifier], keepMs: 365 * DAY, now: () => new Date(START + clockCalls++ * HOUR) });

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(() => redis.disconnect());
  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    prefix = uniquePrefix();
    queue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection: redis, prefix });
    recorded.messages.length = 0;
    runs = 0;
    clockCalls = 0;
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await queue.close();
    await dropPrefix(redis, prefix);
    await dns?.close();
    dns = undefined;
    await store.drop();
  });

  it('sets a baseline, stays quiet while nothing changes, posts "got worse" when the MX answer passes 512 bytes and "fixed" when it shrinks back, and stops when unscheduled', async () => {
    await serve(2);
    const { watch } = await addWatch(store, { domain: DOMAIN, platform: 'slack', conversation: 'CWATCH', intervalMs: 300, by: 'slack:UALICE', surface: 'slack', at: new Date(START) });
    worker = await startWatchWorker({ ...deps(), connection: redis, prefix, onError: () => undefined, concurrency: 1 });
    await scheduleWatch(queue, watch);
    const stored = async (): Promise<number> => (await listChecks(store, DOMAIN, 1_000)).length;

    await until('the baseline and a quiet run', async () => (await stored()) >= 2, { timeoutMs: 10_000 });
    expect(recorded.messages).toEqual([]);

    await serve(20);
    const worse = await until('the post that it got worse', () => recorded.messages[0], { timeoutMs: 10_000 });
    expect(worse).toMatchObject({ kind: 'thread-start', marker: expect.stringMatching(new RegExp(`^watch-${watch.id}-\\d+$`)) as unknown });
    const worseText = JSON.stringify(worse.card);
    expect(worse.card.blocks[0]).toEqual({ kind: 'header', text: `${DOMAIN} got worse` });
    expect(worseText).toMatch(/the MX watched\.test answer grew from \d+ to \d+ bytes between 2 November \d\d:00 and 2 November \d\d:00, crossing 512/);
    expect(worseText).toContain('qmail-1.03: ok -> fail');
    expect(worseText).toContain('dns.answer-over-512');

    await serve(2);
    const fixed = await until('the post that it was fixed', () => recorded.messages[1], { timeoutMs: 10_000 });
    expect(fixed.card.blocks[0]).toEqual({ kind: 'header', text: `${DOMAIN}: fixed` });
    expect(JSON.stringify(fixed.card)).toContain('qmail-1.03: fail -> ok');
    // Quiet again: more runs, no more posts.
    const afterFix = runs;
    await until('more quiet runs', () => runs >= afterFix + 2, { timeoutMs: 10_000 });
    expect(recorded.messages).toHaveLength(2);

    // Every run is in the history, stamped by the fixed clock an hour apart.
    const history = await listChecks(store, DOMAIN, 1_000);
    expect(history.every((c) => c.source === 'watch')).toBe(true);
    expect(history.map((c) => c.checkedAt.getTime() - START).every((offset) => offset % HOUR === 0)).toBe(true);

    await unscheduleWatch(queue, watch.id);
    expect(await queue.getJobSchedulers()).toEqual([]);
    await inTurn(() => Promise.resolve());
    const count = await stored();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await stored()).toBeLessThanOrEqual(count + 1); // a job already taken may finish
    const settled = await stored();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await stored()).toBe(settled);
  });

  it('does nothing for a watch removed meanwhile, and refuses bad job data for good', async () => {
    await serve(2);
    const { watch } = await addWatch(store, { domain: DOMAIN, platform: 'slack', conversation: 'CWATCH', intervalMs: 60_000, by: 'slack:UALICE', surface: 'slack', at: new Date(START) });
    await removeWatch(store, { domain: DOMAIN, platform: 'slack', conversation: 'CWATCH', by: 'slack:UALICE', surface: 'slack', at: new Date(START) });
    const processor = createMailWatchProcessor(deps());
    expect(await processor({ id: 'x', data: { watchId: watch.id } })).toEqual({ watchId: watch.id, reportId: null, trend: 'gone', posted: false });
    expect(runs).toBe(0);
    expect(await listChecks(store, DOMAIN, 10)).toEqual([]);
    await expect(processor({ id: 'y', data: { watchId: 'seven' } })).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('refuses for good a watch whose platform is not configured in this worker', async () => {
    await serve(2);
    const { watch } = await addWatch(store, { domain: DOMAIN, platform: 'teams', conversation: '19:ops@thread.tacv2', intervalMs: 60_000, by: 'teams:aad', surface: 'teams', at: new Date(START) });
    await expect(createMailWatchProcessor(deps())({ id: 'z', data: { watchId: watch.id } })).rejects.toThrow(/posts to teams, which is not configured here/);
    expect(runs).toBe(0);
  });
});
