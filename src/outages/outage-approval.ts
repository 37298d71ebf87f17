/**
 * Deciding an outage request (ServiceNow-style change approval, DOMAIN.md section 4): only the
 * policy's approvers decide; a requester counts towards their own request only where the policy
 * says so; approval needs `quorum` distinct approvers, while one denial or one proposal of another
 * time decides at once. A decided or expired request takes no more votes.
 */
import { AppError } from '../errors.js';
import type { OutageApproval } from '../patching/inventory.js';

/** After 'approved', the owner's answer at the window's end: 'patched' or 'not-done'. */
export type OutageStatus = 'pending' | 'approved' | 'denied' | 'rescheduled' | 'expired' | 'patched' | 'not-done';

export type Vote =
  | { readonly approver: string; readonly decision: 'approve' }
  | { readonly approver: string; readonly decision: 'deny'; readonly reason: string }
  | { readonly approver: string; readonly decision: 'propose'; readonly start: number };

export interface PendingRequest {
  readonly requestedBy: string;
  readonly status: OutageStatus;
  readonly expiresAt: number;
  /** Approvals already counted. */
  readonly approvals: readonly string[];
}

export type VoteOutcome =
  | { readonly status: 'pending'; readonly approvals: readonly string[]; readonly needed: number }
  | { readonly status: 'approved'; readonly approvals: readonly string[] }
  | { readonly status: 'denied'; readonly reason: string }
  | { readonly status: 'rescheduled'; readonly start: number };

export function castVote(request: PendingRequest, vote: Vote, approval: OutageApproval, now: number): VoteOutcome {
  if (!approval.approvers.includes(vote.approver)) {
    throw new AppError(
      'FORBIDDEN',
      `only the outage approvers decide this request: ${approval.approvers.join(', ') || 'none are configured (add outage.approvers to the policy)'}`,
    );
  }
  if (request.status !== 'pending') throw new AppError('CONFLICT', `this request is already ${request.status}`);
  if (now >= request.expiresAt) throw new AppError('CONFLICT', 'this request expired without a decision; ask again');
  if (vote.approver === request.requestedBy && !approval.selfApproval) {
    throw new AppError(
      'FORBIDDEN',
      'you asked for this window; another approver must decide (the policy does not allow self-approval)',
    );
  }
  switch (vote.decision) {
    case 'deny':
      if (vote.reason.trim() === '')
        throw new AppError('BAD_INPUT', 'a denial needs a reason: the owner and the next escalation level are told it');
      return { status: 'denied', reason: vote.reason.trim() };
    case 'propose':
      if (vote.start <= now) throw new AppError('BAD_INPUT', 'propose a time in the future');
      return { status: 'rescheduled', start: vote.start };
    case 'approve': {
      if (request.approvals.includes(vote.approver))
        throw new AppError('CONFLICT', 'you already approved this request; it waits for other approvers');
      const approvals = [...request.approvals, vote.approver];
      // An approver who is also the requester counts only under selfApproval (checked above).
      return approvals.length >= approval.quorum
        ? { status: 'approved', approvals }
        : { status: 'pending', approvals, needed: approval.quorum - approvals.length };
    }
  }
}
