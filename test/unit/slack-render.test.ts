import { fileURLToPath } from 'node:url';
import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import type { Card, CardBlock } from '../../src/chat/card.js';
import { reportCard, runningCard } from '../../src/chat/mailcheck-cards.js';
import { BLOCK_KIT_LIMITS, CUT_NOTE } from '../../src/chat/slack/block-kit-limits.js';
import { renderBlocks, type SlackMessage } from '../../src/chat/slack/render-blocks.js';
import { MAX_THREAD_MESSAGES, THREAD_MESSAGE_CHARS, threadMessages } from '../../src/chat/slack/thread-text.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { formFor } from '../../src/chat/action-forms.js';
import {
  FORM_CALLBACK_ID,
  MODAL_LIMITS,
  readFormMetadata,
  readFormValues,
  renderFormModal,
} from '../../src/chat/slack/render-form-modal.js';
import { sampleNagCard, sampleRiskRequestCard } from '../fixtures/golden/patch-cards.js';
import { sampleOutageDeniedCard, sampleOutageRequestCard } from '../fixtures/golden/outage-cards.js';
import { HALFWAY, sampleReport } from '../fixtures/golden/slack/sample-report.js';
import { expectGoldenJson } from '../support/golden-file.js';

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/golden/slack/', import.meta.url));

/** Compares with the stored JSON (test/support/golden-file.ts: UPDATE_GOLDEN=1 rewrites it, never in CI). */
function expectGolden(name: string, message: SlackMessage | types.ModalView): void {
  expectGoldenJson(`${GOLDEN_DIR}${name}.json`, message);
}

interface TextObject {
  readonly type: string;
  readonly text: string;
}

/** Every Block Kit limit the renderer promises, as a list of what is over (empty when all hold). */
function limitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  const over = (what: string, length: number, max: number): void => {
    if (length > max) problems.push(`${what}: ${length} > ${max}`);
    if (length === 0) problems.push(`${what}: empty`);
  };
  over('text', message.text.length, BLOCK_KIT_LIMITS.fallbackText);
  if (message.blocks.length > BLOCK_KIT_LIMITS.blocksPerMessage) problems.push(`${message.blocks.length} blocks`);
  if (JSON.stringify(message.blocks).length > BLOCK_KIT_LIMITS.blocksJson)
    problems.push(`blocks JSON ${JSON.stringify(message.blocks).length}`);
  message.blocks.forEach((block, i) => {
    if (block.type === 'header') over(`header ${i}`, block.text.text.length, BLOCK_KIT_LIMITS.headerText);
    if (block.type === 'section') {
      if (block.text) over(`section ${i}`, block.text.text.length, BLOCK_KIT_LIMITS.sectionText);
      const fields = (block.fields ?? []) as TextObject[];
      if (fields.length > BLOCK_KIT_LIMITS.fieldsPerSection) problems.push(`section ${i}: ${fields.length} fields`);
      fields.forEach((f, j) => over(`section ${i} field ${j}`, f.text.length, BLOCK_KIT_LIMITS.fieldText));
    }
    if (block.type === 'context')
      (block.elements as TextObject[]).forEach((e, j) =>
        over(`context ${i}.${j}`, e.text.length, BLOCK_KIT_LIMITS.contextText),
      );
    if (block.type === 'actions') {
      if (block.elements.length > BLOCK_KIT_LIMITS.elementsPerActions)
        problems.push(`actions ${i}: ${block.elements.length} elements`);
      for (const e of block.elements)
        if (e.type === 'button') over(`button ${e.action_id}`, e.text.text.length, BLOCK_KIT_LIMITS.buttonText);
    }
  });
  return problems;
}

/** Every mrkdwn string in the message, to check escaping. */
function mrkdwnTexts(message: SlackMessage): string[] {
  const found: string[] = [message.text];
  JSON.stringify(message.blocks, (key, value: unknown) => {
    if (typeof value === 'object' && value !== null && (value as TextObject).type === 'mrkdwn')
      found.push((value as TextObject).text);
    return value;
  });
  return found;
}

const BARE_CONTROL = /<|>|&(?!amp;|lt;|gt;)/;
const TARGET = parseCheckTarget('partner.com');

