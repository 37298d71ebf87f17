import { describe, expect, it } from 'vitest';
import { checkButtonInputs } from '../../commands/patch-buttons.js';
import { ACTION_IDS, type ActionId } from '../../src/chat/action-ids.js';
import { renderCardText } from '../../src/chat/console/render-card-text.js';
import { nagCard, readNagButtonValue } from '../../src/chat/patch-nag-cards.js';
import { sampleNagCard, sampleRiskRequestCard } from '../fixtures/golden/patch-cards.js';

const NOW = Date.parse('2026-11-20T10:00:00Z');

describe('checkButtonInputs: what a form can be told before the store runs', () => {
  it.each<[string, ActionId, Record<string, string>, Record<string, string | RegExp>]>([
    ['a good snooze', ACTION_IDS.patchSnooze, { duration: '3d', reason: 'vendor build' }, {}],
    [
      'a snooze with a bad duration and no reason',
      ACTION_IDS.patchSnooze,
      { duration: 'soon', reason: '  ' },
      { duration: /^"soon" is not a duration/, reason: 'Say why it can wait.' },
    ],
    [
      'a snooze with nothing',
      ACTION_IDS.patchSnooze,
      {},
      { duration: 'Say for how long, such as 3d, 36h or 1w.', reason: 'Say why it can wait.' },
    ],
    [
      'a risk until a date, without controls',
      ACTION_IDS.patchAcceptRisk,
      { until: '2027-03-31', reason: 'no outage' },
      {},
    ],
    [
      'a risk until a duration',
      ACTION_IDS.patchAcceptRisk,
      { until: '90d', reason: 'no outage', controls: 'a; b' },
      {},
    ],
    [
      'a risk until the past',
      ACTION_IDS.patchAcceptRisk,
      { until: '2026-01-01', reason: 'no outage' },
      { until: 'A risk acceptance must expire in the future.' },
    ],
    [
      'a risk for two years',
      ACTION_IDS.patchAcceptRisk,
      { until: '104w', reason: 'no outage' },
      { until: /at most a year/ },
    ],
    [
      'a risk until "later"',
      ACTION_IDS.patchAcceptRisk,
      { until: 'later', reason: 'x' },
      { until: /"later" is not a duration/ },
    ],
    [
      'a rejection without a reason',
      ACTION_IDS.riskReject,
      { reason: '' },
      { reason: 'Say why the risk cannot be accepted.' },
    ],
    ['an approval (no form)', ACTION_IDS.riskApprove, {}, {}],
    ['an acknowledgement (no form)', ACTION_IDS.patchAck, {}, {}],
  ])('%s', (_, actionId, inputs, expected) => {
    const errors = checkButtonInputs(actionId, inputs, NOW);
    expect(Object.keys(errors).sort()).toEqual(Object.keys(expected).sort());
    for (const [field, message] of Object.entries(expected)) expect(errors[field]).toMatch(message);
  });
});

describe('the value a nag button carries', () => {
  it("is the patch id, and on Acknowledge also the nag's step; nags posted before the step was added still read", () => {
    const values = Object.fromEntries(
      nagCard({ headline: 'h', lines: [], step: 7 }, { id: 42, system: 'mail-gw-1', key: 'CVE-2026-0001' })
        .blocks.flatMap((block) => (block.kind === 'actions' ? block.actions : []))
        .map((action) => [action.id, action.value]),
    );
    expect(values[ACTION_IDS.patchAck]).toBe('42:7');
    expect(values[ACTION_IDS.patchDone]).toBe('42');
    expect(readNagButtonValue('42:7')).toEqual({ patchId: 42, step: 7 });
    expect(readNagButtonValue('42')).toEqual({ patchId: 42 });
    for (const bad of ['', '42:', ':7', '42:7:1', 'x42', '42.7', '1234567890123'])
      expect(readNagButtonValue(bad)).toBeUndefined();
  });
});

describe('patch buttons in the console', () => {
  it('lists the command to type for each button, with the system and patch filled in', () => {
    const text = renderCardText(sampleNagCard());
    expect(text).toContain(
      [
        '  buttons:',
        '    [Acknowledge] (type: patch ack mail-gw-1 CVE-2026-0001)',
        '    [Snooze] (type: patch snooze mail-gw-1 CVE-2026-0001 <duration> --reason <why>)',
        '    [Mark patched] (type: patch done mail-gw-1 CVE-2026-0001)',
        '    [Request outage window] (type: outage request mail-gw-1 <when> <duration> <reason>)',
        '    [Accept risk] (type: patch accept-risk mail-gw-1 CVE-2026-0001 --until <date or duration> --reason <why> [--controls <a; b>])',
      ].join('\n'),
    );
    expect(renderCardText(sampleRiskRequestCard())).toContain(
      '[Approve] (type: patch approve 7)\n    [Reject] (type: patch reject 7 --reason <why>)',
    );
  });
});
