/** The whole diagnosis behind `mailcheck` on every chat surface (console, Slack, Teams) and in watches. */
import type { Queue } from 'bullmq';
import pLimit from 'p-limit';
import { checksOf } from '../../commands/bounce-checks.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { WatchChatDeps } from '../../commands/mailcheck-watch.js';
import { BoundedMap } from '../chat/bounded-map.js';
import { RunningChecks, type CheckRegistry } from '../chat/running-checks.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { OpenDatabase } from '../store/database.js';
import { scheduleWatch, unscheduleWatch, type WatchJobData } from '../queue/watch-jobs.js';
import type { DiagnosisRunner } from './diagnosis-runner.js';
import { recordReport } from './open-store.js';

/** A finished check answers new requests for the same target this long (see RunningChecks). */
export const REJOIN_FINISHED_CHECK_MS = 10_000;

/** Reports kept for the "Note for their admin" button; older ones are checked again on demand. */
const RECENT_REPORTS = 500;

export interface SharedMailcheckDeps {
  readonly metrics?: Metrics;
  /** The log of one check (`mxops start` logs; the console does not, so it never loads the logger). */
  readonly logFor?: (domain: string) => Logger;
  readonly running?: CheckRegistry;
  readonly store?: OpenDatabase;
  readonly watches?: WatchChatDeps;
}

/** `run`: the process's diagnosis runner (diagnosis-runner.ts), with the surface's probes. */
export function mailcheckDeps(config: Config, run: DiagnosisRunner, shared?: SharedMailcheckDeps): MailcheckDeps {
  const { metrics, logFor, running, store, watches } = shared ?? {};
  // One limit for every surface of the process: a burst of checks all at once keeps the event loop
  // so busy that commands typed meanwhile wait for their ack; in turn, the first cards come sooner too.
  const turn = pLimit(config.maxRunningChecks);
  return {
    diagnose: async (target, onProgress, options = {}) => {
      const log = logFor?.(target.domain);
      log?.info({ fresh: options.fresh ?? false }, 'check started');
      const report = await turn(() => run(target, { onProgress, fresh: options.fresh ?? false }));
      metrics?.checkSeconds.observe({ status: report.status }, report.durationMs / 1000);
      log?.info(
        { status: report.status, durationMs: Math.round(report.durationMs), findings: report.findings.length },
        'check finished',
      );
      // Recorded here, where the run happens once however many people asked for it.
      if (store) await recordReport(config, report, 'chat', store);
      return report;
    },
    bounces: { test: (target, hypothesis) => run(target, { checks: checksOf(hypothesis), dnsOnly: !hypothesis.smtp }) },
    ...(store ? { history: { store } } : {}),
    ...(watches ? { watches } : {}),
    running: running ?? new RunningChecks(REJOIN_FINISHED_CHECK_MS),
    reports: new BoundedMap(RECENT_REPORTS),
    minUpdateIntervalMs: 1_000,
    clock: systemClock,
    counted: (command, outcome) => metrics?.commandsHandled.inc({ surface: 'console', command, outcome }),
  };
}

/** `mailcheck watch` as the chat surfaces run it: a row in the store and a job scheduler in Redis. */
export function watchChatDeps(config: Config, store: OpenDatabase, queue: Queue<WatchJobData>): WatchChatDeps {
  return {
    store,
    schedule: (watch) => scheduleWatch(queue, watch),
    unschedule: (watchId) => unscheduleWatch(queue, watchId),
    defaultIntervalMs: config.watchIntervalMinutes * 60_000,
    clock: systemClock,
  };
}
