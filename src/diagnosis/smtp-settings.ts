/**
 * How a run talks SMTP. Apart from smtp-sessions.ts, which reads it from the CheckContext, so that
 * check.ts names it without importing the sessions that import check.ts.
 */
import type { SmtpProbeRequest, SmtpProber } from './smtp-port.js';

/** A follow-up probe scheduled for later, and how to read its result. */
export interface ScheduledFollowUp {
  readonly id: string;
  /** ISO 8601. */
  readonly dueAt: string;
}

/**
 * Schedules the same probe again later, for a greylisting 4xx: senders that retry get through
 * after the delay, and the follow-up shows whether this one would. The queue adapter implements
 * it with a delayed job; a run without a queue has none.
 */
export interface FollowUpScheduler {
  schedule(request: SmtpProbeRequest, delayMs: number): Promise<ScheduledFollowUp>;
}

/** How this run talks SMTP; absent for a DNS-only run. */
export interface SmtpSettings {
  readonly prober: SmtpProber;
  /** 25, except for test beds. */
  readonly port: number;
  readonly heloName: string;
  readonly followUps?: { readonly scheduler: FollowUpScheduler; readonly delayMs: number };
  /** Probe afresh, past any cache of recent results (Re-check). */
  readonly fresh?: boolean;
}
