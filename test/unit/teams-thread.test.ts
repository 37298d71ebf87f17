import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import { parseTeamsCommand } from '../../src/chat/teams/teams-command.js';
import { readCardActionClick } from '../../src/chat/teams/teams-invoke.js';
import { baseConversationId, MAX_THREAD_MESSAGES, plainTextHtml, THREAD_MESSAGE_BYTES, threadConversationId, threadMessagesHtml } from '../../src/chat/teams/teams-thread.js';

const CHANNEL = '19:ops@thread.tacv2';

describe('threadConversationId', () => {
  it.each([
    ['a top-level channel message starts its own thread', CHANNEL, 'channel', `${CHANNEL};messageid=1700000000123`],
    ['a message already in a channel thread stays in it (one level of threads)', `${CHANNEL};messageid=1700000000001`, 'channel', `${CHANNEL};messageid=1700000000001`],
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
    expect(plainTextHtml('mailcheck <domain> & more\nsecond line\n')).toBe('mailcheck &lt;domain&gt; &amp; more<br>second line');
  });

  it('posts short text as one <pre> message', () => {
    expect(threadMessagesHtml('v=spf1 -all\n<b>not bold</b>\n')).toEqual(['<pre>v=spf1 -all\n&lt;b&gt;not bold&lt;/b&gt;</pre>']);
    expect(threadMessagesHtml('  \n')).toEqual([]);
  });

  it('splits long text at line ends into messages within the byte budget, losing nothing', () => {
    const text = Array.from({ length: 2_000 }, (_, i) => `line ${i} <evidence> é€`).join('\n');
    const messages = threadMessagesHtml(text);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(THREAD_MESSAGE_BYTES);
    const joined = messages.map((m) => m.replace(/^<pre>|<\/pre>$/g, '')).join('\n');
    expect(joined).toBe(text.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  it('cuts a single huge line without splitting an entity, and bounds the number of messages', () => {
    const messages = threadMessagesHtml('&'.repeat(THREAD_MESSAGE_BYTES * 2));
    for (const m of messages) expect(m).toMatch(/^<pre>(&amp;)+<\/pre>$/);
    const flood = threadMessagesHtml(Array.from({ length: 40 }, () => 'x'.repeat(THREAD_MESSAGE_BYTES - 20)).join('\n'));
    expect(flood).toHaveLength(MAX_THREAD_MESSAGES);
    expect(flood.at(-1)).toMatch(/^… \d+ more lines not posted/);
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
    expect(readCardActionClick(click({ type: 'Action.Execute', verb: ACTION_IDS.mailcheckRecheck, data: { value: 'partner.com' } }))).toEqual({
      verb: ACTION_IDS.mailcheckRecheck,
      value: 'partner.com',
      inputs: {},
    });
  });

  it("reads a form's inputs from the data Teams merged them into, only those named for this verb", () => {
    const data = { value: '7', 'patch.snooze:duration': '3d', 'patch.snooze:reason': 'vendor build', 'patch.accept-risk:reason': 'other form', stray: 'x', 'patch.snooze:count': 3 };
    expect(readCardActionClick(click({ type: 'Action.Execute', verb: ACTION_IDS.patchSnooze, data }))).toEqual({
      verb: ACTION_IDS.patchSnooze,
      value: '7',
      inputs: { duration: '3d', reason: 'vendor build' },
    });
  });

  it.each([
    ['an Action.Submit', click({ type: 'Action.Submit', verb: ACTION_IDS.mailcheckRecheck, data: { value: 'x' } }), /Action.Execute/],
    ['an unknown verb', click({ type: 'Action.Execute', verb: 'mailcheck.delete', data: { value: 'x' } }), /unknown button "mailcheck.delete"/],
    ['no value', click({ type: 'Action.Execute', verb: ACTION_IDS.mailcheckRecheck, data: {} }), /no value/],
    ['no action at all', undefined, /Action.Execute/],
  ])('refuses %s', (_, value, problem) => {
    const result = readCardActionClick(value);
    expect('problem' in result ? result.problem : '').toMatch(problem);
  });
});
