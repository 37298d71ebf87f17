/**
 * The buttons that ask something before they act, and what they ask. One table serves the card
 * builders (which put the form on the button for Teams to unfold) and the Slack surface (which
 * only gets the action id back on click, and opens the modal from here). Field ids are stored in
 * posted Teams cards, so they are never renamed.
 */
import { ACTION_IDS, type ActionId } from './action-ids.js';
import type { CardForm } from './card.js';

/** What one input takes on every platform: enough for a reason, bounded so a submission stays small. */
export const FORM_INPUT_MAX_CHARS = 1_000;

export const FORM_FIELDS = {
  duration: 'duration',
  reason: 'reason',
  until: 'until',
  controls: 'controls',
  when: 'when',
} as const;

const FORMS: Partial<Readonly<Record<ActionId, CardForm>>> = {
  [ACTION_IDS.patchSnooze]: {
    title: 'Snooze this patch',
    submitLabel: 'Snooze',
    fields: [
      { id: FORM_FIELDS.duration, label: 'For how long', placeholder: '3d, 36h or 1w', required: true },
      {
        id: FORM_FIELDS.reason,
        label: 'Why it can wait',
        placeholder: "Waiting for the vendor's fixed build",
        required: true,
        multiline: true,
      },
    ],
  },
  [ACTION_IDS.patchAcceptRisk]: {
    title: 'Accept the risk',
    submitLabel: 'Ask the approvers',
    fields: [
      { id: FORM_FIELDS.until, label: 'Until', placeholder: 'A date (2027-03-31) or a duration (90d)', required: true },
      { id: FORM_FIELDS.reason, label: 'Why the patch cannot be applied', required: true, multiline: true },
      {
        id: FORM_FIELDS.controls,
        label: 'Compensating controls, separated by ;',
        placeholder: 'inbound only via the relay; frozen by policy',
        required: false,
        multiline: true,
      },
    ],
  },
  [ACTION_IDS.patchRequestOutage]: {
    title: 'Request an outage window',
    submitLabel: 'Ask the approvers',
    fields: [
      {
        id: FORM_FIELDS.when,
        label: 'Start (your time zone)',
        placeholder: 'saturday 22:00 or 2026-11-28 22:00',
        required: true,
      },
      { id: FORM_FIELDS.duration, label: 'How long', placeholder: '2h, 90m or 4h', required: true },
      {
        id: FORM_FIELDS.reason,
        label: 'What the window is for',
        placeholder: 'Apply the qmail EDNS patch and restart',
        required: true,
        multiline: true,
      },
    ],
  },
  [ACTION_IDS.riskReject]: {
    title: 'Reject the request',
    submitLabel: 'Reject',
    fields: [{ id: FORM_FIELDS.reason, label: 'Why the risk cannot be accepted', required: true, multiline: true }],
  },
  [ACTION_IDS.outageDeny]: {
    title: 'Deny the outage',
    submitLabel: 'Deny',
    fields: [{ id: FORM_FIELDS.reason, label: 'Why not (the owner is told)', required: true, multiline: true }],
  },
  [ACTION_IDS.outagePropose]: {
    title: 'Propose another time',
    submitLabel: 'Propose',
    fields: [
      {
        id: FORM_FIELDS.when,
        label: 'When instead (your time zone)',
        placeholder: 'saturday 22:00, tomorrow 06:30 or 2026-11-28 22:00',
        required: true,
      },
    ],
  },
};

export function formFor(id: ActionId): CardForm | undefined {
  return FORMS[id];
}
