/**
 * Nags delivered by workers killed (SIGKILL) at random points, counted per nag and destination
 * (test/support/nag-kill-run.ts says how): zero lost and zero doubled is the goal. Each run is
 * compared with the same sweep delivered by one worker never killed, in the same session, which
 * shows what the kills cost in time.
 *
 *   node --import tsx bench/nag-kill.ts [nags=300] [kills=20] [dialects=postgres,sqlite] [runs=1] [delay ms=150] [seed]
 *   BENCH_SMOKE=1 node --import tsx bench/nag-kill.ts   (20 nags, 2 kills, PostgreSQL, no run without kills)
 *
 * Needs Redis (MXOPS_TEST_REDIS_URL, default redis://127.0.0.1:6379) and PostgreSQL
 * (MXOPS_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test); both are cleaned
 * up afterwards. Exits non-zero if any run lost or doubled a post.
 */
import type { StoreDialect } from '../src/store/database.js';
import { type NagKillFigures, runNagKills } from '../test/support/nag-kill-run.js';
import { checkGoal, SMOKE } from './smoke.js';

// Smoke: about 10 s (each kill costs ~3 s: the 2 s lock, the stall check, a new process). One store:
// test/integration/nag-worker-killed.test.ts already kills 5 workers over 60 nags on each.
const NAGS = SMOKE ? 20 : Number(process.argv[2] ?? 300);
const KILLS = SMOKE ? 2 : Number(process.argv[3] ?? 20);
const DIALECTS = (SMOKE ? 'postgres' : (process.argv[4] ?? 'postgres,sqlite')).split(',') as StoreDialect[];
const RUNS = SMOKE ? 1 : Number(process.argv[5] ?? 1);
const DELAY_MS = Number(process.argv[6] ?? 150);
const SEED = process.argv[7] === undefined ? undefined : Number(process.argv[7]);

const line = (figures: NagKillFigures, dialect: StoreDialect): string => {
  const orphaned = figures.kills.reduce((sum, kill) => sum + kill.orphaned, 0);
  const inFlight = figures.kills.filter((kill) => kill.orphaned > 0).length;
  const lookups = Object.entries(figures.lookups)
    .map(([method, count]) => `${method.replace('conversations.', '')} ${count}`)
    .join(', ');
  return [
    `${dialect}, seed ${figures.seed}: ${figures.nags} nags, ${figures.kills.length} kills (${inFlight} with a post unanswered, ${orphaned} such posts), ${(figures.wallMs / 1000).toFixed(1)} s, delivery ${(figures.deliveryMs / 1000).toFixed(1)} s`,
    `  posts per (nag, destination): ${JSON.stringify(figures.postsPerDestination)} of ${figures.expectedPosts}; lost ${figures.lost.length}, doubled ${figures.doubled.length}, stray ${figures.stray}`,
    `  look-ups: ${lookups}; most take-overs of one job: ${figures.maxTakeovers}; store: ${figures.store.sent} sent, audit ${figures.store.auditNag} nag + ${figures.store.auditResent} nag-resent, ${figures.store.threadsOnTheirRoot} threads on their root, ${figures.store.directMessagesRecorded} DMs recorded`,
    ...(figures.doubled.length > 0 ? [`  doubled: ${figures.doubled.slice(0, 10).join(', ')}`] : []),
    ...(figures.lost.length > 0 ? [`  lost: ${figures.lost.slice(0, 10).join(', ')}`] : []),
    ...(figures.workerErrors.length > 0 ? [`  worker errors: ${figures.workerErrors.slice(0, 5).join(' | ')}`] : []),
  ].join('\n');
};

/** The goal, exact in full runs as in smoke runs: one post lost or doubled is the failure this bench looks for. */
function checkEveryPostOnce(figures: NagKillFigures, dialect: StoreDialect): void {
  const exactly = (what: string, value: number, expected: number): boolean =>
    checkGoal({ what: `${dialect}: ${what}`, value, atLeast: expected, atMost: expected, why: 'issue 15' });
  exactly('(nag, destination) pairs with no post', figures.lost.length, 0);
  exactly('(nag, destination) pairs posted twice or more', figures.doubled.length, 0);
  exactly('posts where no nag should go', figures.stray, 0);
  exactly('nags recorded as sent', figures.store.sent, NAGS);
}

// Ctrl-C ends the run at its next wait, which kills its worker and drops its schema and Redis keys.
let interrupted = false;
process.on('SIGINT', () => void (interrupted = true));
const aborted = () => interrupted;
for (const dialect of DIALECTS) {
  // The run without kills shows what the kills cost in time; the smoke run checks only the goal.
  if (!SMOKE) {
    const baseline = await runNagKills({ dialect, nags: NAGS, kills: 0, answerDelayMs: DELAY_MS, aborted });
    console.log(`no kills (the floor):\n${line(baseline, dialect)}`);
  }
  for (let run = 0; run < RUNS; run++) {
    const figures = await runNagKills({
      dialect,
      nags: NAGS,
      kills: KILLS,
      answerDelayMs: DELAY_MS,
      aborted,
      ...(SEED !== undefined ? { seed: SEED } : {}),
      log: (text) => console.log(`  ${text}`),
    });
    console.log(line(figures, dialect));
    checkEveryPostOnce(figures, dialect);
  }
}
// With the status the checks above set: 1 if any missed.
process.exit();
