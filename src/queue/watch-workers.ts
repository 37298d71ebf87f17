/** The worker of `/mailcheck watch`: re-checks watched domains as their job schedulers fire. */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createMailWatchProcessor, type MailWatchDeps } from '../../jobs/mail-watch.js';
import { MAIL_WATCH_QUEUE, unscheduleWatch, type WatchJobData } from './watch-jobs.js';

export interface WatchWorkerOptions extends MailWatchDeps {
  readonly connection: Redis;
  readonly prefix: string;
  readonly onError: (error: Error) => void;
  /** Watches checked at once; each is a whole diagnosis. */
  readonly concurrency?: number;
}

export interface WatchWorker {
  close(): Promise<void>;
}

export async function startWatchWorker(options: WatchWorkerOptions): Promise<WatchWorker> {
  const { connection, prefix, onError, concurrency, ...deps } = options;
  const queue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection, prefix });
  const processor = createMailWatchProcessor({ ...deps, unschedule: (watchId) => unscheduleWatch(queue, watchId) });
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
