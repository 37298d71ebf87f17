import type { DiagnosisProgress, DiagnosisReport } from '../diagnosis/diagnose.js';

export type ProgressListener = (progress: DiagnosisProgress) => void;
type Listener = ProgressListener;

export interface JoinedCheck {
  readonly report: Promise<DiagnosisReport>;
  /** True when another request's run answers this one. */
  readonly joined: boolean;
}

/**
 * Where a check of a target runs once for everyone asking: in this process (RunningChecks) or
 * across the bot's replicas (src/queue/redis-shared-checks.ts).
 */
export interface CheckRegistry {
  join(
    key: string,
    start: (onProgress: ProgressListener) => Promise<DiagnosisReport>,
    listener: ProgressListener,
    options?: { fresh?: boolean },
  ): JoinedCheck | Promise<JoinedCheck>;
}

interface Entry {
  readonly listeners: Set<Listener>;
  report: Promise<DiagnosisReport> | undefined;
  last: DiagnosisProgress | undefined;
  finished: boolean;
}

/**
 * Checks in flight in this process, so a second /mailcheck of the same target joins the first
 * instead of probing twice: both messages follow the same progress and get the same report.
 * (Across bot replicas each runs its own; the SMTP probes still meet in the queue's dedupe.)
 */
export class RunningChecks implements CheckRegistry {
  private readonly entries = new Map<string, Entry>();

  /**
   * @param rejoinMs How long a finished check still answers a new request for the same target: a
   *   burst of the same /mailcheck (a whole channel typing it) shares one run instead of probing
   *   the partner again and again. A Re-check asks for a fresh run and never gets it.
   */
  constructor(private readonly rejoinMs = 0) {}

  /** Runs `start` unless the same key is running (or just finished, unless `fresh`); either way `listener` hears its progress. */
  join(
    key: string,
    start: (onProgress: Listener) => Promise<DiagnosisReport>,
    listener: Listener,
    options: { fresh?: boolean } = {},
  ): JoinedCheck {
    const existing = this.entries.get(key);
    if (existing?.report && !(options.fresh && existing.finished)) {
      existing.listeners.add(listener);
      if (existing.last) listener(existing.last);
      return { report: existing.report, joined: true };
    }
    const listeners = new Set<Listener>([listener]);
    // The entry exists before `start` runs, since a run may report progress before it first waits.
    const entry: Entry = { listeners, report: undefined, last: undefined, finished: false };
    this.entries.set(key, entry);
    const forget = (): void => void (this.entries.get(key) === entry && this.entries.delete(key));
    entry.report = start((progress) => {
      entry.last = progress;
      for (const l of listeners) l(progress);
    }).then(
      (report) => {
        entry.finished = true;
        if (this.rejoinMs > 0) setTimeout(forget, this.rejoinMs).unref();
        else forget();
        return report;
      },
      (error: unknown) => {
        // A failed run is never handed to anyone else.
        forget();
        throw error;
      },
    );
    return { report: entry.report, joined: false };
  }

  /** Whether this process runs (or just ran) the check of `key`. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Checks running or recently finished. */
  get size(): number {
    return this.entries.size;
  }
}
