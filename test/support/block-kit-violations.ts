/**
 * Block Kit's limits (src/chat/slack/block-kit-limits.ts) checked on a rendered message: Slack
 * refuses the whole message when one part is over, so a card that fits only by luck is a bug.
 */
import { BLOCK_KIT_LIMITS as LIMITS } from '../../src/chat/slack/block-kit-limits.js';
import type { SlackMessage } from '../../src/chat/slack/render-blocks.js';

interface TextObject {
  readonly type: string;
  readonly text: string;
}

/** What is over a limit or empty, one line each; empty when the message fits. */
export function blockKitViolations(message: SlackMessage): string[] {
  const found: string[] = [];
  const check = (what: string, text: string, max: number): void => {
    if (text.length > max) found.push(`${what}: ${text.length} > ${max} characters`);
    if (text.trim() === '') found.push(`${what}: empty`);
  };
  check('text', message.text, LIMITS.fallbackText);
  if (message.blocks.length > LIMITS.blocksPerMessage)
    found.push(`${message.blocks.length} blocks > ${LIMITS.blocksPerMessage}`);
  const json = JSON.stringify(message.blocks).length;
  if (json > LIMITS.blocksJson) found.push(`blocks JSON ${json} > ${LIMITS.blocksJson}`);
  message.blocks.forEach((block, i) => {
    if (block.type === 'header') check(`header ${i}`, block.text.text, LIMITS.headerText);
    if (block.type === 'section') {
      if (block.text) check(`section ${i}`, block.text.text, LIMITS.sectionText);
      const fields = (block.fields ?? []) as TextObject[];
      if (fields.length > LIMITS.fieldsPerSection)
        found.push(`section ${i}: ${fields.length} fields > ${LIMITS.fieldsPerSection}`);
      fields.forEach((field, j) => check(`section ${i} field ${j}`, field.text, LIMITS.fieldText));
    }
    if (block.type === 'context')
      (block.elements as TextObject[]).forEach((element, j) =>
        check(`context ${i}.${j}`, element.text, LIMITS.contextText),
      );
    if (block.type === 'actions') {
      if (block.elements.length > LIMITS.elementsPerActions)
        found.push(`actions ${i}: ${block.elements.length} elements`);
      for (const element of block.elements)
        if (element.type === 'button') check(`button ${element.action_id}`, element.text.text, LIMITS.buttonText);
    }
  });
  return found;
}
