import { describe, expect, it } from 'vitest';
import { commandText, escapeMrkdwn, safePrefix } from '../../src/chat/slack/mrkdwn.js';
import { deliveryKey, RecentDeliveries } from '../../src/chat/slack/recent-deliveries.js';
import { isDatedAhead } from '../../src/chat/slack/request-timestamp.js';
import { clockFrom } from '../support/manual-clock.js';

describe('commandText', () => {
  it.each([
    ['partner.com', 'partner.com'],
    ['  partner.com ', '  partner.com '],
    ['<mailto:jane@partner.com|jane@partner.com>', 'jane@partner.com'],
    ['<http://partner.com|partner.com>', 'partner.com'],
    ['<mailto:jane@partner.com>', 'jane@partner.com'],
    ['help &amp; more &lt;x&gt;', 'help & more <x>'],
  ])('%s -> %s', (raw, typed) => {
    expect(commandText(raw)).toBe(typed);
  });
});

describe('safePrefix', () => {
  it('never ends inside an entity or a surrogate pair', () => {
    const escaped = escapeMrkdwn('a&b');
    expect(escaped).toBe('a&amp;b');
    expect([1, 2, 3, 4, 5, 6].map((n) => safePrefix(escaped, n))).toEqual(['a', 'a', 'a', 'a', 'a', 'a&amp;']);
    expect(safePrefix('x\u{1F4E7}y', 2)).toBe('x');
  });
});

describe('RecentDeliveries', () => {
  it('lets a key through once within the window, and again after it', () => {
    let now = 0;
    const recent = new RecentDeliveries(
      1_000,
      clockFrom(() => now),
    );
    expect(recent.firstTime('trigger:a')).toBe(true);
    expect(recent.firstTime('trigger:b')).toBe(true);
    now = 999;
    expect(recent.firstTime('trigger:a')).toBe(false);
    now = 1_000;
    expect(recent.firstTime('trigger:a')).toBe(true);
  });

  it('keys commands and clicks by trigger_id, events by event_id', () => {
    expect(deliveryKey({ trigger_id: '123.456', event_id: 'Ev1' })).toBe('trigger:123.456');
    expect(deliveryKey({ event_id: 'Ev1' })).toBe('event:Ev1');
    expect(deliveryKey({ trigger_id: '' })).toBeUndefined();
    expect(deliveryKey(null)).toBeUndefined();
  });
});

describe('isDatedAhead', () => {
  const now = 1_700_000_000_000;
  it.each([
    [String(now / 1000 + 301), true],
    [String(now / 1000 + 300), false],
    [String(now / 1000 - 3_600), false],
    [String(now / 1000), false],
    // Missing, doubled or malformed headers are Bolt's to refuse.
    [undefined, false],
    [['1', '2'], false],
    ['', false],
    ['soon', false],
  ] as const)('%j -> %s', (header, ahead) => {
    expect(isDatedAhead(header as string | string[] | undefined, now)).toBe(ahead);
  });
});
