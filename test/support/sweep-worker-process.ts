/**
 * A replica's patch worker in its own process, for the tests that kill one mid-sweep or
 * mid-delivery. Usage:
 *   sweep-worker-process.ts <store-location-json> <redis-url> <prefix> <now> <batch-size> [<slack-api-url> <bot-token> <nag-concurrency>]
 * Runs the sweep worker and, given a Slack Web API URL, the nag worker too (the notifier that
 * createNagNotifiers builds for `mxops worker`, with its retries and time-outs). Prints "ready" once
 * it takes jobs. Short job locks, so a killed worker's jobs stall quickly.
 */
import { clockFrom } from './manual-clock.js';
import { Queue, Worker } from 'bullmq';
import { createPatchNagProcessor, NAG_MAX_STALLED_COUNT } from '../../jobs/patch-nag.js';
import { createPatchSweepProcessor } from '../../jobs/patch-sweep.js';
import { createNagNotifiers } from '../../src/cli/nag-notifiers.js';
import { createInMemoryConversationReferenceStore } from '../../src/chat/teams/conversation-reference-store.js';
import { PATCH_NAG_QUEUE, PATCH_SWEEP_QUEUE } from '../../src/queue/patch-jobs.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { openDatabase } from '../../src/store/database.js';
import type { NagId } from '../../src/store/escalation-sweep.js';

/**
 * Short job locks, so a dead worker's jobs are taken over within seconds (30 s in production). Not
 * shorter: a live worker whose event loop stalls past its lock (a loaded 2-core machine) would
 * have its job taken over while it still runs, which is not what these tests are about.
 */
const KILL_TEST_LOCKS = { lockDuration: 2_000, stalledInterval: 1_000 } as const;

const [locationJson, redisUrl, prefix, now, batchSize, slackApiUrl, botToken, nagConcurrency] = process.argv.slice(2);
const store = openDatabase(JSON.parse(locationJson!));
const connection = createRedisConnection(redisUrl!, 'worker');
const nagQueue = new Queue<NagId>(PATCH_NAG_QUEUE, { connection, prefix: prefix! });
const workers: Worker[] = [
  new Worker(
    PATCH_SWEEP_QUEUE,
    createPatchSweepProcessor({ store, nagQueue, clock: clockFrom(() => Number(now)), batchSize: Number(batchSize) }),
    { connection, prefix: prefix!, ...KILL_TEST_LOCKS },
  ),
];
if (slackApiUrl !== undefined) {
  const notifiers = await createNagNotifiers({
    slack: {
      botToken: botToken!,
      signingSecret: undefined,
      appToken: undefined,
      port: 0,
      host: undefined,
      command: '/mailcheck',
      patchCommand: '/patch',
      apiUrl: slackApiUrl,
      logLevel: 'error',
    },
    teams: undefined,
    teamsReferences: createInMemoryConversationReferenceStore(),
  });
  workers.push(
    new Worker(PATCH_NAG_QUEUE, createPatchNagProcessor({ store, notifiers, clock: clockFrom(() => Number(now)) }), {
      connection,
      prefix: prefix!,
      concurrency: Number(nagConcurrency ?? 4),
      maxStalledCount: NAG_MAX_STALLED_COUNT,
      ...KILL_TEST_LOCKS,
    }),
  );
}
for (const worker of workers)
  worker.on('failed', (job, error) =>
    process.stderr.write(`${worker.name} job ${job?.id ?? '?'} failed: ${error.message}\n`),
  );
await Promise.all(workers.map((worker) => worker.waitUntilReady()));
process.stdout.write('ready\n');
