/**
 * Block Kit's size limits (docs.slack.dev, Block Kit reference). Slack rejects a whole message
 * (`invalid_blocks`, `msg_blocks_too_long`) when one part is over, so the renderer cuts text and
 * drops blocks instead, always saying so and pointing to the thread where the full text goes.
 */
import type { types } from '@slack/bolt';
import { safePrefix } from './mrkdwn.js';

export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  contextText: 3000,
  headerText: 150,
  fieldsPerSection: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  elementsPerActions: 25,
  /** chat.postMessage truncates `text` beyond this. */
  fallbackText: 40_000,
  /**
   * Not documented: Slack answers `msg_blocks_too_long` once the blocks add up to about 13,000
   * characters including their JSON framing (slackapi/bolt-js#2509, #2867), far below 50 full
   * sections. Measured as JSON length, with a margin.
   */
  blocksJson: 12_000,
} as const;

export const CUT_NOTE = '… (cut here: the full text is in the thread)';

/** `wrap(text)` within `max` characters, cutting `text` (never the wrapping) and saying where. */
export function fitWrapped(text: string, wrap: (inner: string) => string, max: number): string {
  const whole = wrap(text);
  if (whole.length <= max) return whole;
  let budget = max - CUT_NOTE.length - 1 - (whole.length - text.length);
  for (;;) {
    const candidate = `${wrap(safePrefix(text, budget).trimEnd())}\n${CUT_NOTE}`;
    if (candidate.length <= max) return candidate;
    // The wrapping can be longer than the limit on its own (a huge label): cut whatever is left.
    if (budget <= 0) return safePrefix(candidate, max);
    budget -= candidate.length - max;
  }
}

/** Plain text that must stay one short line (headers, button labels): cut with an ellipsis. */
export function fitPlain(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${safePrefix(line, max - 1).trimEnd()}…`;
}

function jsonLength(blocks: readonly types.KnownBlock[]): number {
  return JSON.stringify(blocks).length;
}

function droppedNotice(count: number): types.ContextBlock {
  const text = `… ${count} more part${count === 1 ? '' : 's'} not shown here: the full report is in the thread.`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/**
 * Keeps the message within the block count and total size: blocks are kept in order until the
 * next would not fit, then a notice says how many were left out. A closing actions block is kept
 * whatever happens, because the buttons are how the user acts on the card.
 */
export function fitMessage(blocks: readonly types.KnownBlock[]): types.KnownBlock[] {
  if (blocks.length <= BLOCK_KIT_LIMITS.blocksPerMessage && jsonLength(blocks) <= BLOCK_KIT_LIMITS.blocksJson)
    return [...blocks];
  const last = blocks.at(-1);
  const tail = last?.type === 'actions' ? [last] : [];
  const body = blocks.slice(0, blocks.length - tail.length);
  const kept: types.KnownBlock[] = [];
  for (const block of body) {
    const trial = [...kept, block, droppedNotice(body.length - kept.length - 1), ...tail];
    if (trial.length > BLOCK_KIT_LIMITS.blocksPerMessage || jsonLength(trial) > BLOCK_KIT_LIMITS.blocksJson) break;
    kept.push(block);
  }
  return [...kept, droppedNotice(body.length - kept.length), ...tail];
}
