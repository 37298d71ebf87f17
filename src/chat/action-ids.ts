/**
 * Button ids, the same on every platform: Slack's action_id and Teams' Action.Execute verb.
 * They are stored in posted messages, so they are never renamed.
 */
export const ACTION_IDS = {
  mailcheckRecheck: 'mailcheck.recheck',
  mailcheckAdminNote: 'mailcheck.admin-note',
  /** On a report card; the value is the checked input, like the other two. */
  mailcheckChanges: 'mailcheck.changes',
  /** On a nag; the value is the patch id. */
  patchAck: 'patch.ack',
  patchSnooze: 'patch.snooze',
  patchDone: 'patch.done',
  patchAcceptRisk: 'patch.accept-risk',
  /** On a nag too, but an outage request: asks when, how long and why. */
  patchRequestOutage: 'patch.request-outage',
  /** On a risk acceptance request; the value is the acceptance id. */
  riskApprove: 'risk.approve',
  riskReject: 'risk.reject',
  /** On an outage-window request; the value is the request id. */
  outageApprove: 'outage.approve',
  outageDeny: 'outage.deny',
  outagePropose: 'outage.propose',
  /** On the question at the end of an approved outage window; the value is the request id. */
  outagePatched: 'outage.patched',
  outageNotDone: 'outage.not-done',
} as const;

export type ActionId = (typeof ACTION_IDS)[keyof typeof ACTION_IDS];

export function isActionId(value: string): value is ActionId {
  return (Object.values(ACTION_IDS) as string[]).includes(value);
}
