import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import type { Card, CardBlock } from '../../src/chat/card.js';
import { reportCard, runningCard } from '../../src/chat/mailcheck-cards.js';
import type { AdaptiveCard, AdaptiveElement, AdaptiveTextBlock } from '../../src/chat/teams/adaptive-card.js';
import { ADAPTIVE_CARD_LIMITS, cardJsonBytes, CUT_NOTE } from '../../src/chat/teams/adaptive-card-limits.js';
import { markdownSafe } from '../../src/chat/teams/adaptive-card-text.js';
import { renderAdaptiveCard } from '../../src/chat/teams/render-adaptive-card.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { sampleNagCard, sampleRiskRequestCard } from '../fixtures/golden/patch-cards.js';
import { sampleOutageDeniedCard, sampleOutageRequestCard } from '../fixtures/golden/outage-cards.js';
import { HALFWAY, sampleReport } from '../fixtures/golden/teams/sample-report.js';
import { expectGoldenJson } from '../support/golden-file.js';

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/golden/teams/', import.meta.url));

/** Compares with the stored JSON (test/support/golden-file.ts: UPDATE_GOLDEN=1 rewrites it, never in CI). */
function expectGolden(name: string, card: AdaptiveCard): void {
  expectGoldenJson(`${GOLDEN_DIR}${name}.json`, card);
}

const target = parseCheckTarget('partner.com');
const textBlocks = (card: AdaptiveCard): AdaptiveTextBlock[] =>
  card.body.filter((e): e is AdaptiveTextBlock => e.type === 'TextBlock');
const actionSets = (card: AdaptiveCard) =>
  card.body.filter((e): e is Extract<AdaptiveElement, { type: 'ActionSet' }> => e.type === 'ActionSet');

/** `count` numbered lines of evidence-like text, about 70 bytes each. */
function lines(word: string, count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `${word} ${String(i).padStart(4, '0')}: dig +noedns +ignore ANY partner.com @ns1.partner.com`,
  ).join('\n');
}

const OVERSIZED: Card = {
  summary: 'partner.com: FAIL. Mail from qmail-1.03 will fail.',
  blocks: [
    { kind: 'header', text: 'partner.com: FAIL' },
    { kind: 'text', text: 'Mail from qmail-1.03 will fail.', emphasis: 'strong' },
    { kind: 'text', text: lines('finding', 300) },
    { kind: 'code', text: lines('command', 500) },
    { kind: 'divider' },
    { kind: 'facts', facts: [{ label: 'qmail-1.03', value: 'fail: deferral (#4.4.3)' }] },
    {
      kind: 'actions',
      actions: [
        { id: ACTION_IDS.mailcheckRecheck, label: 'Re-check', value: 'partner.com', style: 'primary' },
        { id: ACTION_IDS.mailcheckAdminNote, label: 'Note for their admin', value: 'partner.com' },
      ],
    },
  ],
};

describe('renderAdaptiveCard golden files', () => {
  it('renders the first running card', () => {
    expectGolden('running', renderAdaptiveCard(runningCard(target)));
  });

  it('renders a running card halfway, with the problem found so far', () => {
    expectGolden('running-halfway', renderAdaptiveCard(runningCard(target, HALFWAY)));
  });

  it('renders the report card of a hand-made DiagnosisReport', () => {
    expectGolden('report', renderAdaptiveCard(reportCard(target, sampleReport(), 'partner.com')));
  });

  it('renders an oversized card cut to fit a Teams message', () => {
    expectGolden('oversized', renderAdaptiveCard(OVERSIZED));
  });

  it('renders a nag with its buttons, Snooze and Accept risk unfolding their forms', () => {
    expectGolden('nag', renderAdaptiveCard(sampleNagCard()));
  });

  it('renders a risk acceptance request with Approve, and Reject asking for a reason', () => {
    expectGolden('risk-request', renderAdaptiveCard(sampleRiskRequestCard()));
  });

  it('renders an outage request with Approve, and Deny and Propose another time unfolding their forms', () => {
    const card = renderAdaptiveCard(sampleOutageRequestCard());
    expectGolden('outage-request', card);
    expect(
      actionSets(card)
        .flatMap((set) => set.actions)
        .map((action) => [action.type, action.title]),
    ).toEqual([
      ['Action.Execute', 'Approve'],
      ['Action.ShowCard', 'Deny'],
      ['Action.ShowCard', 'Propose another time'],
    ]);
  });

  it('renders a decided outage request without any action', () => {
    const card = renderAdaptiveCard(sampleOutageDeniedCard());
    expectGolden('outage-denied', card);
    expect(actionSets(card)).toEqual([]);
  });
});

