/** The SMTP probe queue as a producer sees it (BullMQ on ioredis): for --queue, follow-up and start. */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { redact, type Config } from '../config.js';
import type { SmtpProbeResult } from '../diagnosis/smtp-port.js';
import { AppError } from '../errors.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import type { RedisOutage } from '../queue/redis-outage.js';
import { SMTP_PROBE_QUEUE, type SmtpProbeJobData } from '../queue/smtp-probe-jobs.js';
import type { Lifecycle } from './lifecycle.js';

export interface QueueHandle {
  readonly queue: Queue<SmtpProbeJobData, SmtpProbeResult>;
  readonly events: QueueEvents;
  /** The producer's own connection, for health checks. */
  readonly redis: Redis;
}

/** How long closing the queue's connections may take before they are dropped. */
const CLOSE_WAIT_MS = 2_000;

/**
 * Redis is reached first, so an unreachable one (refused, or accepting and never answering) is
 * one clear error instead of a command that retries for ever; connections close when the command
 * ends (`lifecycle`). A daemon passes its outage account (redis-outage.ts): once reached, its connections retry
 * on the account's back-off and report to it, and the queue's own copies of their errors are
 * dropped while it knows Redis is gone.
 */
export async function openQueue(config: Config, lifecycle: Lifecycle, outage?: RedisOutage): Promise<QueueHandle> {
  const reached = await reach(config);
  let producer = reached;
  if (outage) {
    reached.disconnect();
    producer = await reach(config, outage);
  }
  const listener = createRedisConnection(config.queue.redisUrl, 'worker', outage);
  const queue = new Queue<SmtpProbeJobData, SmtpProbeResult>(SMTP_PROBE_QUEUE, {
    connection: producer,
    prefix: config.queue.prefix,
  });
  const events = new QueueEvents(SMTP_PROBE_QUEUE, { connection: listener, prefix: config.queue.prefix });
  if (outage) {
    // Without a listener BullMQ prints each error itself; the account has said Redis is gone.
    const drop = (): void => undefined;
    queue.on('error', drop);
    events.on('error', drop);
  }
  lifecycle.own('the SMTP probe queue', async () => {
    const closed = Promise.all([events.close(), queue.close()]).catch(() => undefined);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    producer.disconnect();
    listener.disconnect();
  });
  return { queue, events, redis: producer };
}

async function reach(config: Config, outage?: RedisOutage): Promise<Redis> {
  const producer = createRedisConnection(config.queue.redisUrl, 'producer', outage);
  // ioredis reports the cause (ECONNREFUSED, auth, no answer) as an event; connect() only says it closed.
  let cause: Error | undefined;
  producer.on('error', (error: Error) => (cause = error));
  try {
    await producer.connect();
    return producer;
  } catch (error) {
    producer.disconnect();
    const why = cause?.message ?? outage?.cause() ?? (error instanceof Error ? error.message : String(error));
    throw new AppError(
      'QUEUE_UNAVAILABLE',
      `cannot reach Redis at ${redact(config.queue.redisUrl)} (MXOPS_REDIS_URL): ${why}`,
    );
  }
}
