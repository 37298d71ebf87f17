/**
 * /mailcheck watch's worker side with real parts: BullMQ job schedulers on real Redis, the real
 * diagnosis against DNS servers on loopback whose zone changes between runs, SQLite, and a fixed
 * clock (each run ten minutes after the last), posting through a recording notifier.
 */
import { systemClock } from '../../src/clock.js';
import { Queue, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailWatchProcessor, type MailWatchDeps, type WatchRunSummary } from '../../jobs/mail-watch.js';
import { watchChangeCard } from '../../src/chat/watch-cards.js';
import { parseCheckTarget, type CheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import type { FindingChange } from '../../src/diagnosis/report-diff.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { MAIL_WATCH_QUEUE, scheduleWatch, unscheduleWatch, type WatchJobData } from '../../src/queue/watch-jobs.js';
import { startWatchWorker, type WatchWorker } from '../../src/queue/watch-workers.js';
import { findCheck, listChecks, recordCheck } from '../../src/store/check-reports.js';
import { addWatch, findWatch, removeWatch, setLastReport } from '../../src/store/mail-watches.js';
import { startDnsServers, type ServerSpec } from '../support/dns-test-server.js';
import { DAY } from '../support/inventory-fixture.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { until } from '../support/wait.js';
import { manyMx, soa, zone } from '../fixtures/zones.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

const DOMAIN = 'watched.test';
const RESOLVER = '127.0.0.140';
const NAMESERVER = '127.0.0.141';
const START = Date.parse('2026-11-02T08:00:00Z');
/** Far enough apart to tell runs by their time, near enough that a test's runs stay on 2 November. */
const STEP = 10 * 60_000;
const KEEP = 365 * DAY;

/** watched.test with `mxCount` MX records sharing a long suffix: 20 end the MX answer past byte 512. */
function watchedDomain(mxCount: number): ServerSpec[] {
  const zones = [
    zone(DOMAIN, [
      soa(),
      { name: '@', type: 'NS', data: 'ns1' },
      { name: 'ns1', type: 'A', data: NAMESERVER },
      ...manyMx(mxCount, DOMAIN),
      ...Array.from({ length: mxCount }, (_, i) => ({
        name: `inbound-filter-${String(i).padStart(2, '0')}.scanning-service-cluster`,
        type: 'A',
        data: `11.22.60.${i + 1}`,
      })),
      { name: '@', type: 'TXT', data: 'v=spf1 mx -all' },
      { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=reject' },
    ]),
    // Reverse DNS of the MX addresses, forward-confirmed, so the PTR check has nothing to say.
    zone('60.22.11.in-addr.arpa', [
      soa(),
      { name: '@', type: 'NS', data: `ns1.${DOMAIN}.` },
      ...Array.from({ length: 20 }, (_, i) => ({
        name: String(i + 1),
        type: 'PTR',
        data: `inbound-filter-${String(i).padStart(2, '0')}.scanning-service-cluster.${DOMAIN}.`,
      })),
    ]),
    zone('test', [soa()]),
  ];
  return [
    { address: RESOLVER, zones },
    { address: NAMESERVER, zones },
  ];
}

/** "2 November 08:20", as the diff names a run of the same day. */
function dayAndTime(date: Date): string {
  return `${date.getUTCDate()} November ${date.toISOString().slice(11, 16)}`;
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
  /** Replaces the DNS servers with ones serving `mxCount` MX records (a server's zones are fixed once started). */
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
        clock: systemClock,
        lookup: loopbackLookup(RESOLVER, network.port, 1_000),
      });
    });
  const recorded = recordingNotifier('slack');
  let clockCalls = 0;
  const deps = (overrides: Partial<MailWatchDeps> = {}): MailWatchDeps => ({
    store,
    diagnose: check,
    notifiers: [recorded.notifier],
    keepMs: KEEP,
    // A run reads the wall clock once, so successive runs are STEP apart from START.
    clock: { wallMs: () => START + clockCalls++ * STEP, monotonicMs: () => 0 },
    ...overrides,
  });
  const errors: Error[] = [];
  const stored = async (): Promise<number> => (await listChecks(store, DOMAIN, 1_000)).length;
  /** What each finished run returned, in the order the runs stored their reports. */
  const finished = async (): Promise<WatchRunSummary[]> =>
    (await queue.getCompleted(0, -1))
      .map((job) => job.returnvalue as unknown as WatchRunSummary)
      .sort((a, b) => (a.reportId ?? 0) - (b.reportId ?? 0));
  const trends = async (): Promise<string[]> => (await finished()).map((run) => run.trend);
  /** Resolves once `after` has happened and `more` further runs have finished. */
  const runsAfter = (after: WatchRunSummary['trend'], more: number) =>
    until(
      `${more} runs after the one that said ${after}`,
      async () => {
        const seen = await trends();
        const at = seen.indexOf(after);
        return at >= 0 && seen.length >= at + 1 + more && seen;
      },
      { timeoutMs: 10_000 },
    );

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(() => redis.disconnect());
  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    prefix = uniquePrefix();
    queue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection: redis, prefix });
    recorded.messages.length = 0;
    errors.length = 0;
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

  it('sets a baseline, stays quiet while nothing changes, posts "got worse" once when the MX answer passes 512 bytes and "fixed" once when it shrinks back, and stops when unscheduled', async () => {
    await serve(2);
    const { watch } = await addWatch(store, {
      domain: DOMAIN,
      platform: 'slack',
      conversation: 'CWATCH',
      intervalMs: 300,
      by: 'slack:UALICE',
      surface: 'slack',
      at: new Date(START),
    });
    worker = await startWatchWorker({
      connection: redis,
      prefix,
      processor: (unschedule) => createMailWatchProcessor({ ...deps(), unschedule }),
      onError: (error) => errors.push(error),
      concurrency: 1,
    });
    await scheduleWatch(queue, watch);

    // The baseline and a run with nothing changed: both stored, neither posted.
    await until('the baseline and a quiet run', async () => (await finished()).length >= 2 && true, {
      timeoutMs: 10_000,
    });
    expect((await trends()).slice(0, 2)).toEqual(['baseline', 'same']);
    expect(recorded.messages).toEqual([]);

    await serve(20);
    const afterWorse = await runsAfter('worse', 2);
    expect(recorded.messages).toHaveLength(1);
    const [worse] = recorded.messages;
    const worseRuns = await finished();
    const worseAt = worseRuns.findIndex((run) => run.trend === 'worse');
    const [before, after] = [worseRuns[worseAt - 1]!, worseRuns[worseAt]!];
    expect(worse).toMatchObject({ kind: 'thread-start', marker: `watch-${watch.id}-${after.reportId}` });
    expect(after.posted).toBe(true);
    expect(worse!.card.blocks[0]).toEqual({ kind: 'header', text: `${DOMAIN} got worse` });
    expect(worse!.card.summary).toBe(`${DOMAIN} got worse (watched)`);
    const [beforeCheck, afterCheck] = [
      await findCheck(store, before.reportId!),
      await findCheck(store, after.reportId!),
    ];
    const worseText = JSON.stringify(worse!.card);
    expect(worseText).toContain(`checks #${before.reportId} and #${after.reportId}`);
    expect(worseText).toMatch(
      new RegExp(
        `the MX watched\\.test answer grew from \\d+ to \\d+ bytes between ${dayAndTime(beforeCheck!.checkedAt)} and ${dayAndTime(afterCheck!.checkedAt)}, crossing 512`,
      ),
    );
    expect(worseText).toContain('qmail-1.03: ok -> fail');
    expect(worseText).toContain('dns.answer-over-512');
    expect(worse!.card.blocks.at(-1)).toEqual({
      kind: 'actions',
      actions: [
        { id: 'mailcheck.recheck', label: 'Re-check', value: DOMAIN, style: 'primary', typed: `recheck ${DOMAIN}` },
      ],
    });
    expect(afterWorse.slice(worseAt + 1)).toEqual(afterWorse.slice(worseAt + 1).map(() => 'same'));

    await serve(2);
    await runsAfter('better', 2);
    expect(recorded.messages).toHaveLength(2);
    const fixed = recorded.messages[1]!;
    expect(fixed.card.blocks[0]).toEqual({ kind: 'header', text: `${DOMAIN}: fixed` });
    expect(JSON.stringify(fixed.card)).toContain('qmail-1.03: fail -> ok');
    expect((await trends()).join(' ')).toMatch(/^baseline( same)+ worse( same){2,} better( same){2,}$/);
    expect(errors).toEqual([]);

    // Every run is in the history, stamped by the fixed clock one step apart, and the watch points at the last.
    const history = (await listChecks(store, DOMAIN, 1_000)).reverse();
    expect(history.every((c) => c.source === 'watch')).toBe(true);
    expect(history.map((c) => c.checkedAt.getTime())).toEqual(history.map((_, i) => START + i * STEP));

    await unscheduleWatch(queue, watch.id);
    expect(await queue.getJobSchedulers()).toEqual([]);
    // A run already taken finishes; then nothing is left to run, and nothing runs over three more intervals.
    const pending = async (): Promise<number> =>
      Object.values(await queue.getJobCounts('active', 'wait', 'delayed', 'prioritized')).reduce(
        (sum, n) => sum + n,
        0,
      );
    await until('the queue to drain', async () => (await pending()) === 0, { timeoutMs: 5_000 });
    const [count, diagnosed] = [await stored(), runs];
    expect((await findWatch(store, watch.id))?.lastReportId).toBe(history.at(-1)?.id ?? -1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await stored()).toBe(count);
    expect(runs).toBe(diagnosed);
    expect(await pending()).toBe(0);
    expect(recorded.messages).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it.each([undefined, {}, { watchId: 'seven' }, { watchId: 0 }, { watchId: 1.5 }])(
    'refuses bad job data %j for good',
    async (data) => {
      const processor = createMailWatchProcessor(deps());
      await expect(processor({ id: 'bad', data })).rejects.toBeInstanceOf(UnrecoverableError);
      expect(runs).toBe(0);
    },
  );

  it('does nothing for a watch removed meanwhile', async () => {
    await serve(2);
    const { watch } = await addWatch(store, {
      domain: DOMAIN,
      platform: 'slack',
      conversation: 'CWATCH',
      intervalMs: 60_000,
      by: 'slack:UALICE',
      surface: 'slack',
      at: new Date(START),
    });
    await removeWatch(store, {
      domain: DOMAIN,
      platform: 'slack',
      conversation: 'CWATCH',
      by: 'slack:UALICE',
      surface: 'slack',
      at: new Date(START),
    });
    const processor = createMailWatchProcessor(deps());
    expect(await processor({ id: 'x', data: { watchId: watch.id } })).toEqual({
      watchId: watch.id,
      reportId: null,
      trend: 'gone',
      posted: false,
    });
    expect(runs).toBe(0);
    expect(await listChecks(store, DOMAIN, 10)).toEqual([]);
    expect(recorded.messages).toEqual([]);
  });

  it('stops the schedule of a watch whose row is gone, which an unwatch that failed half way would leave firing', async () => {
    await serve(2);
    const { watch } = await addWatch(store, {
      domain: DOMAIN,
      platform: 'slack',
      conversation: 'CWATCH',
      intervalMs: 300,
      by: 'slack:UALICE',
      surface: 'slack',
      at: new Date(START),
    });
    await removeWatch(store, {
      domain: DOMAIN,
      platform: 'slack',
      conversation: 'CWATCH',
      by: 'slack:UALICE',
      surface: 'slack',
      at: new Date(START),
    });
    await scheduleWatch(queue, watch);
    worker = await startWatchWorker({
      connection: redis,
      prefix,
      processor: (unschedule) => createMailWatchProcessor({ ...deps(), unschedule }),
      onError: (error) => void errors.push(error),
      concurrency: 1,
    });
    await until('the orphaned schedule removed', async () => (await queue.getJobSchedulers()).length === 0, {
      timeoutMs: 10_000,
    });
    expect(runs).toBe(0);
    expect(errors).toEqual([]);
  });

  it('refuses for good a watch whose platform is not configured in this worker, before diagnosing', async () => {
    await serve(2);
    const { watch } = await addWatch(store, {
      domain: DOMAIN,
      platform: 'teams',
      conversation: '19:ops@thread.tacv2',
      intervalMs: 60_000,
      by: 'teams:aad',
      surface: 'teams',
      at: new Date(START),
    });
    const refused = createMailWatchProcessor(deps())({ id: 'z', data: { watchId: watch.id } });
    await expect(refused).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refused).rejects.toThrow(/posts to teams, which is not configured here/);
    expect(runs).toBe(0);
    expect(await listChecks(store, DOMAIN, 10)).toEqual([]);
  });

  it('starts over quietly when the report it last compared against is gone', async () => {
    await serve(20);
    const { watch } = await addWatch(store, {
      domain: DOMAIN,
      platform: 'slack',
      conversation: 'CWATCH',
      intervalMs: 60_000,
      by: 'slack:UALICE',
      surface: 'slack',
      at: new Date(START),
    });
    const old = await recordCheck(store, await check(parseCheckTarget(DOMAIN)), {
      source: 'watch',
      at: new Date(START - 3 * KEEP),
      keepMs: KEEP,
    });
    await setLastReport(store, watch.id, old);
    // Pruned by a later check of the same domain, as retention does.
    await recordCheck(store, await check(parseCheckTarget(DOMAIN)), {
      source: 'cli',
      at: new Date(START - KEEP / 2),
      keepMs: KEEP,
    });
    expect(await findCheck(store, old)).toBeUndefined();
    await serve(2);

    const run = await createMailWatchProcessor(deps())({ data: { watchId: watch.id } });
    expect(run).toMatchObject({ watchId: watch.id, trend: 'baseline', posted: false });
    expect((await findWatch(store, watch.id))?.lastReportId).toBe(run.reportId);
    expect(recorded.messages).toEqual([]);
  });

  it("still compares against a last report that this run's retention prunes", async () => {
    await serve(20);
    const { watch } = await addWatch(store, {
      domain: DOMAIN,
      platform: 'slack',
      conversation: 'CWATCH',
      intervalMs: 60_000,
      by: 'slack:UALICE',
      surface: 'slack',
      at: new Date(START),
    });
    // The last run was longer ago than reports are kept: the worker was down, say.
    const old = await recordCheck(store, await check(parseCheckTarget(DOMAIN)), {
      source: 'watch',
      at: new Date(START - 2 * KEEP),
      keepMs: KEEP,
    });
    await setLastReport(store, watch.id, old);
    await serve(2);

    const run = await createMailWatchProcessor(deps())({ data: { watchId: watch.id } });
    expect(run).toMatchObject({ watchId: watch.id, trend: 'better', posted: true });
    expect(recorded.messages.map((m) => m.card.blocks[0])).toEqual([{ kind: 'header', text: `${DOMAIN}: fixed` }]);
    expect(await findCheck(store, old)).toBeUndefined();
    expect((await listChecks(store, DOMAIN, 10)).map((c) => c.id)).toEqual([run.reportId]);
  });
});

