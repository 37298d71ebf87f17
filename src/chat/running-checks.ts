import type { DiagnosisProgress, DiagnosisReport } from '../diagnosis/diagnose.js';

type Listener = (progress: DiagnosisProgress) => void;

interface Running {
  readonly listeners: Set<Listener>;
  readonly report: Promise<DiagnosisReport>;
  last: DiagnosisProgress | undefined;
}

/**
 * Checks in flight in this process, so a second /mailcheck of the same target joins the first
 * instead of probing twice: both messages follow the same progress and get the same report.
 * (Across bot replicas each runs its own; the SMTP probes still meet in the queue's dedupe.)
 */
export class RunningChecks {
  private readonly running = new Map<string, Running>();

  /** Runs `start` unless the same key is running; either way `listener` hears its progress. */
  join(key: string, start: (onProgress: Listener) => Promise<DiagnosisReport>, listener: Listener): { report: Promise<DiagnosisReport>; joined: boolean } {
    const existing = this.running.get(key);
    if (existing) {
      existing.listeners.add(listener);
      if (existing.last) listener(existing.last);
      return { report: existing.report, joined: true };
    }
    const listeners = new Set<Listener>([listener]);
    // The entry exists before `start` runs, since a run may report progress before it first waits.
    const entry: { listeners: Set<Listener>; report: Promise<DiagnosisReport> | undefined; last: DiagnosisProgress | undefined } = { listeners, report: undefined, last: undefined };
    this.running.set(key, entry as Running);
    entry.report = start((progress) => {
      entry.last = progress;
      for (const l of listeners) l(progress);
    }).finally(() => this.running.delete(key));
    return { report: entry.report, joined: false };
  }

  get size(): number {
    return this.running.size;
  }
}
