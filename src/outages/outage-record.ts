/** An outage-window request as it is recorded: what was asked, by whom, and where it stands. */
import type { OutageStatus } from './outage-approval.js';

export interface OutageRequest {
  readonly id: number;
  readonly system: string;
  readonly start: number;
  readonly end: number;
  readonly reason: string;
  readonly requestedBy: string;
  readonly status: OutageStatus;
  readonly approvals: readonly string[];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly decidedBy: string | undefined;
  readonly decidedAt: number | undefined;
  readonly decisionNote: string | undefined;
  readonly proposedStart: number | undefined;
  /** Keys of the overdue patches the window was asked for. */
  readonly patches: readonly string[];
}
