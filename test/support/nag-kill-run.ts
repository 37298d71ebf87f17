/**
 * Workers killed (SIGKILL) at random points while they deliver a sweep's nags to Slack, and the
 * posts counted afterwards, per nag and destination: shared by the test (a small run) and
 * bench/nag-kill.ts (the full one).
 *
 * Each nag goes to three people (owner, manager, leadership) and starts its patch's thread: four
 * posts. A fake Slack Web API takes each call when it arrives and answers `answerDelayMs` later, so
 * a worker killed in between has posted without learning it. Each worker is a process of its own
 * (sweep-worker-process.ts: the sweep and the nag worker, with the notifiers `mxops worker`
 * builds); after each kill a fresh one takes over the dead one's jobs once their locks expire.
 *
 * Kill points: `kills` thresholds drawn uniformly over the run's posts (so the kills spread across
 * the sweep), each reached after at least one post by the current worker (so every worker gets
 * somewhere), then a random wait of up to two answer delays, so a kill lands as often while a post
 * is unanswered as between posts, lookups and records. Seeded: a failing run can be replayed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import type { NagId } from '../../src/store/escalation-sweep.js';
import { nagJobId, PATCH_NAG_QUEUE, PATCH_SWEEP_QUEUE } from '../../src/queue/patch-jobs.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import type { StoreDialect } from '../../src/store/database.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from './fake-slack-api.js';
import { DAY, inventory, PEOPLE, patch, STANDARD_POLICY, system } from './inventory-fixture.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from './redis-test.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';
import { until } from './wait.js';

export interface NagKillRunOptions {
  readonly dialect: StoreDialect;
  readonly nags: number;
  readonly kills: number;
  /** How long the fake Slack takes to answer each call. */
  readonly answerDelayMs: number;
  /** Nags each worker delivers at once (production default 4). */
  readonly concurrency?: number;
  readonly seed?: number;
  /** Progress lines (the bench prints them). */
  readonly log?: (line: string) => void;
  /** Stops the run at its next wait, cleaning up (a benchmark's Ctrl-C). */
  readonly aborted?: () => boolean;
}

export interface KillRecord {
  /** Posts the fake had taken when the worker was killed. */
  readonly posts: number;
  /** Posts taken but not yet answered at the kill: the dead worker never learnt they arrived. */
  readonly orphaned: number;
}

export interface NagKillFigures {
  readonly seed: number;
  readonly nags: number;
  readonly kills: readonly KillRecord[];
  readonly expectedPosts: number;
  /** How many (nag, destination) pairs got each number of posts: { 1: 1200 } is exactly once. */
  readonly postsPerDestination: Readonly<Record<number, number>>;
  /** Pairs that got no post, and pairs that got more than one ("nag-3-1 UBOB x2"). */
  readonly lost: readonly string[];
  readonly doubled: readonly string[];
  /** Posts to anywhere a nag should not go (a reply in a thread, an unknown channel). */
  readonly stray: number;
  /** Look-ups made by retries: conversations.history, conversations.open, conversations.replies. */
  readonly lookups: Readonly<Record<string, number>>;
  readonly store: {
    readonly sent: number;
    readonly auditNag: number;
    readonly auditResent: number;
    /** Saved threads whose root is the post carrying the patch's nag marker. */
    readonly threadsOnTheirRoot: number;
    readonly directMessagesRecorded: number;
  };
  /** The most times one nag job was taken over from a dead worker (bounded by NAG_MAX_STALLED_COUNT). */
  readonly maxTakeovers: number;
  /** Lines the workers wrote to stderr (failed jobs). */
  readonly workerErrors: readonly string[];
  readonly wallMs: number;
  /** From the first post to the last: the delivery without the set-up. */
  readonly deliveryMs: number;
}

const CHANNEL = 'CMAILOPS';
const BOT_TOKEN = 'xoxb-nag-kill';
const WORKER = fileURLToPath(new URL('./sweep-worker-process.ts', import.meta.url));
/** A worker process's start and the take-over of a dead one's jobs (2 s locks), on a loaded machine. */
const RESTART_BUDGET_MS = 30_000;
/** In the past: the fake Slack stamps messages with the real clock, and a retry looks only at those since the nag was planned. */
const now = Date.parse('2026-06-01T10:00:00Z');

/** The most a run may take before a wait in it gives up: the time-out of a test that runs one. */
export function nagKillBudgetMs(
  options: Pick<NagKillRunOptions, 'nags' | 'kills' | 'answerDelayMs' | 'concurrency'>,
): number {
  const posts = options.nags * (PEOPLE.length + 1);
  const setup = 60_000;
  return (
    setup +
    (options.kills + 1) * RESTART_BUDGET_MS +
    postsBudgetMs(posts, options.answerDelayMs, options.concurrency ?? 4)
  );
}

