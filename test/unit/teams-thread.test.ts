import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import { parseTeamsCommand } from '../../src/chat/teams/teams-command.js';
import { readCardActionClick } from '../../src/chat/teams/teams-invoke.js';
import {
  CONNECTOR_RETRY,
  retryAfterMs,
  retryDelayMs,
  withConnectorRetry,
  type RetryTiming,
} from '../../src/chat/teams/connector-retry.js';
import {
  baseConversationId,
  partMarker,
  plainTextHtml,
  THREAD_MESSAGE_BYTES,
  threadConversationId,
  threadMessagesHtml,
} from '../../src/chat/teams/teams-thread.js';
import { manualClock } from '../support/manual-clock.js';

const CHANNEL = '19:ops@thread.tacv2';

describe('threadConversationId', () => {
  it.each([
    ['a top-level channel message starts its own thread', CHANNEL, 'channel', `${CHANNEL};messageid=1700000000123`],
    [
      'a message already in a channel thread stays in it (one level of threads)',
      `${CHANNEL};messageid=1700000000001`,
      'channel',
      `${CHANNEL};messageid=1700000000001`,
    ],
    ['a personal chat has no threads', 'a:1personal', 'personal', 'a:1personal'],
    ['a group chat has no threads', '19:group@thread.v2', 'groupChat', '19:group@thread.v2'],
  ])('%s', (_, conversationId, type, expected) => {
    expect(threadConversationId(conversationId, type, '1700000000123')).toBe(expected);
  });

  it('stores references under the channel, whatever thread a message came from', () => {
    expect(baseConversationId(`${CHANNEL};messageid=1700000000001`)).toBe(CHANNEL);
    expect(baseConversationId('a:1personal')).toBe('a:1personal');
  });
});

