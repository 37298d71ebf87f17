/**
 * The BullMQ test bed of the SMTP probe queue tests: each test gets a queue, its events and its
 * workers under a prefix of its own on the real Redis, all closed and the prefix's keys dropped
 * after it, whatever the test left running.
 */
import { Queue, QueueEvents, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach } from 'vitest';
import type { SmtpProbeResult } from '../../src/diagnosis/smtp-port.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { SMTP_PROBE_QUEUE, type SmtpProbeJobData } from '../../src/queue/smtp-probe-jobs.js';
import { createSmtpWorker, type SmtpWorkerOptions } from '../../src/queue/smtp-worker.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from './redis-test.js';

export interface ProbeQueueBed {
  readonly prefix: string;
  /** A plain connection for looking at the keys. */
  readonly admin: Redis;
  readonly queue: Queue<SmtpProbeJobData, SmtpProbeResult>;
  readonly events: QueueEvents;
  /** A worker on its own connection, on this test's prefix; closed after the test. */
  startWorker(options: Omit<SmtpWorkerOptions, 'connection' | 'prefix'>): Worker;
}

/** Call at the top of a describe block; the function it returns gives the current test's bed. */
export function useProbeQueueBed(): () => ProbeQueueBed {
  let bed: ProbeQueueBed | undefined;
  let close: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const prefix = uniquePrefix();
    const admin = new Redis(REDIS_URL);
    const producer = createRedisConnection(REDIS_URL, 'producer');
    const queue = new Queue<SmtpProbeJobData, SmtpProbeResult>(SMTP_PROBE_QUEUE, { connection: producer, prefix });
    const events = new QueueEvents(SMTP_PROBE_QUEUE, {
      connection: createRedisConnection(REDIS_URL, 'worker'),
      prefix,
    });
    await events.waitUntilReady();
    const workers: Worker[] = [];
    const connections: Redis[] = [];
    const startWorker = (options: Omit<SmtpWorkerOptions, 'connection' | 'prefix'>): Worker => {
      const connection = createRedisConnection(REDIS_URL, 'worker');
      connections.push(connection);
      const worker = createSmtpWorker({ ...options, connection, prefix });
      workers.push(worker);
      return worker;
    };
    bed = { prefix, admin, queue, events, startWorker };
    close = async () => {
      await Promise.all(workers.map((w) => w.close(true)));
      await events.close();
      await queue.close();
      await dropPrefix(admin, prefix);
      for (const c of [...connections, producer, admin]) c.disconnect();
    };
  });
  afterEach(async () => {
    await close?.();
    bed = undefined;
    close = undefined;
  });
  return () => {
    if (!bed) throw new Error('the probe queue bed exists only inside a test');
    return bed;
  };
}