const OVERSIZED: Card = {
  summary: `partner.com: FAIL. ${'<x> '.repeat(50)}`,
  blocks: [
    { kind: 'header', text: `partner.com ${'very long header '.repeat(20)}` },
    {
      kind: 'facts',
      facts: Array.from({ length: 25 }, (_, i) => ({
        label: `family-${i}`,
        value: i === 0 ? 'v'.repeat(2_500) : `verdict ${i}`,
      })),
    },
    { kind: 'text', text: `<!channel> & ${'<bad> & '.repeat(600)}` },
    { kind: 'code', text: 'dig +noedns ANY partner.com\n'.repeat(300) },
    { kind: 'text', text: Array.from({ length: 300 }, (_, i) => `line ${i} is strong`).join('\n'), emphasis: 'strong' },
    ...Array.from({ length: 60 }, (_, i): CardBlock => ({ kind: 'text', text: `finding ${i}` })),
    {
      kind: 'actions',
      actions: Array.from({ length: 30 }, (_, i) => ({
        id: ACTION_IDS.mailcheckRecheck,
        label: `Button ${i} with a label far longer than the seventy-five characters a button can show`,
        value: 'partner.com',
      })),
    },
  ],
};

describe('renderBlocks golden files', () => {
  it.each<[string, Card]>([
    ['running-card', runningCard(TARGET, HALFWAY)],
    ['report-card', reportCard(TARGET, sampleReport(), 'partner.com')],
    ['oversized-card', OVERSIZED],
    ['nag-card', sampleNagCard()],
    ['risk-request-card', sampleRiskRequestCard()],
    ['outage-request-card', sampleOutageRequestCard()],
    ['outage-denied-card', sampleOutageDeniedCard()],
  ])('%s', (name, card) => {
    const message = renderBlocks(card);
    expectGolden(name, message);
    expect(limitViolations(message)).toEqual([]);
    for (const text of mrkdwnTexts(message)) expect(text).not.toMatch(BARE_CONTROL);
  });
});

describe('renderBlocks', () => {
  it('escapes &, < and > so text cannot mention @channel or forge a link', () => {
    const message = renderBlocks({
      summary: 'a <b> & c',
      blocks: [{ kind: 'text', text: '<!channel> <https://evil.example|click> & more' }],
    });
    expect(message.text).toBe('a &lt;b&gt; &amp; c');
    expect(message.blocks).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; more' },
      },
    ]);
  });

  it('bolds strong text line by line, shows subtle text as context, code as a fence', () => {
    const { blocks } = renderBlocks({
      summary: 's',
      blocks: [
        { kind: 'text', text: 'first line \n\nsecond', emphasis: 'strong' },
        { kind: 'text', text: 'small print', emphasis: 'subtle' },
        { kind: 'code', text: 'dig +noedns ANY partner.com @ns1' },
        { kind: 'divider' },
      ],
    });
    expect(blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*first line*\n\n*second*' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'small print' }] },
      { type: 'section', text: { type: 'mrkdwn', text: '```\ndig +noedns ANY partner.com @ns1\n```' } },
      { type: 'divider' },
    ]);
  });

  it('puts facts ten to a section, label in bold above the value', () => {
    const facts = Array.from({ length: 25 }, (_, i) => ({ label: `l${i}`, value: `v${i}` }));
    const { blocks } = renderBlocks({ summary: 's', blocks: [{ kind: 'facts', facts }] });
    expect(blocks.map((b) => (b.type === 'section' ? b.fields?.length : 0))).toEqual([10, 10, 5]);
    const first = blocks[0];
    expect(first?.type === 'section' && first.fields?.[0]).toEqual({ type: 'mrkdwn', text: '*l0*\nv0' });
  });

  it('renders buttons with the action id and the input as value', () => {
    const { blocks } = renderBlocks(reportCard(TARGET, sampleReport(), 'jane@partner.com'));
    expect(blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'mailcheck.recheck',
          text: { type: 'plain_text', text: 'Re-check' },
          value: 'jane@partner.com',
          style: 'primary',
        },
        {
          type: 'button',
          action_id: 'mailcheck.admin-note',
          text: { type: 'plain_text', text: 'Note for their admin' },
          value: 'jane@partner.com',
        },
        {
          type: 'button',
          action_id: 'mailcheck.changes',
          text: { type: 'plain_text', text: 'What changed' },
          value: 'jane@partner.com',
        },
      ],
    });
  });

  it('leaves out blocks Slack would reject as empty', () => {
    const { blocks } = renderBlocks({
      summary: '',
      blocks: [
        { kind: 'text', text: '  ' },
        { kind: 'code', text: '' },
        { kind: 'facts', facts: [] },
        { kind: 'actions', actions: [] },
        { kind: 'header', text: '' },
      ],
    });
    expect(blocks).toEqual([]);
  });

  it('cuts long text with a pointer to the thread, never inside an entity', () => {
    const { blocks } = renderBlocks({
      summary: 's',
      blocks: [
        { kind: 'text', text: '&'.repeat(4_000) },
        { kind: 'code', text: 'x'.repeat(6_000) },
      ],
    });
    const [text, code] = blocks.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : ''));
    expect(text?.length).toBeLessThanOrEqual(3_000);
    expect(text).toMatch(new RegExp(`^(&amp;)+\\n${escapeRegExp(CUT_NOTE)}$`));
    expect(code?.length).toBeLessThanOrEqual(3_000);
    expect(code).toMatch(/^```\nx+\n```\n… \(cut here/);
  });

  it('cuts a long fact value and a long header', () => {
    const { blocks } = renderBlocks({
      summary: 's',
      blocks: [
        { kind: 'header', text: 'h'.repeat(200) },
        { kind: 'facts', facts: [{ label: 'qmail', value: 'v'.repeat(2_500) }] },
      ],
    });
    expect(limitViolations({ text: 's', blocks })).toEqual([]);
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: `${'h'.repeat(149)}…` } });
    expect(blocks[1]).toMatchObject({ fields: [{ text: expect.stringMatching(/^\*qmail\*\nv+\n… \(cut here/) }] });
  });

  it('keeps at most 50 blocks, says how many were left out, and keeps the buttons', () => {
    const card: Card = {
      summary: 's',
      blocks: [
        ...Array.from({ length: 80 }, (_, i): CardBlock => ({ kind: 'text', text: `finding ${i}` })),
        { kind: 'actions', actions: [{ id: ACTION_IDS.mailcheckRecheck, label: 'Re-check', value: 'partner.com' }] },
      ],
    };
    const { blocks } = renderBlocks(card);
    expect(blocks).toHaveLength(50);
    expect(blocks[47]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'finding 47' } });
    expect(blocks[48]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '… 32 more parts not shown here: the full report is in the thread.' }],
    });
    expect(blocks[49]?.type).toBe('actions');
  });

  it('keeps the whole message under the undocumented total size (msg_blocks_too_long)', () => {
    const card: Card = {
      summary: 's',
      blocks: Array.from({ length: 10 }, (_, i): CardBlock => ({ kind: 'text', text: `${i} ${'y'.repeat(2_900)}` })),
    };
    const { blocks } = renderBlocks(card);
    expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocksJson);
    expect(blocks.length).toBeLessThan(10);
    expect(blocks.at(-1)).toMatchObject({ type: 'context' });
  });
});

