/**
 * Card -> Block Kit, as a pure function with golden tests (DESIGN.md, "One card model, two
 * renderers"). Card text is plain; here it is escaped for mrkdwn and cut to Block Kit's limits.
 */
import type { types } from '@slack/bolt';
import type { Card, CardAction, CardBlock } from '../card.js';
import { BLOCK_KIT_LIMITS as LIMITS, fitMessage, fitPlain, fitWrapped } from './block-kit-limits.js';
import { boldMrkdwn, codeBlockMrkdwn, escapeMrkdwn, safePrefix } from './mrkdwn.js';

export interface SlackMessage {
  /** Notification and screen-reader text; Slack also shows it where blocks cannot be rendered. */
  readonly text: string;
  readonly blocks: types.KnownBlock[];
}

const same = (text: string): string => text;

export function renderBlocks(card: Card): SlackMessage {
  const summary = escapeMrkdwn(card.summary.trim()) || 'mxops';
  return {
    text: safePrefix(summary, LIMITS.fallbackText),
    blocks: fitMessage(card.blocks.flatMap(renderBlock)),
  };
}

function renderBlock(block: CardBlock): types.KnownBlock[] {
  switch (block.kind) {
    case 'header': {
      const text = fitPlain(block.text, LIMITS.headerText);
      return text === '' ? [] : [{ type: 'header', text: { type: 'plain_text', text } }];
    }
    case 'text':
      return renderText(block.text, block.emphasis);
    case 'item':
      return renderItem(block.title, block.body);
    case 'facts':
      return renderFacts(block.facts);
    case 'code':
      // An empty fence would show as three stray backticks.
      return block.text.trim() === ''
        ? []
        : [section(fitWrapped(escapeMrkdwn(block.text), codeBlockMrkdwn, LIMITS.sectionText))];
    case 'divider':
      return [{ type: 'divider' }];
    case 'actions':
      return renderActions(block.actions);
  }
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function renderText(text: string, emphasis: 'strong' | 'subtle' | undefined): types.KnownBlock[] {
  const escaped = escapeMrkdwn(text.trim());
  // Slack rejects empty text objects.
  if (escaped === '') return [];
  if (emphasis === 'subtle')
    return [{ type: 'context', elements: [{ type: 'mrkdwn', text: fitWrapped(escaped, same, LIMITS.contextText) }] }];
  return [section(fitWrapped(escaped, emphasis === 'strong' ? boldMrkdwn : same, LIMITS.sectionText))];
}

/** The title in bold on its own line, the body under it: one section, so the two never part. */
function renderItem(title: string, body: string): types.KnownBlock[] {
  const heading = boldMrkdwn(escapeMrkdwn(fitPlain(title.trim(), 300)));
  const escaped = escapeMrkdwn(body.trim());
  if (escaped === '') return heading === '' ? [] : [section(heading)];
  return [
    section(
      fitWrapped(escaped, (text) => [heading, text].filter((part) => part !== '').join('\n'), LIMITS.sectionText),
    ),
  ];
}

/** Two columns of label/value fields, ten to a section (Slack's maximum). */
function renderFacts(facts: readonly { readonly label: string; readonly value: string }[]): types.SectionBlock[] {
  const fields = facts
    .filter((f) => f.label.trim() !== '' || f.value.trim() !== '')
    .map((f): types.MrkdwnElement => {
      const label = boldMrkdwn(escapeMrkdwn(fitPlain(f.label, 200)));
      return {
        type: 'mrkdwn',
        text: fitWrapped(
          escapeMrkdwn(f.value.trim()),
          (value) => [label, value].filter((part) => part !== '').join('\n'),
          LIMITS.fieldText,
        ),
      };
    });
  const sections: types.SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += LIMITS.fieldsPerSection)
    sections.push({ type: 'section', fields: fields.slice(i, i + LIMITS.fieldsPerSection) });
  return sections;
}

function renderActions(actions: readonly CardAction[]): types.ActionsBlock[] {
  const elements = actions
    // A cut value would hand back a different input on click: a button that lies is worse than none.
    .filter((a) => a.value.length <= LIMITS.buttonValue)
    .slice(0, LIMITS.elementsPerActions)
    .map((a): types.Button => ({
      type: 'button',
      action_id: a.id,
      text: { type: 'plain_text', text: fitPlain(a.label, LIMITS.buttonText) || a.id },
      ...(a.value === '' ? {} : { value: a.value }),
      ...(a.style ? { style: a.style } : {}),
    }));
  return elements.length === 0 ? [] : [{ type: 'actions', elements }];
}
