/** The SMTP probe queue as a producer sees it (BullMQ on ioredis): for --queue, follow-up and start. */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { redact, type Config } from '../config.js';
import type { SmtpProbeResult } from '../diagnosis/smtp-port.js';
import { AppError } from '../errors.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { SMTP_PROBE_QUEUE, type SmtpProbeJobData } from '../queue/smtp-probe-jobs.js';
import { closeWhenDone } from './closers.js';

export interface QueueHandle {
  readonly queue: Queue<SmtpProbeJobData, SmtpProbeResult>;
  readonly events: QueueEvents;
  /** The producer's own connection, for health checks. */
  readonly redis: Redis;
}

/** How long closing the queue's connections may take before they are dropped. */
const CLOSE_WAIT_MS = 2_000;

/**
 * Redis is reached first, so an unreachable one is one clear error instead of a command that
 * retries for ever; connections close when the command ends.
 */
export async function openQueue(config: Config): Promise<QueueHandle> {
  const producer = createRedisConnection(config.queue.redisUrl, 'producer');
  // ioredis reports the cause (ECONNREFUSED, auth) as an event; connect() only says it closed.
  let cause: Error | undefined;
  producer.on('error', (error: Error) => (cause = error));
  try {
    await producer.connect();
  } catch (error) {
    producer.disconnect();
    const why = cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new AppError('QUEUE_UNAVAILABLE', `cannot reach Redis at ${redact(config.queue.redisUrl)} (MXOPS_REDIS_URL): ${why}`);
  }
  const listener = createRedisConnection(config.queue.redisUrl, 'worker');
  const queue = new Queue<SmtpProbeJobData, SmtpProbeResult>(SMTP_PROBE_QUEUE, { connection: producer, prefix: config.queue.prefix });
  const events = new QueueEvents(SMTP_PROBE_QUEUE, { connection: listener, prefix: config.queue.prefix });
  closeWhenDone(async () => {
    const closed = Promise.all([events.close(), queue.close()]).catch(() => undefined);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    producer.disconnect();
    listener.disconnect();
  });
  return { queue, events, redis: producer };
}
