import type { Clock } from '../src/clock.js';
import { UnrecoverableError } from 'bullmq';
import type { NagNotifier } from '../src/chat/nag-notifier.js';
import { watchChangeCard } from '../src/chat/watch-cards.js';
import { parseCheckTarget, type CheckTarget } from '../src/diagnosis/check-target.js';
import type { DiagnosisReport } from '../src/diagnosis/diagnose.js';
import { diffReports, type Trend } from '../src/diagnosis/report-diff.js';
import { readWatchJobData } from '../src/queue/watch-jobs.js';
import { findCheck, recordCheck } from '../src/store/check-reports.js';
import type { OpenDatabase } from '../src/store/database.js';
import { findWatch, setLastReport } from '../src/store/mail-watches.js';

export interface MailWatchDeps {
  readonly store: OpenDatabase;
  /** The whole diagnosis, as /mailcheck runs it. */
  readonly diagnose: (target: CheckTarget) => Promise<DiagnosisReport>;
  /** One per configured platform; a watch posts through the one of its platform. */
  readonly notifiers: readonly NagNotifier[];
  /** How long check reports are kept (MXOPS_CHECK_HISTORY_DAYS). */
  readonly keepMs: number;
  /** Wall time, for when a report was taken and what is old enough to prune. */
  readonly clock: Clock;
  /** The zone the posted dates are in; UTC when absent. */
  readonly zone?: string;
  /** Removes a watch's job scheduler: a job for a watch that is gone stops its own schedule. */
  readonly unschedule?: (watchId: number) => Promise<void>;
}

/** What a run returns; BullMQ keeps it with the job, so it is small data. */
export interface WatchRunSummary {
  readonly watchId: number;
  /** The report this run stored; null when it stored none (the watch was gone). */
  readonly reportId: number | null;
  /** 'baseline' for a watch's first run (or when its last report was pruned), 'gone' for a deleted watch. */
  readonly trend: Trend | 'baseline' | 'gone';
  readonly posted: boolean;
}

/** The part of a BullMQ Job the processor reads. */
export interface WatchJob {
  readonly id?: string | undefined;
  readonly data: unknown;
}

/**
 * One run of a watch: checks the domain, stores the report, compares it with the report the watch
 * last compared against, and posts into the watch's channel only when that says worse, better or
 * both. The first run only sets the baseline: "watch started" is already said by the command, and a
 * partner that has been broken for months is not news to the channel that asked to watch it.
 */
export function createMailWatchProcessor(deps: MailWatchDeps) {
  return async (job: WatchJob): Promise<WatchRunSummary> => {
    const data = readWatchJobData(job.data);
    if (typeof data === 'string') throw new UnrecoverableError(`bad mail-watch job ${job.id ?? '?'}: ${data}`);
    // Unwatching removes the scheduler, then the row; a job already taken may still arrive, and a
    // scheduler whose removal failed would fire for ever: the first job to find the watch gone stops it.
    const watch = await findWatch(deps.store, data.watchId);
    if (!watch) {
      await deps.unschedule?.(data.watchId);
      return { watchId: data.watchId, reportId: null, trend: 'gone', posted: false };
    }
    // Checked before the diagnosis: a retry cannot configure a platform, and a run it cannot post is wasted.
    const notifier = deps.notifiers.find((candidate) => candidate.platform === watch.platform);
    if (!notifier)
      throw new UnrecoverableError(
        `watch ${watch.id} of ${watch.domain} posts to ${watch.platform}, which is not configured here`,
      );

    const report = await deps.diagnose(targetOf(watch.domain));
    // Read before recording: recording prunes old reports, and a watch whose worker was down past
    // the retention should still say what changed since, not quietly start over.
    const baseline = watch.lastReportId === null ? undefined : await findCheck(deps.store, watch.lastReportId);
    const at = new Date(deps.clock.wallMs());
    const reportId = await recordCheck(deps.store, report, { source: 'watch', at, keepMs: deps.keepMs });
    if (!baseline) {
      await setLastReport(deps.store, watch.id, reportId);
      return { watchId: watch.id, reportId, trend: 'baseline', posted: false };
    }
    const diff = diffReports(baseline.report, report);
    const posted = diff.trend !== 'same';
    if (posted) {
      const card = watchChangeCard(watch.domain, diff, baseline, { id: reportId, checkedAt: at }, deps.zone);
      await notifier.startThread(watch.conversation, card, `watch-${watch.id}-${reportId}`);
    }
    // After the post, so a run that dies in between posts on retry rather than never (a retry
    // diffs against the same baseline); the cost is a rare second post of the same change.
    await setLastReport(deps.store, watch.id, reportId);
    return { watchId: watch.id, reportId, trend: diff.trend, posted };
  };
}

/** The command checked the domain when the watch was made; one that no longer parses never will. */
function targetOf(domain: string): CheckTarget {
  try {
    return parseCheckTarget(domain);
  } catch (error) {
    throw new UnrecoverableError(
      `the watched domain ${JSON.stringify(domain)} cannot be checked: ${(error as Error).message}`,
    );
  }
}