describe('the card a watch posts', () => {
  const label = (id: number, at: string) => ({ id, checkedAt: new Date(at) });
  const many = (n: number): FindingChange[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `dns.finding-${i}`,
      subject: `ns${i}.${DOMAIN}`,
      summary: `Finding ${i} needs a long enough sentence to take some room in the message.`,
      from: null,
      to: 'fail',
    }));

  it('names the mixed trend and clips a long diff to one message, pointing at the history command', () => {
    const diff = {
      records: [],
      appeared: many(60),
      cleared: many(1).map((c) => ({ ...c, id: 'dns.cleared', from: 'fail' as const, to: null })),
      sizes: [],
      senders: [],
      trend: 'mixed' as const,
    };
    const card = watchChangeCard(DOMAIN, diff, label(1, '2026-11-02T08:00:00Z'), label(2, '2026-11-02T09:00:00Z'));
    expect(card.blocks[0]).toEqual({ kind: 'header', text: `${DOMAIN} changed` });
    const code = card.blocks[1];
    expect(code?.kind).toBe('code');
    const text = code?.kind === 'code' ? code.text : '';
    expect(text.length).toBeLessThanOrEqual(2_900);
    expect(text).toMatch(new RegExp(`the rest: mxops history ${DOMAIN.replace('.', '\\.')}$`));
    expect(text).toContain('dns.finding-0');
    expect(text).not.toContain('dns.finding-59');
  });

  it('shows a short diff whole', () => {
    const diff = { records: [], appeared: many(2), cleared: [], sizes: [], senders: [], trend: 'worse' as const };
    const card = watchChangeCard(DOMAIN, diff, label(1, '2026-11-02T08:00:00Z'), label(2, '2026-11-02T09:00:00Z'));
    const code = card.blocks[1];
    expect(code?.kind === 'code' && code.text).toContain('dns.finding-1');
    expect(code?.kind === 'code' && code.text).not.toContain('mxops history');
  });
});