/** Generous against the answer delay alone: look-ups, records and a busy core come on top. */
function postsBudgetMs(posts: number, answerDelayMs: number, concurrency: number): number {
  return (8 * posts * answerDelayMs) / concurrency;
}

export async function runNagKills(options: NagKillRunOptions): Promise<NagKillFigures> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = mulberry32(seed);
  const concurrency = options.concurrency ?? 4;
  const log = options.log ?? (() => undefined);
  const stop = options.aborted ? { aborted: options.aborted } : {};
  const started = performance.now();
  const store = await openTestDatabase(options.dialect);
  const redis = createRedisConnection(REDIS_URL, 'worker');
  const prefix = uniquePrefix();
  const slack = await startFakeSlackApi({
    botToken: BOT_TOKEN,
    answerDelayMs: options.answerDelayMs,
    realTimestamps: true,
  });
  const sweepQueue = new Queue(PATCH_SWEEP_QUEUE, { connection: redis, prefix });
  const nagQueue = new Queue<NagId>(PATCH_NAG_QUEUE, { connection: redis, prefix });
  const workerErrors: string[] = [];
  let child: ChildProcess | undefined;
  try {
    await seedInventory(store, options.nags);
    const perNag = PEOPLE.length + 1;
    const expectedPosts = options.nags * perNag;
    const posts = () => slack.callsTo('chat.postMessage').length;
    const budgetFor = (postCount: number) =>
      RESTART_BUDGET_MS + postsBudgetMs(postCount, options.answerDelayMs, concurrency);
    const thresholds = Array.from({ length: options.kills }, () => 1 + Math.floor(random() * (expectedPosts - 1))).sort(
      (a, b) => a - b,
    );

    const startWorker = async (): Promise<ChildProcess> => {
      const args = [
        JSON.stringify(store.location),
        REDIS_URL,
        prefix,
        String(now),
        '50',
        slack.apiUrl,
        BOT_TOKEN,
        String(concurrency),
      ];
      const worker = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      worker.stdout!.setEncoding('utf8').on('data', (text: string) => (output += text));
      worker
        .stderr!.setEncoding('utf8')
        .on('data', (text: string) => workerErrors.push(...text.split('\n').filter((line) => line.trim() !== '')));
      await until('a worker process ready', () => output.includes('ready') || worker.exitCode !== null, {
        timeoutMs: RESTART_BUDGET_MS,
        ...stop,
      });
      if (worker.exitCode !== null)
        throw new Error(`the worker process exited with ${worker.exitCode}: ${workerErrors.join('\n')}`);
      return worker;
    };

    const kills: KillRecord[] = [];
    for (const [index, threshold] of thresholds.entries()) {
      child = await startWorker();
      if (index === 0) await sweepQueue.add('sweep', {});
      const target = Math.max(threshold, posts() + 1);
      await until(`${target} posts before kill ${index + 1}`, () => posts() >= target, {
        timeoutMs: budgetFor(target - posts()),
        everyMs: 5,
        ...stop,
      });
      await sleep(random() * 2 * options.answerDelayMs);
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await once(child, 'exit');
      const kill = {
        posts: posts(),
        orphaned: slack
          .callsTo('chat.postMessage')
          .filter((call) => call.at <= killedAt && call.at + options.answerDelayMs > killedAt).length,
      };
      kills.push(kill);
      log(`kill ${index + 1}/${options.kills}: ${kill.posts} posts taken, ${kill.orphaned} of them unanswered`);
    }

    child = await startWorker();
    if (thresholds.length === 0) await sweepQueue.add('sweep', {});
    const sentCount = async () =>
      Number(
        (
          await store.db
            .selectFrom('nags')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'sent')
            .executeTakeFirstOrThrow()
        ).n,
      );
    // Or until nothing is left to run: a nag whose job failed is lost, and waiting longer cannot tell.
    const settled = async () => {
      if ((await sentCount()) === options.nags) return true;
      const jobs = await nagQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const sweeps = await sweepQueue.getJobCounts('waiting', 'active', 'delayed');
      return Object.values(jobs).every((count) => count === 0) && Object.values(sweeps).every((count) => count === 0);
    };
    await until('every nag sent or failed', settled, {
      timeoutMs: budgetFor(expectedPosts - posts()),
      everyMs: 50,
      ...stop,
    });
    // A post still on its way (it should not exist) is counted too: wait for the fake to go quiet.
    await until(
      'the fake Slack quiet',
      () => Date.now() - (slack.calls.at(-1)?.at ?? 0) > 3 * options.answerDelayMs + 200,
      { everyMs: 50, ...stop },
    );
    child.kill('SIGKILL');
    await once(child, 'exit');
    const wallMs = performance.now() - started;

    return {
      seed,
      nags: options.nags,
      kills,
      expectedPosts,
      ...(await countPosts(store, slack)),
      lookups: Object.fromEntries(
        ['conversations.history', 'conversations.open', 'conversations.replies'].map((method) => [
          method,
          slack.callsTo(method).length,
        ]),
      ),
      store: await storeFigures(store, slack, sentCount),
      maxTakeovers: Math.max(0, ...(await nagQueue.getJobs(['completed', 'failed'])).map((job) => job.stalledCounter)),
      workerErrors,
      wallMs,
      deliveryMs: (slack.callsTo('chat.postMessage').at(-1)?.at ?? 0) - (slack.callsTo('chat.postMessage')[0]?.at ?? 0),
    };
  } finally {
    if (child?.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await sweepQueue.close();
    await nagQueue.close();
    await slack.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await store.drop();
  }
}

