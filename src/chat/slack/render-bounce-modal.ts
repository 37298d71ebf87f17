/**
 * The modal `/mailcheck bounce` opens: a slash command's text is one line, and a bounce is many.
 * Slack caps a plain_text_input at 3,000 characters, enough for a report's failed address, its
 * reason and the returned headers (the body of the returned message is not needed).
 */
import type { types } from '@slack/bolt';

export const BOUNCE_CALLBACK_ID = 'mxops.bounce';
const BLOCK_ID = 'bounce';
const ACTION_ID = 'text';

/** docs.slack.dev, plain_text_input: max_length may be at most 3000. */
export const BOUNCE_MODAL_MAX_CHARS = 3_000;

export function renderBounceModal(channel: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: BOUNCE_CALLBACK_ID,
    title: { type: 'plain_text', text: 'Read a bounce' },
    submit: { type: 'plain_text', text: 'Read and check' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ c: channel }),
    blocks: [
      {
        type: 'input',
        block_id: BLOCK_ID,
        label: { type: 'plain_text', text: 'The bounce, the message headers, or the MTA log lines' },
        hint: {
          type: 'plain_text',
          text: 'From the top of the report through the headers of the returned message; the body is not needed. Too long for this box? Share the saved bounce in the channel with the message "@mxops bounce".',
        },
        element: {
          type: 'plain_text_input',
          action_id: ACTION_ID,
          multiline: true,
          max_length: BOUNCE_MODAL_MAX_CHARS,
        },
      },
    ],
  };
}

/** The channel the modal was opened from and the pasted text; undefined for a submission that is not ours. */
export function readBounceSubmission(
  privateMetadata: string,
  values: Record<string, Record<string, { value?: string | null }>>,
): { channel: string; text: string } | undefined {
  let channel: unknown;
  try {
    channel = (JSON.parse(privateMetadata) as { c?: unknown }).c;
  } catch {
    return undefined;
  }
  const text = values[BLOCK_ID]?.[ACTION_ID]?.value;
  return typeof channel === 'string' && typeof text === 'string' ? { channel, text } : undefined;
}
