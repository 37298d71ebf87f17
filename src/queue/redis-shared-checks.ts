import type { Redis } from 'ioredis';
import type { CheckRegistry, JoinedCheck, ProgressListener, RunningChecks } from '../chat/running-checks.js';
import type { DiagnosisProgress, DiagnosisReport } from '../diagnosis/diagnose.js';

export interface SharedChecksOptions {
  readonly prefix: string;
  /** Who holds a check while it runs; lost with the process after `leaseMs`. */
  readonly instanceId: string;
  /** Longer than a whole check takes: a follower waiting longer runs the check itself. */
  readonly leaseMs: number;
  /** How long a finished check answers new requests (as RunningChecks' rejoin window). */
  readonly rejoinMs: number;
}

type Waiter = { progress: ProgressListener; done: (report: DiagnosisReport | undefined) => void };

/**
 * Checks shared by every bot replica on one Redis: the first replica to ask takes a lease and
 * runs the check in its own RunningChecks, publishing progress and the report; a replica asked the
 * same meanwhile follows those messages instead of probing the partner again. If the runner dies
 * or fails, followers run the check themselves.
 */
export async function createSharedChecks(
  local: RunningChecks,
  redis: Redis,
  subscriber: Redis,
  options: SharedChecksOptions,
): Promise<CheckRegistry> {
  const base = (key: string): string => `${options.prefix}:check:${key}`;
  const waiters = new Map<string, Set<Waiter>>();
  await subscriber.psubscribe(`${options.prefix}:check:*`);
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
    const [key, kind] = [channel.slice(0, channel.lastIndexOf(':')), channel.slice(channel.lastIndexOf(':') + 1)];
    for (const waiter of waiters.get(key) ?? []) {
      if (kind === 'progress') waiter.progress(JSON.parse(message) as DiagnosisProgress);
      if (kind === 'done') waiter.done(message === 'null' ? undefined : (JSON.parse(message) as DiagnosisReport));
    }
  });

  const finishedReport = async (key: string): Promise<DiagnosisReport | undefined> => {
    const json = await redis.get(`${base(key)}:report`);
    return json === null ? undefined : (JSON.parse(json) as DiagnosisReport);
  };

  /** Waits for another replica's report; undefined when it failed, died, or took longer than the lease. */
  const follow = (key: string, listener: ProgressListener): Promise<DiagnosisReport | undefined> =>
    new Promise((resolve) => {
      const set = waiters.get(base(key)) ?? new Set<Waiter>();
      waiters.set(base(key), set);
      const finish = (report: DiagnosisReport | undefined): void => {
        clearTimeout(timer);
        set.delete(waiter);
        if (set.size === 0) waiters.delete(base(key));
        resolve(report);
      };
      const waiter: Waiter = { progress: listener, done: finish };
      const timer = setTimeout(() => finish(undefined), options.leaseMs);
      set.add(waiter);
      // The report may have been published before we listened. A failed read loses nothing: the
      // follower still hears :done, or runs the check itself when the lease runs out.
      finishedReport(key).then(
        (report) => report && finish(report),
        () => undefined,
      );
    });

  const publishProgress = async (key: string, progress: DiagnosisProgress): Promise<void> => {
    await redis.publish(`${base(key)}:progress`, JSON.stringify(progress));
  };

  /** Tells followers how the check ended ('null': it failed, run it yourselves) and keeps a report for the rejoin window. */
  const publishOutcome = async (key: string, outcome: Promise<DiagnosisReport>): Promise<void> => {
    const report = await outcome.catch(() => undefined);
    const json = report === undefined ? 'null' : JSON.stringify(report);
    if (report !== undefined && options.rejoinMs > 0)
      await redis.set(`${base(key)}:report`, json, 'PX', options.rejoinMs);
    await redis.publish(`${base(key)}:done`, json);
    await redis.del(base(key));
  };

  const runHere = (
    key: string,
    start: Parameters<CheckRegistry['join']>[1],
    listener: ProgressListener,
    fresh: boolean,
  ): JoinedCheck => {
    const joined = local.join(
      key,
      (onProgress) =>
        start((progress) => {
          onProgress(progress);
          // A progress message Redis fails to carry costs followers one update, never the report.
          publishProgress(key, progress).catch(() => undefined);
        }),
      listener,
      { fresh },
    );
    // If Redis fails to carry the outcome, followers lose nothing: they stop waiting when the lease
    // runs out and run the check themselves.
    if (!joined.joined) publishOutcome(key, joined.report).catch(() => undefined);
    return joined;
  };

  return {
    async join(key, start, listener, joinOptions = {}) {
      const fresh = joinOptions.fresh ?? false;
      if (local.has(key)) return local.join(key, start, listener, { fresh });
      if (!fresh) {
        const finished = await finishedReport(key);
        if (finished) return { report: Promise.resolve(finished), joined: true };
      }
      const leased = await redis.set(base(key), options.instanceId, 'PX', options.leaseMs, 'NX');
      if (leased === 'OK') return runHere(key, start, listener, fresh);
      const report = follow(key, listener).then((theirs) => theirs ?? runHere(key, start, listener, true).report);
      return { report, joined: true };
    },
  };
}
