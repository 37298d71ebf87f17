/**
 * A nag as a card: the headline, then why, the risk, who is told and what happens next, and the
 * buttons to act on it. Each button carries the patch's id, Acknowledge also the nag's step (a
 * second click on the same nag is then told it was answered); the console shows the command to type.
 */
import type { NagMessage } from '../patching/nag-message.js';
import { formFor } from './action-forms.js';
import { ACTION_IDS, type ActionId } from './action-ids.js';
import type { Card, CardAction } from './card.js';

/** Which patch the nag is about: its stored id (the buttons' value), system and key (the typed commands). */
export interface NagCardPatch {
  readonly id: number;
  readonly system: string;
  readonly key: string;
}

export function nagCard(message: NagMessage, patch: NagCardPatch): Card {
  // A title as the key has spaces: quoted, it stays one word for the command parser.
  const named = `${patch.system} ${/\s/.test(patch.key) ? `"${patch.key}"` : patch.key}`;
  const button = (id: ActionId, label: string, typed: string, style?: CardAction['style']): CardAction => {
    const form = formFor(id);
    const value = id === ACTION_IDS.patchAck ? nagButtonValue(patch.id, message.step) : String(patch.id);
    return { id, label, value, typed, ...(style ? { style } : {}), ...(form ? { form } : {}) };
  };
  return {
    summary: message.headline,
    blocks: [
      { kind: 'header', text: message.headline },
      ...message.lines.map((text) => ({ kind: 'text' as const, text })),
      {
        kind: 'actions',
        actions: [
          button(ACTION_IDS.patchAck, 'Acknowledge', `patch ack ${named}`, 'primary'),
          button(ACTION_IDS.patchSnooze, 'Snooze', `patch snooze ${named} <duration> --reason <why>`),
          button(ACTION_IDS.patchDone, 'Mark patched', `patch done ${named}`),
          button(
            ACTION_IDS.patchRequestOutage,
            'Request outage window',
            `outage request ${patch.system} <when> <duration> <reason>`,
          ),
          button(
            ACTION_IDS.patchAcceptRisk,
            'Accept risk',
            `patch accept-risk ${named} --until <date or duration> --reason <why> [--controls <a; b>]`,
          ),
        ],
      },
    ],
  };
}

/** "42" (a patch), or "42:7" (nag 7 of patch 42): what Acknowledge carries. */
export function nagButtonValue(patchId: number, step: number | undefined): string {
  return step === undefined ? String(patchId) : `${patchId}:${step}`;
}

/**
 * A button's value read back; undefined when it is neither form. Values are stored in posted
 * messages, so both forms are read for as long as old nags can be clicked.
 */
export function readNagButtonValue(value: string): { readonly patchId: number; readonly step?: number } | undefined {
  const match = /^(\d{1,12})(?::(\d{1,9}))?$/.exec(value);
  if (match === null) return undefined;
  return match[2] === undefined ? { patchId: Number(match[1]) } : { patchId: Number(match[1]), step: Number(match[2]) };
}