describe('patch buttons in Block Kit', () => {
  it('puts five buttons on a nag, each carrying the patch id; a form does not change how the button looks', () => {
    const actions = renderBlocks(sampleNagCard()).blocks.at(-1);
    expect(actions).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.patchAck,
          text: { type: 'plain_text', text: 'Acknowledge' },
          value: '42',
          style: 'primary',
        },
        {
          type: 'button',
          action_id: ACTION_IDS.patchSnooze,
          text: { type: 'plain_text', text: 'Snooze' },
          value: '42',
        },
        {
          type: 'button',
          action_id: ACTION_IDS.patchDone,
          text: { type: 'plain_text', text: 'Mark patched' },
          value: '42',
        },
        {
          type: 'button',
          action_id: ACTION_IDS.patchRequestOutage,
          text: { type: 'plain_text', text: 'Request outage window' },
          value: '42',
        },
        {
          type: 'button',
          action_id: ACTION_IDS.patchAcceptRisk,
          text: { type: 'plain_text', text: 'Accept risk' },
          value: '42',
        },
      ],
    });
  });

  it('puts Approve and Reject on a risk request, carrying the request id', () => {
    const actions = renderBlocks(sampleRiskRequestCard()).blocks.at(-1);
    expect(actions).toMatchObject({
      type: 'actions',
      elements: [
        { action_id: ACTION_IDS.riskApprove, value: '7', style: 'primary' },
        { action_id: ACTION_IDS.riskReject, value: '7', style: 'danger' },
      ],
    });
  });
});

describe('outage request cards', () => {
  it('puts Approve, Deny and Propose another time on a request, carrying the request id; a decided one has no buttons', () => {
    const actions = renderBlocks(sampleOutageRequestCard()).blocks.at(-1);
    expect(actions).toMatchObject({
      type: 'actions',
      elements: [
        { action_id: ACTION_IDS.outageApprove, value: '12', style: 'primary' },
        { action_id: ACTION_IDS.outageDeny, value: '12', style: 'danger' },
        { action_id: ACTION_IDS.outagePropose, value: '12' },
      ],
    });
    expect(renderBlocks(sampleOutageDeniedCard()).blocks.map((block) => block.type)).not.toContain('actions');
  });

  it('golden: the Propose another time form as a modal', () => {
    const modal = renderFormModal(formFor(ACTION_IDS.outagePropose)!, {
      actionId: ACTION_IDS.outagePropose,
      value: '12',
      channel: 'D0CAROL',
      message: '1700000000.000003',
    });
    expectGolden('outage-propose-modal', modal);
    expect(readFormMetadata(modal.private_metadata ?? '')).toEqual({
      actionId: ACTION_IDS.outagePropose,
      value: '12',
      channel: 'D0CAROL',
      message: '1700000000.000003',
    });
  });
});

