/**
 * The SMTP probe queue a bench drives, under a key prefix of its own on the real Redis
 * (MXOPS_REDIS_URL, default redis://127.0.0.1:6379): close() closes it and drops every key
 * under the prefix, so a bench leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { SmtpProbeResult } from '../src/diagnosis/smtp-port.js';
import { createRedisConnection } from '../src/queue/redis-connection.js';
import { SMTP_PROBE_QUEUE, type SmtpProbeJobData } from '../src/queue/smtp-probe-jobs.js';
import { dropPrefix } from '../test/support/redis-test.js';

export const BENCH_REDIS_URL = process.env.MXOPS_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchQueue {
  readonly prefix: string;
  readonly queue: Queue<SmtpProbeJobData, SmtpProbeResult>;
  readonly events: QueueEvents;
  close(): Promise<void>;
}

/** A fresh prefix; open() connects once the workers using the prefix are up. */
export function benchQueuePrefix(): string {
  return `mxops-bench-${randomUUID().slice(0, 8)}`;
}

export async function openBenchQueue(prefix: string): Promise<BenchQueue> {
  const producer = createRedisConnection(BENCH_REDIS_URL, 'producer');
  const queue = new Queue<SmtpProbeJobData, SmtpProbeResult>(SMTP_PROBE_QUEUE, { connection: producer, prefix });
  const events = new QueueEvents(SMTP_PROBE_QUEUE, {
    connection: createRedisConnection(BENCH_REDIS_URL, 'worker'),
    prefix,
  });
  await events.waitUntilReady();
  return {
    prefix,
    queue,
    events,
    async close() {
      await events.close();
      await queue.close();
      producer.disconnect();
      const admin = new Redis(BENCH_REDIS_URL);
      await dropPrefix(admin, prefix);
      admin.disconnect();
    },
  };
}
