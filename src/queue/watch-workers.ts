/**
 * The worker of `/mailcheck watch`: re-checks watched domains as their job schedulers fire. What a
 * run does is jobs/mail-watch.ts's, handed in by the composition root (src/cli/background-workers.ts).
 */
import { Queue, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { MAIL_WATCH_QUEUE, unscheduleWatch, type WatchJobData } from './watch-jobs.js';

export interface WatchWorkerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  /**
   * Made over `unschedule`, which removes a watch's job scheduler from the queue opened here: a job
   * for a watch that is gone stops its own schedule.
   */
  readonly processor: (unschedule: (watchId: number) => Promise<void>) => Processor<WatchJobData>;
  readonly onError: (error: Error) => void;
  /** Watches checked at once; each is a whole diagnosis. */
  readonly concurrency?: number;
}

export interface WatchWorker {
  close(): Promise<void>;
}

export async function startWatchWorker(options: WatchWorkerOptions): Promise<WatchWorker> {
  const { connection, prefix, onError, concurrency } = options;
  const queue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection, prefix });
  const processor = options.processor((watchId) => unscheduleWatch(queue, watchId));
  const worker = new Worker(MAIL_WATCH_QUEUE, processor, { connection, prefix, concurrency: concurrency ?? 2 });
  worker.on('error', onError);
  worker.on('failed', (job, error) =>
    onError(
      new Error(
        `${MAIL_WATCH_QUEUE} job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`,
      ),
    ),
  );
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