describe('forms in Adaptive Cards', () => {
  const nag = renderAdaptiveCard(sampleNagCard());
  const buttons = actionSets(nag).flatMap((set) => set.actions);

  it('keeps buttons without a form as Action.Execute, and turns those with one into Action.ShowCard', () => {
    expect(buttons.map((b) => [b.type, b.title])).toEqual([
      ['Action.Execute', 'Acknowledge'],
      ['Action.ShowCard', 'Snooze'],
      ['Action.Execute', 'Mark patched'],
      ['Action.ShowCard', 'Request outage window'],
      ['Action.ShowCard', 'Accept risk'],
    ]);
  });

  it('puts the inputs and an Action.Execute with the verb and the value in the shown card', () => {
    const snooze = buttons[1];
    expect(snooze?.type === 'Action.ShowCard' && snooze.card).toEqual({
      type: 'AdaptiveCard',
      body: [
        {
          type: 'Input.Text',
          id: 'patch.snooze:duration',
          label: 'For how long',
          placeholder: '3d, 36h or 1w',
          isRequired: true,
          errorMessage: 'For how long: required',
          maxLength: 1000,
        },
        {
          type: 'Input.Text',
          id: 'patch.snooze:reason',
          label: 'Why it can wait',
          placeholder: "Waiting for the vendor's fixed build",
          isRequired: true,
          errorMessage: 'Why it can wait: required',
          isMultiline: true,
          maxLength: 1000,
        },
      ],
      actions: [{ type: 'Action.Execute', title: 'Snooze', verb: ACTION_IDS.patchSnooze, data: { value: '42' } }],
    });
  });

  it('gives every input in a card its own id, though two forms both ask for a reason', () => {
    const ids = JSON.stringify(nag).match(/"id":"[^"]+"/g) ?? [];
    // Snooze asks 2 things, Request outage window 3, Accept risk 3.
    expect(ids.length).toBe(8);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the buttons and their forms when the card is cut to fit', () => {
    const card = sampleNagCard();
    const cut = renderAdaptiveCard({
      ...card,
      blocks: [{ kind: 'code', text: lines('evidence', 1_000) }, ...card.blocks],
    });
    expect(cardJsonBytes(cut)).toBeLessThanOrEqual(ADAPTIVE_CARD_LIMITS.cardJsonBytes);
    expect(actionSets(cut).flatMap((set) => set.actions)).toEqual(buttons);
  });
});

describe('renderAdaptiveCard', () => {
  const report = renderAdaptiveCard(reportCard(target, sampleReport(), 'partner.com'));

  it('is an Adaptive Card 1.5 that Teams draws full width, with the summary as fallback text', () => {
    expect(report).toMatchObject({ type: 'AdaptiveCard', version: '1.5', msteams: { width: 'Full' } });
    expect(report.fallbackText).toMatch(
      /^partner\.com: FAIL\. qmail 1\.03, netqmail, notqmail 1\.07 cannot deliver to partner\.com: /,
    );
  });

  it('maps each block kind: heading, strong, subtle, facts, monospace code, divider as a separator', () => {
    const card = renderAdaptiveCard({
      summary: 's',
      blocks: [
        { kind: 'header', text: 'Head' },
        { kind: 'text', text: 'strong', emphasis: 'strong' },
        { kind: 'text', text: 'subtle', emphasis: 'subtle' },
        { kind: 'divider' },
        { kind: 'code', text: 'dig MX partner.com' },
        { kind: 'facts', facts: [{ label: 'postfix', value: 'ok' }] },
      ],
    });
    expect(card.body).toEqual([
      { type: 'TextBlock', text: 'Head', wrap: true, style: 'heading', size: 'Large', weight: 'Bolder' },
      { type: 'TextBlock', text: 'strong', wrap: true, weight: 'Bolder' },
      { type: 'TextBlock', text: 'subtle', wrap: true, isSubtle: true },
      { type: 'TextBlock', text: 'dig MX partner.com', wrap: true, fontType: 'Monospace', separator: true },
      { type: 'FactSet', facts: [{ title: 'postfix', value: 'ok' }] },
    ]);
  });

  it('makes buttons Action.Execute with the action id as verb and the value as data', () => {
    expect(actionSets(report).flatMap((set) => set.actions)).toEqual([
      {
        type: 'Action.Execute',
        title: 'Re-check',
        verb: ACTION_IDS.mailcheckRecheck,
        data: { value: 'partner.com' },
        style: 'positive',
      },
      {
        type: 'Action.Execute',
        title: 'Note for their admin',
        verb: ACTION_IDS.mailcheckAdminNote,
        data: { value: 'partner.com' },
      },
      {
        type: 'Action.Execute',
        title: 'What changed',
        verb: ACTION_IDS.mailcheckChanges,
        data: { value: 'partner.com' },
      },
    ]);
  });

  it('keeps Markdown from eating evidence: _dmarc, [..], * and list-like lines are escaped, lines are paragraphs', () => {
    const texts = textBlocks(report).map((b) => b.text);
    expect(texts).toContainEqual(expect.stringContaining('The \\_dmarc.partner.com record'));
    expect(texts).toContainEqual(expect.stringContaining('\n\n\\- rua=mailto:dmarc\\_reports@partner.com'));
    expect(texts).toContainEqual(expect.stringContaining('\\[google-site-verification=\\*\\]'));
  });

  it.each([
    ['a_b *c* [d](e) \\', 'a\\_b \\*c\\* \\[d\\](e) \\\\'],
    ['- item\n+ item\n12. item\n-5 is not a list', '\\- item\n\n\\+ item\n\n12\\. item\n\n-5 is not a list'],
    ['one\r\ntwo', 'one\n\ntwo'],
  ])('markdownSafe(%j)', (plain, expected) => {
    expect(markdownSafe(plain)).toBe(expected);
  });

  it('drops empty facts and actions rather than rendering empty elements', () => {
    expect(
      renderAdaptiveCard({
        summary: 's',
        blocks: [
          { kind: 'facts', facts: [] },
          { kind: 'actions', actions: [] },
        ],
      }).body,
    ).toEqual([]);
  });
});

