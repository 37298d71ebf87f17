/**
 * Sends to the Bot Connector that Teams refused for now, tried again. Teams rate-limits bots per
 * conversation (a thread takes about 7 messages a second, 60 in 30 seconds) and answers HTTP 429;
 * 412, 502 and 504 are transient too. Microsoft's advice is exponential backoff with jitter
 * (learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
 *
 * botframework-connector throws a RestError (@typespec/ts-http-runtime) carrying `statusCode` and
 * the last `response`, whose headers hold Retry-After. Its pipeline (defaultRetryPolicy) already
 * retries each call up to 3 times, but only a 429 or 503 that names Retry-After, and 5xx; this
 * layer catches what gets through: a 429 without Retry-After, a 412, and throttling that outlasts
 * those quick retries, as when a long report is dozens of messages in one thread.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../clock.js';

export interface RetryTiming {
  /** Tries in all, the first one included. */
  readonly attempts: number;
  /** The backoff before the second try; it doubles for each try after. */
  readonly firstDelayMs: number;
  /** The longest single wait, Retry-After included: a longer one holds the thread back for no gain. */
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<unknown>;
  /** In [0, 1): the jitter. */
  readonly random: () => number;
  /** Reads a Retry-After given as an HTTP date against this clock's wall time. */
  readonly clock: Clock;
}

/** Waits of about 1, 2, 4 and 8 seconds (or what Teams asks): 15 s at most between five tries. */
export const CONNECTOR_RETRY: RetryTiming = {
  attempts: 5,
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  sleep,
  random: Math.random,
  clock: systemClock,
};

const TRANSIENT_STATUS: readonly number[] = [412, 429, 502, 504];

/** Runs `send` until it succeeds, fails for good, or has been tried `timing.attempts` times; rejects with its last error. */
export async function withConnectorRetry<T>(send: () => Promise<T>, timing: RetryTiming = CONNECTOR_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= timing.attempts || !isTransient(error)) throw error;
      await timing.sleep(retryDelayMs(error, attempt, timing));
    }
  }
}

export function isTransient(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' && TRANSIENT_STATUS.includes(status);
}

/**
 * The wait after failed try number `attempt`: exponential backoff with "equal jitter" (half fixed,
 * half random, so bots throttled together do not come back together), and never less than what
 * Retry-After asks, up to `maxDelayMs`.
 */
export function retryDelayMs(error: unknown, attempt: number, timing: RetryTiming): number {
  const backoff = Math.min(timing.maxDelayMs, timing.firstDelayMs * 2 ** (attempt - 1));
  const jittered = backoff / 2 + (timing.random() * backoff) / 2;
  const asked = retryAfterMs(error, timing.clock.wallMs());
  return asked === undefined ? jittered : Math.max(jittered, Math.min(asked, timing.maxDelayMs));
}

/** Retry-After from the error's response: seconds, or an HTTP date (RFC 9110 §10.2.3) read at wall time `nowMs`. */
export function retryAfterMs(error: unknown, nowMs: number): number | undefined {
  const headers = (error as { response?: { headers?: { get?: unknown } } } | undefined)?.response?.headers;
  const value =
    typeof headers?.get === 'function'
      ? (headers.get as (name: string) => unknown).call(headers, 'retry-after')
      : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
