/**
 * One account of a Redis outage for all of a process's connections. A worker holds several (its
 * own, BullMQ's blocking duplicates, the queues' shared one), each retrying on its own and each
 * reporting every failed attempt to every BullMQ object using it: ~10 lines a second for ever. Here
 * the connections share one back-off (1 s doubling to 30 s), the process says one line per step,
 * one when Redis is back, and gives up after the configured time (MXOPS_REDIS_GIVE_UP_SECONDS).
 */
import { systemClock, type Clock } from '../clock.js';
import { AppError } from '../errors.js';

export interface RedisOutageOptions {
  /** Which Redis, for the lines: its URL with the password redacted. */
  readonly where: string;
  /** Gone this long, the process stops retrying; undefined: never. */
  readonly giveUpMs: number | undefined;
  readonly log: (line: string) => void;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long Redis has been down is a duration: monotonic time. The system clock when absent. */
  readonly clock?: Clock;
}

export interface RedisOutage {
  /** ioredis's retryStrategy: the wait before attempt `times`, or null once given up (the connection then ends). */
  retryDelay(this: void, times: number): number | null;
  /** A connection's error (the cause the next line gives). */
  failed(this: void, error: unknown): void;
  /** A connection is ready again. */
  recovered(this: void): void;
  /** Whether a connection is failing now: its errors are this account's, not news. */
  isDown(this: void): boolean;
  /** The last connection error's message, while down. */
  cause(this: void): string | undefined;
  /** Resolves, with the error to exit on, once Redis has been gone for the give-up time; never otherwise. */
  readonly gaveUp: Promise<AppError>;
  /** Stops the give-up clock (the process is stopping anyway). */
  stop(this: void): void;
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

export function watchRedisOutage(options: RedisOutageOptions): RedisOutage {
  const { where, giveUpMs, log, firstDelayMs = 1_000, maxDelayMs = 30_000, clock = systemClock } = options;
  const now = (): number => clock.monotonicMs();
  let downSince: number | undefined;
  let cause = 'the connection closed';
  // The attempt number last reported: every connection passes through the same steps, one line each.
  let reported = 0;
  let given: AppError | undefined;
  let giveUpTimer: NodeJS.Timeout | undefined;
  let giveUp: (error: AppError) => void = () => undefined;
  const gaveUp = new Promise<AppError>((resolve) => (giveUp = resolve));

  const startOutage = (): void => {
    if (downSince !== undefined) return;
    downSince = now();
    if (giveUpMs === undefined) return;
    giveUpTimer = setTimeout(() => {
      given = new AppError(
        'QUEUE_UNAVAILABLE',
        `Redis at ${where} has been unreachable for ${seconds(giveUpMs)} (MXOPS_REDIS_GIVE_UP_SECONDS): giving up; last error: ${cause}`,
      );
      giveUp(given);
    }, giveUpMs);
  };

  return {
    retryDelay(times) {
      if (given !== undefined) return null;
      startOutage();
      const delay = Math.min(firstDelayMs * 2 ** Math.min(times - 1, 30), maxDelayMs);
      if (times > reported) {
        reported = times;
        const down = now() - (downSince ?? now());
        log(
          times === 1
            ? `Redis at ${where} is unreachable (${cause}); retrying in ${seconds(delay)}`
            : `Redis at ${where} still unreachable after ${seconds(down)} (${cause}); retrying in ${seconds(delay)}`,
        );
      }
      return delay;
    },
    failed(error) {
      cause = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ') || cause;
      startOutage();
    },
    recovered() {
      if (downSince === undefined) return;
      if (reported > 0) log(`Redis at ${where} is back after ${seconds(now() - downSince)}`);
      downSince = undefined;
      reported = 0;
      cause = 'the connection closed';
      clearTimeout(giveUpTimer);
    },
    isDown: () => downSince !== undefined,
    cause: () => (downSince === undefined ? undefined : cause),
    gaveUp,
    stop: () => clearTimeout(giveUpTimer),
  };
}
