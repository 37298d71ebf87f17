/**
 * The SMTP probe queue a bench drives, under a key prefix of its own on the real Redis
 * (MXOPS_REDIS_URL, default redis://127.0.0.1:6379): close() closes it and drops every key
 * under the prefix, so a bench leaves nothing behind.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Queue, QueueEvents } from 'bullmq';
import type { SmtpProbeResult } from '../src/diagnosis/smtp-port.js';
import { createRedisConnection } from '../src/queue/redis-connection.js';
import { SMTP_PROBE_QUEUE, type SmtpProbeJobData } from '../src/queue/smtp-probe-jobs.js';
import { dropPrefixAt } from '../test/support/redis-test.js';
import { undoOnInterrupt } from './undo-on-interrupt.js';

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
  // QueueEvents blocks on a duplicate of the connection it is given and closes only that one: this
  // one is ours to disconnect, or its socket keeps the bench's process alive after the figures.
  const eventsConnection = createRedisConnection(BENCH_REDIS_URL, 'worker');
  const events = new QueueEvents(SMTP_PROBE_QUEUE, { connection: eventsConnection, prefix });
  await events.waitUntilReady();
  return {
    prefix,
    queue,
    events,
    async close() {
      await events.close();
      await queue.close();
      producer.disconnect();
      eventsConnection.disconnect();
      await dropPrefixAt(BENCH_REDIS_URL, prefix);
    },
  };
}

/**
 * If the bench is interrupted before it closes the queue (undo-on-interrupt.ts): its worker
 * processes stopped first, so that none writes under the prefix after it is dropped. Call the
 * result once the bench has closed the queue itself.
 */
export function undoQueueOnInterrupt(prefix: string, workers: readonly ChildProcess[]): () => void {
  return undoOnInterrupt(async () => {
    const running = workers.filter((worker) => worker.exitCode === null && worker.signalCode === null);
    for (const worker of running) if (worker.connected) worker.disconnect();
    await Promise.all(running.map((worker) => once(worker, 'exit')));
    await dropPrefixAt(BENCH_REDIS_URL, prefix);
  });
}