describe('thread text', () => {
  it('escapes HTML and keeps line breaks in plain replies', () => {
    expect(plainTextHtml('mailcheck <domain> & more\nsecond line\n')).toBe(
      'mailcheck &lt;domain&gt; &amp; more<br>second line',
    );
  });

  it('posts short text as one <pre> message', () => {
    expect(threadMessagesHtml('v=spf1 -all\n<b>not bold</b>\n')).toEqual([
      '<pre>v=spf1 -all\n&lt;b&gt;not bold&lt;/b&gt;</pre>',
    ]);
    expect(threadMessagesHtml('  \n')).toEqual([]);
  });

  it('splits long text at line ends into messages within the byte budget, losing nothing', () => {
    const text = Array.from({ length: 2_000 }, (_, i) => `line ${i} <evidence> é€`).join('\n');
    const messages = threadMessagesHtml(text);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(THREAD_MESSAGE_BYTES);
    expect(unescapeHtml(blocksOf(messages).join('\n'))).toBe(text);
  });

  it('posts every line of a 100 KB report, in order, each message marked "Part i of n"', () => {
    const lines = Array.from(
      { length: 1_500 },
      (_, i) => `  WARN    dns.example-${i}  evidence <rr> & "quotes" é€ line ${i} of the report`,
    );
    const text = `${lines.join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(100_000);
    const messages = threadMessagesHtml(text);
    expect(messages.length).toBeGreaterThan(5);
    messages.forEach((m, i) => {
      expect(m.startsWith(`${partMarker(i + 1, messages.length)}<pre>`)).toBe(true);
      expect(m.endsWith('</pre>')).toBe(true);
      expect(Buffer.byteLength(m)).toBeLessThanOrEqual(THREAD_MESSAGE_BYTES);
    });
    expect(partMarker(2, 7)).toBe('Part 2 of 7');
    // Nothing cut and nothing added: the blocks, joined, are the report line for line.
    expect(unescapeHtml(blocksOf(messages).join('\n')).split('\n')).toEqual(lines);
    expect(messages.some((m) => m.includes('not posted'))).toBe(false);
  });

  it('keeps the byte budget with the marker when lines fill messages to the last byte and the count gains a digit', () => {
    const room = THREAD_MESSAGE_BYTES - '<pre></pre>'.length;
    const text = Array.from({ length: 5 }, (_, i) => String(i).repeat(room)).join('\n');
    const messages = threadMessagesHtml(text);
    // Each full line no longer fits beside its marker: it takes two messages, so 5 become 10 and
    // "Part 10 of 10" is two bytes wider than the "Part 5 of 5" first reserved.
    expect(messages).toHaveLength(10);
    expect(messages.at(-1)?.startsWith('Part 10 of 10<pre>')).toBe(true);
    for (const m of messages) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(THREAD_MESSAGE_BYTES);
    expect(blocksOf(messages).join('')).toBe(text.replace(/\n/g, ''));
  });

  it('puts no marker on text that fits one message', () => {
    const room = THREAD_MESSAGE_BYTES - '<pre></pre>'.length;
    expect(threadMessagesHtml('x'.repeat(room))).toEqual([`<pre>${'x'.repeat(room)}</pre>`]);
    expect(threadMessagesHtml('x'.repeat(room + 1))).toHaveLength(2);
  });

  it('cuts a single huge line without splitting an entity', () => {
    const messages = threadMessagesHtml('&'.repeat(THREAD_MESSAGE_BYTES * 2));
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m).toMatch(/^Part \d+ of \d+<pre>(&amp;)+<\/pre>$/);
    expect(blocksOf(messages).join('')).toBe('&amp;'.repeat(THREAD_MESSAGE_BYTES * 2));
  });
});

/** The text inside each message's <pre>, markers dropped. */
function blocksOf(messages: readonly string[]): string[] {
  return messages.map((m) => {
    const block = /^(?:Part \d+ of \d+)?<pre>([\s\S]*)<\/pre>$/.exec(m);
    if (!block) throw new Error(`not a thread message: ${m.slice(0, 80)}`);
    return block[1] ?? '';
  });
}

function unescapeHtml(html: string): string {
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('withConnectorRetry', () => {
  /** A RestError as botframework-connector throws it: statusCode, and the response's headers. */
  const refused = (statusCode: number, retryAfter?: string): Error =>
    Object.assign(new Error(`HTTP ${statusCode}`), {
      name: 'RestError',
      statusCode,
      response: { status: statusCode, headers: new Map(retryAfter === undefined ? [] : [['retry-after', retryAfter]]) },
    });
  const timing = (slept: number[]): RetryTiming => ({
    attempts: 5,
    firstDelayMs: 100,
    maxDelayMs: 10_000,
    random: () => 0.5,
    sleep: async (ms) => void slept.push(ms),
    clock: manualClock(Date.parse('2026-12-07T10:00:00Z')),
  });
  /** A send that fails with `errors`, one per try, then answers "sent". */
  const failing = (errors: readonly Error[]) => {
    const tries = { count: 0 };
    const send = async (): Promise<string> => {
      const error = errors[tries.count++];
      if (error) throw error;
      return 'sent';
    };
    return { send, tries };
  };

  it.each([429, 412, 502, 504])('tries again after HTTP %i, backing off exponentially with jitter', async (status) => {
    const slept: number[] = [];
    const { send, tries } = failing([refused(status), refused(status), refused(status)]);
    await expect(withConnectorRetry(send, timing(slept))).resolves.toBe('sent');
    expect(tries.count).toBe(4);
    // Half of 100, 200, 400 fixed, and half of the random 0.5 of each.
    expect(slept).toEqual([75, 150, 300]);
  });

  it('gives up with the last error after the last attempt', async () => {
    const slept: number[] = [];
    const last = refused(429);
    const { send, tries } = failing([refused(429), refused(429), refused(429), refused(429), last]);
    await expect(withConnectorRetry(send, timing(slept))).rejects.toBe(last);
    expect(tries.count).toBe(5);
    expect(slept).toHaveLength(4);
  });

  it.each([
    ['a 403', refused(403)],
    ['a 404', refused(404)],
    ['a 500', refused(500)],
    ['an error without a status', new Error('socket hang up')],
  ])('does not retry %s', async (_, error) => {
    const slept: number[] = [];
    const { send, tries } = failing([error]);
    await expect(withConnectorRetry(send, timing(slept))).rejects.toBe(error);
    expect(tries.count).toBe(1);
    expect(slept).toEqual([]);
  });

  it('waits at least what Retry-After asks, up to the longest wait', async () => {
    const slept: number[] = [];
    const { send } = failing([refused(429, '3'), refused(429, '0'), refused(429, '3600')]);
    await withConnectorRetry(send, timing(slept));
    expect(slept).toEqual([3_000, 150, 10_000]);
  });

  it("reads a Retry-After date against the timing's clock", async () => {
    const slept: number[] = [];
    const { send } = failing([refused(429, 'Mon, 07 Dec 2026 10:00:04 GMT')]);
    await withConnectorRetry(send, timing(slept));
    expect(slept).toEqual([4_000]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    expect(retryAfterMs(refused(429, '2'), now)).toBe(2_000);
    expect(retryAfterMs(refused(429, 'Mon, 07 Dec 2026 10:00:05 GMT'), now)).toBe(5_000);
    expect(retryAfterMs(refused(429, 'Mon, 07 Dec 2026 09:59:00 GMT'), now)).toBe(0);
    expect(retryAfterMs(refused(429, 'soon'), now)).toBeUndefined();
    expect(retryAfterMs(refused(429), now)).toBeUndefined();
    expect(retryAfterMs(new Error('no response'), now)).toBeUndefined();
  });

  it('keeps production waits between half and all of 1, 2, 4, 8 seconds', () => {
    for (const random of [0, 0.999]) {
      const delays = [1, 2, 3, 4].map((attempt) =>
        retryDelayMs(refused(429), attempt, { ...CONNECTOR_RETRY, random: () => random }),
      );
      expect(delays.map((ms, i) => ms >= 500 * 2 ** i && ms < 1_000 * 2 ** i)).toEqual([true, true, true, true]);
    }
    expect(CONNECTOR_RETRY.attempts).toBe(5);
  });
});

describe('parseTeamsCommand', () => {
  it.each([
    ['mailcheck partner.com', { kind: 'mailcheck', text: 'partner.com' }],
    ['/MailCheck  jane@partner.com ', { kind: 'mailcheck', text: 'jane@partner.com' }],
    ['&nbsp;mailcheck partner.com', { kind: 'mailcheck', text: 'partner.com' }],
    ['mailcheck', { kind: 'mailcheck', text: '' }],
    ['Patch show mail-gw-1', { kind: 'patch', text: 'show mail-gw-1' }],
    ['patch&nbsp;ack mail-gw-1', { kind: 'patch', text: 'ack mail-gw-1' }],
    ['help', { kind: 'help' }],
    ['', { kind: 'help' }],
    ['check partner.com', { kind: 'unknown', word: 'check' }],
  ])('%j', (text, expected) => {
    expect(parseTeamsCommand(text)).toEqual(expected);
  });
});

describe('readCardActionClick', () => {
  const click = (action: Record<string, unknown>) => ({ action, trigger: 'manual' });

  it('reads the verb and the value of an Action.Execute', () => {
    expect(
      readCardActionClick(
        click({ type: 'Action.Execute', verb: ACTION_IDS.mailcheckRecheck, data: { value: 'partner.com' } }),
      ),
    ).toEqual({
      verb: ACTION_IDS.mailcheckRecheck,
      value: 'partner.com',
      inputs: {},
    });
  });

  it("reads a form's inputs from the data Teams merged them into, only those named for this verb", () => {
    const data = {
      value: '7',
      'patch.snooze:duration': '3d',
      'patch.snooze:reason': 'vendor build',
      'patch.accept-risk:reason': 'other form',
      stray: 'x',
      'patch.snooze:count': 3,
    };
    expect(readCardActionClick(click({ type: 'Action.Execute', verb: ACTION_IDS.patchSnooze, data }))).toEqual({
      verb: ACTION_IDS.patchSnooze,
      value: '7',
      inputs: { duration: '3d', reason: 'vendor build' },
    });
  });

  it.each([
    [
      'an Action.Submit',
      click({ type: 'Action.Submit', verb: ACTION_IDS.mailcheckRecheck, data: { value: 'x' } }),
      /Action.Execute/,
    ],
    [
      'an unknown verb',
      click({ type: 'Action.Execute', verb: 'mailcheck.delete', data: { value: 'x' } }),
      /unknown button "mailcheck.delete"/,
    ],
    ['no value', click({ type: 'Action.Execute', verb: ACTION_IDS.mailcheckRecheck, data: {} }), /no value/],
    ['no action at all', undefined, /Action.Execute/],
  ])('refuses %s', (_, value, problem) => {
    const result = readCardActionClick(value);
    expect('problem' in result ? result.problem : '').toMatch(problem);
  });
});