describe('renderFormModal', () => {
  const origin = {
    actionId: ACTION_IDS.patchAcceptRisk,
    value: '42',
    channel: 'CMAILOPS',
    message: '1700000000.000002',
    thread: '1700000000.000001',
  } as const;

  it('golden: the Accept risk form as a modal, one input block per field, the optional one marked so', () => {
    const modal = renderFormModal(formFor(ACTION_IDS.patchAcceptRisk)!, origin);
    expectGolden('accept-risk-modal', modal);
    expect(modal.callback_id).toBe(FORM_CALLBACK_ID);
    expect(modal.blocks.map((b) => [b.block_id, (b as types.InputBlock).optional])).toEqual([
      ['until', false],
      ['reason', false],
      ['controls', true],
    ]);
  });

  it('keeps to the modal limits: title and submit within 24 characters, placeholders within 150', () => {
    const modal = renderFormModal(
      {
        title: 'A title far longer than twenty-four characters',
        submitLabel: 'Submit this long request to the approvers',
        fields: [{ id: 'reason', label: 'l'.repeat(2_500), placeholder: 'p'.repeat(300), required: true }],
      },
      origin,
    );
    expect(modal.title.text.length).toBeLessThanOrEqual(MODAL_LIMITS.titleText);
    expect(modal.submit?.text.length).toBeLessThanOrEqual(MODAL_LIMITS.buttonText);
    const input = modal.blocks[0] as types.InputBlock;
    expect(input.label.text.length).toBeLessThanOrEqual(MODAL_LIMITS.labelText);
    expect(input.element.type === 'plain_text_input' && input.element.placeholder?.text.length).toBeLessThanOrEqual(
      MODAL_LIMITS.placeholderText,
    );
    expect(modal.private_metadata?.length).toBeLessThanOrEqual(MODAL_LIMITS.privateMetadata);
  });

  it('reads back which click the modal answers, and refuses metadata it did not write', () => {
    expect(readFormMetadata(renderFormModal(formFor(ACTION_IDS.patchSnooze)!, origin).private_metadata ?? '')).toEqual(
      origin,
    );
    expect(readFormMetadata('{"a":"patch.delete","v":"1","c":"C","m":"1"}')).toBeUndefined();
    expect(readFormMetadata('not json')).toBeUndefined();
  });

  it('reads the submitted values by field id, leaving out empty inputs', () => {
    expect(readFormValues({ duration: { duration: { value: '3d' } }, reason: { reason: { value: null } } })).toEqual({
      duration: '3d',
    });
  });
});

describe('renderBlocks fallback text', () => {
  it('cuts the notification text at 40,000 characters', () => {
    const { text } = renderBlocks({ summary: `${'&'.repeat(20_000)}`, blocks: [] });
    expect(text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.fallbackText);
    expect(text).toMatch(/^(&amp;)+$/);
  });
});

describe('threadMessages', () => {
  it('splits long text at line ends into escaped code blocks of readable size', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i}: <${'z'.repeat(30)}> & more`).join('\n');
    const parts = threadMessages(`${text}\n`);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(THREAD_MESSAGE_CHARS);
      expect(part).toMatch(/^```\n[\s\S]*\n```$/);
      expect(part).not.toMatch(BARE_CONTROL);
    }
    const lines = parts.flatMap((p) => p.slice(4, -4).split('\n'));
    expect(lines).toEqual(
      text.split('\n').map((l) => l.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')),
    );
  });

  it('cuts a single huge line into pieces and bounds the number of messages', () => {
    expect(threadMessages('q'.repeat(10_000)).map((p) => p.length)).toEqual([
      THREAD_MESSAGE_CHARS,
      THREAD_MESSAGE_CHARS,
      10_000 - 2 * (THREAD_MESSAGE_CHARS - 8) + 8,
    ]);
    const flood = threadMessages('w'.repeat(100_000));
    expect(flood).toHaveLength(MAX_THREAD_MESSAGES);
    expect(flood.at(-1)).toMatch(/^… \d+ more characters not posted/);
  });

  it('posts nothing for empty text', () => {
    expect(threadMessages('\n')).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
