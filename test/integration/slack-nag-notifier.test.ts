import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../../src/chat/card.js';
import { createSlackNagNotifier } from '../../src/chat/slack/slack-nag-notifier.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';

const card: Card = { summary: 'mail-gw-1: CVE-2026-1000 is 3 days overdue', blocks: [{ kind: 'header', text: 'mail-gw-1: CVE-2026-1000 is 3 days overdue' }, { kind: 'text', text: 'The patch is now overdue.' }] };

describe('Slack nag notifier against a local Slack Web API', () => {
  let slack: FakeSlackApi;
  beforeEach(async () => {
    slack = await startFakeSlackApi({ botToken: 'xoxb-test' });
  });
  afterEach(async () => {
    await slack.close();
  });

  it('starts a thread, replies in it with reply_broadcast, sends DMs, and finds its marker again', async () => {
    const notifier = createSlackNagNotifier(new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }));
    const thread = await notifier.startThread('CMAILOPS', card, 'nag-1-1');
    expect(thread.conversation).toBe('CMAILOPS');
    await notifier.replyInThread(thread, card, { broadcast: true, marker: 'nag-1-2' });
    await notifier.directMessage('UALICE', card, 'nag-1-2');

    const posts = slack.callsTo('chat.postMessage').map((call) => call.args);
    expect(posts.map((args) => [args.channel, args.thread_ts, args.reply_broadcast])).toEqual([
      ['CMAILOPS', undefined, undefined],
      // The WebClient sends form fields, so Slack (and the fake) see the flag as text.
      ['CMAILOPS', thread.message, 'true'],
      ['UALICE', undefined, undefined],
    ]);
    expect(posts[0]!.text).toBe(card.summary);
    expect(await notifier.inThread(thread, 'nag-1-2')).toBe(true);
    expect(await notifier.inThread(thread, 'nag-1-1')).toBe(true);
    expect(await notifier.inThread(thread, 'nag-1-3')).toBe(false);
  });
});
