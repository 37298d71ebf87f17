/** The whole diagnosis behind `mailcheck` on every chat surface (console, Slack, Teams) and in watches. */
import { performance } from 'node:perf_hooks';
import type { Queue } from 'bullmq';
import { checksOf } from '../../commands/bounce-checks.js';
import { lookupSettings, mailServerLimits } from '../../commands/check.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { WatchChatDeps } from '../../commands/mailcheck-watch.js';
import { BoundedMap } from '../chat/bounded-map.js';
import { RunningChecks, type CheckRegistry } from '../chat/running-checks.js';
import type { Config } from '../config.js';
import type { Check } from '../diagnosis/check.js';
import type { CheckTarget } from '../diagnosis/check-target.js';
import { diagnose, type DiagnosisProgress, type DiagnosisReport } from '../diagnosis/diagnose.js';
import type { HttpsFetcher } from '../diagnosis/https-port.js';
import type { SmtpSettings } from '../diagnosis/smtp-sessions.js';
import { AppError } from '../errors.js';
import { createDnsClient } from '../net/dns-client.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { OpenDatabase } from '../store/database.js';
import { scheduleWatch, unscheduleWatch, type WatchJobData } from '../queue/watch-jobs.js';
import { systemResolver } from './check-deps.js';
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

export function mailcheckDeps(
  config: Config,
  smtp: SmtpSettings | undefined,
  https: HttpsFetcher | undefined,
  shared?: SharedMailcheckDeps,
): MailcheckDeps {
  const { metrics, logFor, running, store, watches } = shared ?? {};
  const run = diagnosisRunner(config, smtp, https);
  return {
    diagnose: async (target, onProgress, options = {}) => {
      const log = logFor?.(target.domain);
      log?.info({ fresh: options.fresh ?? false }, 'check started');
      const report = await run(target, { onProgress, fresh: options.fresh ?? false });
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
    now: () => performance.now(),
    counted: (command, outcome) => metrics?.commandsHandled.inc({ surface: 'console', command, outcome }),
  };
}

interface RunOptions {
  readonly onProgress?: (progress: DiagnosisProgress) => void;
  readonly checks?: readonly Check[];
  readonly dnsOnly?: boolean;
  /** Probe the mail servers afresh (Re-check), past the probe cache. */
  readonly fresh?: boolean;
}

/** Runs a diagnosis with the configured resolver and time-outs, as the chat surfaces and watches do. */
export function diagnosisRunner(
  config: Config,
  smtp: SmtpSettings | undefined,
  https: HttpsFetcher | undefined,
): (target: CheckTarget, options?: RunOptions) => Promise<DiagnosisReport> {
  const resolver = config.resolver ?? systemResolver();
  if (!resolver) throw new AppError('BAD_CONFIG', 'no resolver: the system has none configured; set MXOPS_RESOLVER');
  return (target, options = {}) =>
    diagnose(target, {
      dns: createDnsClient(),
      now: () => performance.now(),
      lookup: lookupSettings(config, resolver),
      limits: mailServerLimits(config),
      ...(smtp && !options.dnsOnly ? { smtp: options.fresh ? { ...smtp, fresh: true } : smtp } : {}),
      ...(https && !options.dnsOnly ? { https } : {}),
      ...(options.checks ? { checks: options.checks } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      dnsblZones: config.dnsblZones,
      clock: () => new Date(),
    });
}

/** `mailcheck watch` as the chat surfaces run it: a row in the store and a job scheduler in Redis. */
export function watchChatDeps(config: Config, store: OpenDatabase, queue: Queue<WatchJobData>): WatchChatDeps {
  return {
    store,
    schedule: (watch) => scheduleWatch(queue, watch),
    unschedule: (watchId) => unscheduleWatch(queue, watchId),
    defaultIntervalMs: config.watchIntervalMinutes * 60_000,
    clock: () => new Date(),
  };
}
