/**
 * Cards of risk acceptance: the request in front of the risk approvers (with Approve and Reject),
 * and the decision that replaces it, with no live buttons left on a decided request.
 */
import type { Person } from '../patching/inventory.js';
import type { RiskAcceptance } from '../patching/risk-acceptance.js';
import { formFor } from './action-forms.js';
import { ACTION_IDS } from './action-ids.js';
import type { Card, CardBlock, CardForm } from './card.js';
import { describeTime, type Reading } from './patch-text.js';

function facts(acceptance: RiskAcceptance, reading: Reading): CardBlock {
  return {
    kind: 'facts',
    facts: [
      { label: 'System', value: acceptance.system },
      { label: 'Patch', value: acceptance.patch },
      { label: 'Asked by', value: acceptance.requestedBy },
      { label: 'Reason', value: acceptance.reason },
      {
        label: 'Compensating controls',
        value: acceptance.controls.length > 0 ? acceptance.controls.join('; ') : 'none given',
      },
      { label: 'Until', value: describeTime(acceptance.expiresAt, reading) },
    ],
  };
}

export function riskRequestCard(acceptance: RiskAcceptance, approvers: readonly Person[], reading: Reading): Card {
  const headline = `Accept the risk of not patching ${acceptance.patch} on ${acceptance.system}?`;
  return {
    summary: headline,
    blocks: [
      { kind: 'header', text: headline },
      facts(acceptance, reading),
      {
        kind: 'text',
        text: `While accepted, nobody is nagged about this patch; when it expires, escalation resumes where it stopped. Risk approvers: ${approvers.map((person) => person.name).join(', ')}.`,
        emphasis: 'subtle',
      },
      {
        kind: 'actions',
        actions: [
          {
            id: ACTION_IDS.riskApprove,
            label: 'Approve',
            value: String(acceptance.id),
            style: 'primary',
            typed: `patch approve ${acceptance.id}`,
          },
          {
            id: ACTION_IDS.riskReject,
            label: 'Reject',
            value: String(acceptance.id),
            style: 'danger',
            typed: `patch reject ${acceptance.id} --reason <why>`,
            ...rejectForm(),
          },
        ],
      },
    ],
  };
}

function rejectForm(): { form?: CardForm } {
  const form = formFor(ACTION_IDS.riskReject);
  return form ? { form } : {};
}

export function riskDecisionCard(
  acceptance: RiskAcceptance,
  decider: string,
  reading: Reading,
  comment?: string,
): Card {
  const verdict = acceptance.status === 'approved' ? 'accepted' : 'not accepted';
  const headline = `Risk ${verdict}: ${acceptance.patch} on ${acceptance.system}`;
  return {
    summary: headline,
    blocks: [
      { kind: 'header', text: headline },
      facts(acceptance, reading),
      {
        kind: 'text',
        text:
          acceptance.status === 'approved'
            ? `Approved by ${decider}. Nagging pauses until ${describeTime(acceptance.expiresAt, reading)}, then resumes at the level it had reached.`
            : `Rejected by ${decider}${comment ? `: ${comment}` : ''}. Escalation goes on.`,
      },
    ],
  };
}

/** `patch risks`: requests waiting for a decision and acceptances in force. */
export function risksCard(acceptances: readonly RiskAcceptance[], reading: Reading): Card {
  if (acceptances.length === 0)
    return {
      summary: 'No risk is accepted or waiting for a decision.',
      blocks: [
        { kind: 'header', text: 'Risk acceptances' },
        { kind: 'text', text: 'No risk is accepted or waiting for a decision.' },
      ],
    };
  const line = (acceptance: RiskAcceptance): CardBlock => ({
    kind: 'text',
    text: `#${acceptance.id} ${acceptance.system} ${acceptance.patch}: ${acceptance.status === 'pending' ? 'waiting for a decision' : `accepted by ${acceptance.decidedBy ?? '?'}`}, until ${describeTime(acceptance.expiresAt, reading)}; asked by ${acceptance.requestedBy}: ${acceptance.reason}`,
  });
  return {
    summary: `${acceptances.length} risk acceptance(s)`,
    blocks: [{ kind: 'header', text: 'Risk acceptances' }, ...acceptances.map(line)],
  };
}

/**
 * After a denied outage window: the denier may accept the risk of not patching instead, with an
 * expiry. One Accept risk button per open patch (each asks until when, why, and the controls).
 */
export function riskOfferCard(system: string, patches: readonly { readonly id: number; readonly key: string }[]): Card {
  const headline = `Not now on ${system}: accept the risk instead?`;
  return {
    summary: headline,
    blocks: [
      { kind: 'header', text: headline },
      {
        kind: 'text',
        text: 'The window was denied, so the patches stay open and escalation goes on. If they cannot be applied for a while, accepting the risk puts that decision on record, with a reason, compensating controls and an expiry, and pauses the nagging until then.',
      },
      {
        kind: 'actions',
        actions: patches.map((patch) => {
          const form = formFor(ACTION_IDS.patchAcceptRisk);
          const named = `${system} ${/\s/.test(patch.key) ? `"${patch.key}"` : patch.key}`;
          return {
            id: ACTION_IDS.patchAcceptRisk,
            label: `Accept risk: ${patch.key}`.slice(0, 60),
            value: String(patch.id),
            typed: `patch accept-risk ${named} --until <date or duration> --reason <why>`,
            ...(form ? { form } : {}),
          };
        }),
      },
    ],
  };
}
