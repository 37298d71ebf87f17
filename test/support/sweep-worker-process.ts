/**
 * A replica's sweep worker in its own process, for the test that kills one mid-sweep. Usage:
 * sweep-worker-process.ts <store-location-json> <redis-url> <prefix> <now> <batch-size>
 * Prints "ready" once it takes jobs. Short job locks, so a killed worker's job stalls quickly.
 */
import { Queue, Worker } from 'bullmq';
import { createPatchSweepProcessor } from '../../jobs/patch-sweep.js';
import { PATCH_NAG_QUEUE, PATCH_SWEEP_QUEUE } from '../../src/queue/patch-jobs.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { openDatabase } from '../../src/store/database.js';
import type { NagId } from '../../src/store/escalation-sweep.js';

const [locationJson, redisUrl, prefix, now, batchSize] = process.argv.slice(2);
const store = openDatabase(JSON.parse(locationJson!));
const connection = createRedisConnection(redisUrl!, 'worker');
const nagQueue = new Queue<NagId>(PATCH_NAG_QUEUE, { connection, prefix: prefix! });
const worker = new Worker(PATCH_SWEEP_QUEUE, createPatchSweepProcessor({ store, nagQueue, now: () => Number(now), batchSize: Number(batchSize) }), {
  connection,
  prefix: prefix!,
  lockDuration: 1_000,
  stalledInterval: 500,
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
