/**
 * "Too important to patch", on the record: someone in the owner's chain (or a risk approver, or an
 * outage approver who denied a window) asks to accept the risk of an open patch, with a reason,
 * compensating controls and an expiry; a risk approver of the system's policy other than the one
 * who asked decides (four eyes). These are the rules; store/risk-acceptances.ts keeps the record.
 */
import { AppError } from '../errors.js';
import type { EscalationPolicy, Person, System } from './inventory.js';
import type { StoredPatch } from './stored-patch.js';

/** An acceptance longer than this is a decision to never patch: it must be renewed, and seen again. */
export const MAX_RISK_ACCEPTANCE_MS = 365 * 86_400_000;

export interface RiskAcceptance {
  readonly id: number;
  readonly patchId: number;
  readonly system: string;
  readonly patch: string;
  readonly requestedBy: string;
  readonly reason: string;
  readonly controls: readonly string[];
  readonly expiresAt: number;
  readonly status: 'pending' | 'approved' | 'rejected' | 'expired';
  readonly decidedBy: string | undefined;
  readonly decidedAt: number | undefined;
  readonly createdAt: number;
}

export interface RiskTerms {
  readonly reason: string;
  readonly expiresAt: number;
  readonly now: number;
}

/** Checked before anything is read: a reason, and an expiry in the future at most a year away. */
export function checkRiskTerms(terms: RiskTerms): void {
  if (terms.reason.trim() === '')
    throw new AppError('BAD_INPUT', 'accepting a risk needs a reason: why can this patch not be applied?');
  if (terms.expiresAt <= terms.now) throw new AppError('BAD_INPUT', 'a risk acceptance must expire in the future');
  if (terms.expiresAt - terms.now > MAX_RISK_ACCEPTANCE_MS)
    throw new AppError('BAD_INPUT', 'a risk acceptance may last at most a year; renew it when it expires');
}

/** The people, as the inventory knows them, who may ask to accept a risk on one system. */
export interface RiskAskers {
  /** The owner's management chain, owner first. */
  readonly chain: readonly Person[];
  /** The policy's risk approvers. */
  readonly approvers: readonly Person[];
  /** The policy's outage approvers: whoever denies a window is offered to accept the risk instead. */
  readonly outageApprovers: readonly Person[];
}

/** Refuses when nobody could decide, or when `person` may not ask. */
export function requireMayAskToAcceptRisk(
  system: System,
  policy: EscalationPolicy,
  askers: RiskAskers,
  person: Person | undefined,
): void {
  if (askers.approvers.length === 0)
    throw new AppError(
      'FORBIDDEN',
      `the ${policy.name} policy names no risk approvers, so no risk on ${system.name} can be accepted: add riskApprovers to the policy`,
    );
  const mayAsk = [...askers.chain, ...askers.approvers, ...askers.outageApprovers];
  if (!isOneOf(person, mayAsk)) {
    throw new AppError(
      'FORBIDDEN',
      `only the owner of ${system.name}, their management chain, the risk approvers and the outage approvers may ask to accept a risk: ${names(mayAsk)}`,
    );
  }
}

/** One patch has one acceptance pending or in force at a time: a second would hide the first. */
export function refuseRiskAlreadyAsked(
  system: System,
  patches: readonly StoredPatch[],
  pendingOrAccepted: ReadonlySet<number>,
): void {
  const taken = patches.filter((patch) => pendingOrAccepted.has(patch.id)).map((patch) => patch.key);
  if (taken.length > 0)
    throw new AppError(
      'CONFLICT',
      `a risk acceptance is already pending or in force for ${taken.join(', ')} on ${system.name}`,
    );
}

export interface RiskVerdict {
  readonly decider: Person | undefined;
  readonly decision: 'approve' | 'reject';
  readonly now: number;
}

/**
 * What a risk approver's decision makes of a pending acceptance. The first valid decision wins;
 * anyone after is told who decided. `approvers`: the policy's risk approvers the inventory knows.
 */
export function riskAcceptanceDecision(
  acceptance: RiskAcceptance,
  verdict: RiskVerdict,
  policy: EscalationPolicy,
  approvers: readonly Person[],
): { readonly status: 'approved' | 'rejected'; readonly decidedBy: string } {
  const { decider } = verdict;
  if (decider === undefined || !isOneOf(decider, approvers))
    throw new AppError(
      'FORBIDDEN',
      `only the risk approvers of the ${policy.name} policy may decide: ${names(approvers) || 'none are configured'}`,
    );
  if (decider.handle === acceptance.requestedBy)
    throw new AppError('FORBIDDEN', 'you asked for this risk acceptance, so another risk approver must decide it');
  if (acceptance.status !== 'pending')
    throw new AppError(
      'CONFLICT',
      `this risk acceptance was already ${acceptance.status}${acceptance.decidedBy ? ` by ${acceptance.decidedBy}` : ''}`,
    );
  if (verdict.decision === 'approve' && acceptance.expiresAt <= verdict.now)
    throw new AppError('CONFLICT', 'this risk acceptance expired before it was approved; ask again with a new expiry');
  return { status: verdict.decision === 'approve' ? 'approved' : 'rejected', decidedBy: decider.handle };
}

function isOneOf(person: Person | undefined, people: readonly Person[]): boolean {
  return person !== undefined && people.some((candidate) => candidate.handle === person.handle);
}

function names(people: readonly Person[]): string {
  return [...new Set(people.map((person) => person.name))].join(', ');
}
