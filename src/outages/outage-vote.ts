/**
 * One approver's vote on an outage request, and everything it settles: whether the voter may vote
 * at all (castVote, outage-approval.ts), the request's new standing, the follow-through an approval
 * plans (outage-steps.ts), and, for a denial, the overdue patches escalated at once (DOMAIN.md
 * section 4: a denied window is not the end of it). store/outage-requests.ts records the result.
 */
import { AppError } from '../errors.js';
import { escalateForDenial, type EscalationState, type PlannedNag } from '../patching/escalation.js';
import type { EscalationPolicy, OutageApproval, Person } from '../patching/inventory.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import { castVote, type Vote, type VoteOutcome } from './outage-approval.js';
import type { OutageRequest } from './outage-record.js';
import { planOutageSteps, type PlannedStep } from './outage-steps.js';

export interface OutageBallot {
  /** The voter as the inventory knows them; undefined when their chat identity is unknown. */
  readonly person: Person | undefined;
  /** How the voter appears otherwise (slack:U123...). */
  readonly identity: string;
  readonly vote: Vote['decision'];
  /** Why, for a denial. */
  readonly reason?: string;
  /** When instead, for a proposal. */
  readonly proposedStart?: number;
}

export interface OutageVoteState {
  readonly request: OutageRequest;
  readonly policy: EscalationPolicy;
  /** The policy's outage rules (its `outage`, or the defaults). */
  readonly approval: OutageApproval;
  /** The open patches the window was asked for: a denial escalates them. */
  readonly patches: readonly StoredPatch[];
}

export interface DeniedPatchEscalation {
  readonly patch: StoredPatch;
  readonly state: EscalationState;
  readonly nag: PlannedNag;
}

export interface OutageVoteDecision {
  readonly outcome: VoteOutcome;
  /** The approvals counted after the vote (a denial or a proposal leaves them as they were). */
  readonly approvals: readonly string[];
  /** The voter's handle; recorded as the decider when the vote settled the request. */
  readonly voter: string;
  /** Whether the request is decided now (anything but an approval short of the quorum). */
  readonly decided: boolean;
  /** Approved: the reminders, start notice and end question to plan. */
  readonly steps: readonly PlannedStep[];
  /** Denied: each overdue patch's escalation one level up, with the nag that says so. */
  readonly escalations: readonly DeniedPatchEscalation[];
}

export function decideOutageVote(state: OutageVoteState, ballot: OutageBallot, now: number): OutageVoteDecision {
  const { request, approval } = state;
  if (ballot.person === undefined)
    throw new AppError(
      'FORBIDDEN',
      `you (${ballot.identity}) are not in the inventory; the outage approvers are: ${approval.approvers.join(', ')}`,
    );
  const voter = ballot.person.handle;
  const vote: Vote =
    ballot.vote === 'deny'
      ? { approver: voter, decision: 'deny', reason: ballot.reason ?? '' }
      : ballot.vote === 'propose'
        ? { approver: voter, decision: 'propose', start: ballot.proposedStart ?? 0 }
        : { approver: voter, decision: 'approve' };
  const outcome = castVote(request, vote, approval, now);
  return {
    outcome,
    approvals: 'approvals' in outcome ? outcome.approvals : request.approvals,
    voter,
    decided: outcome.status !== 'pending',
    steps:
      outcome.status === 'approved' ? planOutageSteps({ start: request.start, end: request.end }, approval, now) : [],
    escalations: outcome.status === 'denied' ? escalateDeniedPatches(state.patches, state.policy, now) : [],
  };
}

/** Patches not overdue yet, applied, or with their risk accepted are left alone (escalateForDenial). */
function escalateDeniedPatches(
  patches: readonly StoredPatch[],
  policy: EscalationPolicy,
  now: number,
): DeniedPatchEscalation[] {
  return patches.flatMap((patch) => {
    const escalated = escalateForDenial(patch.escalation, patch, policy, now);
    return escalated === undefined ? [] : [{ patch, ...escalated }];
  });
}
