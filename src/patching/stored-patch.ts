/** A patch of the inventory as it lives on: the file's fields, its derived due date and its escalation. */
import type { EscalationState } from './escalation.js';
import type { Severity } from './inventory.js';

export interface StoredPatch {
  readonly id: number;
  readonly system: string;
  readonly key: string;
  readonly title: string;
  readonly advisory: string | undefined;
  readonly severity: Severity;
  readonly releasedAt: number;
  readonly dueAt: number;
  readonly dueSource: 'sla' | 'set';
  readonly status: 'open' | 'done';
  readonly doneAt: number | undefined;
  readonly doneBy: string | undefined;
  readonly escalation: EscalationState;
}
