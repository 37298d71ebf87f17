/**
 * A Card form as a Slack modal (views.open), and back: the modal's private_metadata says which
 * button on which message it answers, and view_submission's state holds the inputs by field id.
 * Pure functions, with golden tests like render-blocks.ts.
 */
import type { types } from '@slack/bolt';
import { FORM_INPUT_MAX_CHARS } from '../action-forms.js';
import { isActionId, type ActionId } from '../action-ids.js';
import type { CardForm } from '../card.js';
import { fitPlain } from './block-kit-limits.js';

/** Every form modal's callback_id: the submission handler tells forms apart by the metadata. */
export const FORM_CALLBACK_ID = 'mxops.form';

/** docs.slack.dev, "Modals" view object and input block reference. */
export const MODAL_LIMITS = {
  titleText: 24,
  buttonText: 24,
  labelText: 2000,
  placeholderText: 150,
  blockId: 255,
  privateMetadata: 3000,
  blocks: 100,
} as const;

/** Which click the modal answers: plain ids, never a token (private_metadata comes back from the client). */
export interface FormOrigin {
  readonly actionId: ActionId;
  readonly value: string;
  readonly channel: string;
  /** The clicked message's ts. */
  readonly message: string;
  /** The ts of the thread the clicked message is a reply in, if it is one. */
  readonly thread?: string;
}

export function renderFormModal(form: CardForm, origin: FormOrigin): types.ModalView {
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    title: { type: 'plain_text', text: fitPlain(form.title, MODAL_LIMITS.titleText) },
    submit: { type: 'plain_text', text: fitPlain(form.submitLabel, MODAL_LIMITS.buttonText) },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: formMetadata(origin),
    blocks: form.fields.slice(0, MODAL_LIMITS.blocks).map((field): types.InputBlock => ({
      type: 'input',
      // The block id is where response_action "errors" puts a message: the field's id.
      block_id: field.id.slice(0, MODAL_LIMITS.blockId),
      optional: !field.required,
      label: { type: 'plain_text', text: fitPlain(field.label, MODAL_LIMITS.labelText) },
      element: {
        type: 'plain_text_input',
        action_id: field.id,
        max_length: FORM_INPUT_MAX_CHARS,
        ...(field.multiline ? { multiline: true } : {}),
        ...(field.placeholder !== undefined
          ? {
              placeholder: {
                type: 'plain_text' as const,
                text: fitPlain(field.placeholder, MODAL_LIMITS.placeholderText),
              },
            }
          : {}),
      },
    })),
  };
}

export function formMetadata(origin: FormOrigin): string {
  const text = JSON.stringify({
    a: origin.actionId,
    v: origin.value,
    c: origin.channel,
    m: origin.message,
    ...(origin.thread !== undefined ? { t: origin.thread } : {}),
  });
  // Button values are at most 2000 characters and ours are record ids; this cannot be reached.
  if (text.length > MODAL_LIMITS.privateMetadata)
    throw new Error(`form metadata of ${text.length} characters is over Slack's ${MODAL_LIMITS.privateMetadata}`);
  return text;
}

export function readFormMetadata(text: string): FormOrigin | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { a, v, c, m, t } = parsed as Record<string, unknown>;
  if (
    typeof a !== 'string' ||
    !isActionId(a) ||
    typeof v !== 'string' ||
    typeof c !== 'string' ||
    typeof m !== 'string'
  )
    return undefined;
  return { actionId: a, value: v, channel: c, message: m, ...(typeof t === 'string' ? { thread: t } : {}) };
}

/** view.state.values is { [block_id]: { [action_id]: { value } } }; an empty input has value null. */
export function readFormValues(
  values: Readonly<Record<string, Readonly<Record<string, { readonly value?: string | null }>>>>,
): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [blockId, elements] of Object.entries(values)) {
    const value = elements[blockId]?.value;
    if (typeof value === 'string') inputs[blockId] = value;
  }
  return inputs;
}