/** One overdue critical patch per system; the first level reaches owner, manager and leadership. */
async function seedInventory(store: TestDatabase, count: number): Promise<void> {
  const names = Array.from({ length: count }, (_, n) => `mx-${String(n).padStart(4, '0')}`);
  const policy = {
    ...STANDARD_POLICY,
    levels: [
      { targets: ['owner', 'manager', 'leadership'] as const, waitMs: 2 * DAY },
      ...STANDARD_POLICY.levels.slice(1),
    ],
  };
  await importInventory(
    store,
    inventory({
      policies: [policy],
      systems: names.map((name) => system(name, { channel: { slack: CHANNEL } })),
      patches: names.map((name) => patch(name, 'CVE-2026-7000', now - 10 * DAY)),
    }),
    { actor: 'test', surface: 'cli', now, source: 'test' },
  );
}

const markerOf = (call: RecordedCall): string | undefined =>
  ((call.args.metadata as { event_payload?: { marker?: unknown } } | undefined)?.event_payload?.marker as
    string | undefined) ?? undefined;

async function countPosts(
  store: TestDatabase,
  slack: FakeSlackApi,
): Promise<Pick<NagKillFigures, 'postsPerDestination' | 'lost' | 'doubled' | 'stray'>> {
  const nags = await store.db.selectFrom('nags').select(['patch_id', 'step']).execute();
  const destinations = [...PEOPLE.map((person) => person.chat.slack!), CHANNEL];
  const counts = new Map<string, number>();
  for (const nag of nags)
    for (const destination of destinations)
      counts.set(`${nagJobId({ patchId: nag.patch_id, step: nag.step })} ${destination}`, 0);
  let stray = 0;
  for (const call of slack.callsTo('chat.postMessage')) {
    const key = `${markerOf(call)} ${String(call.args.channel)}`;
    const known = counts.get(key);
    if (known === undefined || call.args.thread_ts !== undefined) stray++;
    else counts.set(key, known + 1);
  }
  const postsPerDestination: Record<number, number> = {};
  for (const count of counts.values()) postsPerDestination[count] = (postsPerDestination[count] ?? 0) + 1;
  const entries = [...counts.entries()];
  return {
    postsPerDestination,
    lost: entries.filter(([, count]) => count === 0).map(([key]) => key),
    doubled: entries.filter(([, count]) => count > 1).map(([key, count]) => `${key} x${count}`),
    stray,
  };
}

async function storeFigures(
  store: TestDatabase,
  slack: FakeSlackApi,
  sentCount: () => Promise<number>,
): Promise<NagKillFigures['store']> {
  let auditNag = 0;
  let auditResent = 0;
  for await (const row of readAuditLog(store.db)) {
    if (row.action === 'nag') auditNag++;
    if (row.action === 'nag-resent') auditResent++;
  }
  const rootTs = new Map<string, string>();
  for (const call of slack.callsTo('chat.postMessage'))
    if (call.args.channel === CHANNEL && call.args.thread_ts === undefined)
      rootTs.set(String((call.response as { ts?: string }).ts), markerOf(call) ?? '');
  const threads = await store.db
    .selectFrom('patch_threads')
    .innerJoin('nags', 'nags.patch_id', 'patch_threads.patch_id')
    .select(['patch_threads.message', 'nags.patch_id', 'nags.step'])
    .execute();
  const recorded = await store.db
    .selectFrom('nag_direct_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    sent: await sentCount(),
    auditNag,
    auditResent,
    threadsOnTheirRoot: threads.filter(
      (thread) => rootTs.get(thread.message) === nagJobId({ patchId: thread.patch_id, step: thread.step }),
    ).length,
    directMessagesRecorded: Number(recorded.n),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded PRNG (public domain), so a run's kill points can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
