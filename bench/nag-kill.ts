/**
 * Nags delivered by workers killed (SIGKILL) at random points, counted per nag and destination
 * (test/support/nag-kill-run.ts says how): zero lost and zero doubled is the goal. Each run is
 * compared with the same sweep delivered by one worker never killed, in the same session, which
 * shows what the kills cost in time.
 *
 *   node --import tsx bench/nag-kill.ts [nags=300] [kills=20] [dialects=postgres,sqlite] [runs=1] [delay ms=150] [seed]
 *
 * Needs Redis (MXOPS_TEST_REDIS_URL, default redis://127.0.0.1:6379) and PostgreSQL
 * (MXOPS_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test); both are cleaned
 * up afterwards. Exits non-zero if any run lost or doubled a post.
 */
import type { StoreDialect } from '../src/store/database.js';
import { type NagKillFigures, runNagKills } from '../test/support/nag-kill-run.js';

const NAGS = Number(process.argv[2] ?? 300);
const KILLS = Number(process.argv[3] ?? 20);
const DIALECTS = (process.argv[4] ?? 'postgres,sqlite').split(',') as StoreDialect[];
const RUNS = Number(process.argv[5] ?? 1);
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

let failed = false;
// Ctrl-C ends the run at its next wait, which kills its worker and drops its schema and Redis keys.
let interrupted = false;
process.on('SIGINT', () => void (interrupted = true));
const aborted = () => interrupted;
for (const dialect of DIALECTS) {
  const baseline = await runNagKills({ dialect, nags: NAGS, kills: 0, answerDelayMs: DELAY_MS, aborted });
  console.log(`no kills (the floor):\n${line(baseline, dialect)}`);
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
    if (figures.lost.length + figures.doubled.length + figures.stray > 0 || figures.store.sent !== NAGS) failed = true;
  }
}
process.exit(failed ? 1 : 0);
