/**
 * What happens around an approved window, planned once at approval: a reminder to the owner at
 * each of the policy's lead times (only those still ahead), a notice at the start, and at the end
 * the question whether the patches went in.
 */
import type { OutageApproval } from '../patching/inventory.js';

export interface PlannedStep {
  /** The step's identity within its request: 'remind-86400000', 'start', 'end'. */
  readonly kind: string;
  readonly dueAt: number;
}

export function planOutageSteps(
  window: { readonly start: number; readonly end: number },
  approval: Pick<OutageApproval, 'remindBeforeMs'>,
  now: number,
): PlannedStep[] {
  const reminders = approval.remindBeforeMs
    .map((lead) => ({ kind: `remind-${lead}`, dueAt: window.start - lead }))
    .filter((step) => step.dueAt > now);
  return [...reminders, { kind: 'start', dueAt: window.start }, { kind: 'end', dueAt: window.end }].sort(
    (a, b) => a.dueAt - b.dueAt,
  );
}

export type StepKind =
  { readonly kind: 'reminder'; readonly leadMs: number } | { readonly kind: 'start' } | { readonly kind: 'end' };

export function readStepKind(kind: string): StepKind {
  if (kind === 'start' || kind === 'end') return { kind };
  const match = /^remind-(\d+)$/.exec(kind);
  if (match === null) throw new Error(`not an outage step: ${kind}`);
  return { kind: 'reminder', leadMs: Number(match[1]) };
}
