/**
 * An outage request with what a card about it shows: its system, its policy's approval rules, the
 * people named on it and the patches the window would apply.
 */
import type { OutageApproval, Person, System } from '../patching/inventory.js';
import type { StoredPatch } from '../patching/stored-patch.js';
import type { OutageRequest } from './outage-record.js';

export interface OutageView {
  readonly request: OutageRequest;
  readonly system: System;
  readonly approval: OutageApproval;
  /** The policy's approvers the inventory knows, in the policy's order. */
  readonly approvers: readonly Person[];
  readonly requester: Person | undefined;
  /** Open patches the window would apply: those overdue when it was asked for, or overdue now. */
  readonly patches: readonly StoredPatch[];
}