describe('Teams size limit', () => {
  const cut = renderAdaptiveCard(OVERSIZED);

  it('cuts the longest texts to fit, says so, and keeps the heading, the verdict and the buttons', () => {
    expect(cardJsonBytes(cut)).toBeLessThanOrEqual(ADAPTIVE_CARD_LIMITS.cardJsonBytes);
    // Close to the limit: only as much is cut as needed.
    expect(cardJsonBytes(cut)).toBeGreaterThan(ADAPTIVE_CARD_LIMITS.cardJsonBytes - 1_000);
    const texts = textBlocks(cut).map((b) => b.text);
    expect(texts.slice(0, 2)).toEqual(['partner.com: FAIL', 'Mail from qmail-1.03 will fail.']);
    expect(texts.filter((t) => t.endsWith(CUT_NOTE)).length).toBeGreaterThanOrEqual(1);
    expect(actionSets(cut)).toHaveLength(1);
    expect(cut.body.at(-1)?.type).toBe('ActionSet');
  });

  it('leaves a card that fits alone', () => {
    const small = renderAdaptiveCard(reportCard(target, sampleReport(), 'partner.com'));
    expect(JSON.stringify(small)).not.toContain(CUT_NOTE);
  });

  it.each([
    [10, false],
    [100, false],
    [400, true],
    [3_000, true],
  ])('fits %i lines of code with multi-byte characters in the limit (cut: %s)', (count, cutExpected) => {
    const text = lines('ü€😀 line', count);
    const card = renderAdaptiveCard({
      summary: 's',
      blocks: [
        { kind: 'header', text: 'h' },
        { kind: 'code', text },
      ],
    });
    expect(cardJsonBytes(card)).toBeLessThanOrEqual(ADAPTIVE_CARD_LIMITS.cardJsonBytes);
    const code = textBlocks(card)[1]?.text ?? '';
    expect(code.endsWith(CUT_NOTE)).toBe(cutExpected);
    if (!cutExpected) expect(code).toBe(markdownSafe(text));
    // Never a lone surrogate from cutting through an emoji.
    expect(code).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('drops whole parts, with one notice before the buttons, when no single text is long enough to cut', () => {
    const many: CardBlock[] = Array.from({ length: 300 }, (_, i) => ({
      kind: 'facts',
      facts: [{ label: `sender-${i}`, value: 'x'.repeat(100) }],
    }));
    const card = renderAdaptiveCard({
      summary: 's',
      blocks: [
        { kind: 'header', text: 'h' },
        ...many,
        { kind: 'actions', actions: [{ id: ACTION_IDS.mailcheckRecheck, label: 'Re-check', value: 'partner.com' }] },
      ],
    });
    expect(cardJsonBytes(card)).toBeLessThanOrEqual(ADAPTIVE_CARD_LIMITS.cardJsonBytes);
    const notices = textBlocks(card).filter((b) => b.id === 'mxops-dropped');
    expect(notices).toHaveLength(1);
    const dropped = Number(/… (\d+) more parts/.exec(notices[0]?.text ?? '')?.[1]);
    expect(card.body.filter((e) => e.type === 'FactSet')).toHaveLength(300 - dropped);
    expect(card.body.slice(-2).map((e) => e.type)).toEqual(['TextBlock', 'ActionSet']);
    expect(card.body[0]).toMatchObject({ style: 'heading' });
  });
});
