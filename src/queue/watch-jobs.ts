/**
 * The queue of `/mailcheck watch`: one job scheduler per watch (BullMQ keeps one schedule per id
 * in Redis, so any replica may (re)schedule it), each job naming the watch by id only; the
 * domain, the channel and the last report are read from the store when the job runs.
 */
import type { Queue } from 'bullmq';

export const MAIL_WATCH_QUEUE = 'mail-watch';

export interface WatchJobData {
  readonly watchId: number;
}

export function watchSchedulerId(watchId: number): string {
  return `watch-${watchId}`;
}

/** Starts a watch's schedule, or moves it to a new interval; the first run is at once (the baseline). */
export async function scheduleWatch(
  queue: Queue<WatchJobData>,
  watch: { readonly id: number; readonly intervalMs: number },
): Promise<void> {
  await queue.upsertJobScheduler(
    watchSchedulerId(watch.id),
    { every: watch.intervalMs },
    {
      name: 'watch',
      data: { watchId: watch.id },
      opts: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: 100, removeOnFail: 100 },
    },
  );
}

export async function unscheduleWatch(queue: Queue<WatchJobData>, watchId: number): Promise<void> {
  await queue.removeJobScheduler(watchSchedulerId(watchId));
}

export function readWatchJobData(data: unknown): WatchJobData | string {
  const { watchId } = (data ?? {}) as Record<string, unknown>;
  if (typeof watchId !== 'number' || !Number.isSafeInteger(watchId) || watchId < 1)
    return 'watchId is not a positive integer';
  return { watchId };
}
