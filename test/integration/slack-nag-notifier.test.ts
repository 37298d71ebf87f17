import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../../src/chat/card.js';
import { createSlackNagNotifier } from '../../src/chat/slack/slack-nag-notifier.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';

const card: Card = {
  summary: 'mail-gw-1: CVE-2026-1000 is 3 days overdue',
  blocks: [
    { kind: 'header', text: 'mail-gw-1: CVE-2026-1000 is 3 days overdue' },
    { kind: 'text', text: 'The patch is now overdue.' },
  ],
};

describe('Slack nag notifier against a local Slack Web API', () => {
  let slack: FakeSlackApi;
  beforeEach(async () => {
    slack = await startFakeSlackApi({ botToken: 'xoxb-test' });
  });
  afterEach(async () => {
    await slack.close();
  });

  it('starts a thread, replies in it with reply_broadcast, sends DMs, and finds its marker again', async () => {
    const notifier = createSlackNagNotifier('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
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

  it('says where a DM landed, and replaces a posted message in place with chat.update', async () => {
    const notifier = createSlackNagNotifier('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const direct = await notifier.directMessage('UCAROL', card, 'outage-1');
    const dm = slack.callsTo('chat.postMessage')[0]!;
    // Slack answers with the DM's channel: that (not the user id) is what chat.update takes.
    expect(direct).toEqual({ conversation: dm.response.channel, message: dm.response.ts });

    const decided: Card = {
      summary: 'Outage approved: mail-gw-1',
      blocks: [{ kind: 'header', text: 'Outage approved: mail-gw-1' }],
    };
    await notifier.update(direct, decided);
    expect(slack.callsTo('chat.update').map((call) => call.args)).toEqual([
      {
        channel: direct.conversation,
        ts: direct.message,
        text: decided.summary,
        blocks: [{ type: 'header', text: { type: 'plain_text', text: decided.summary } }],
      },
    ]);

    slack.failNext('chat.update', 'message_not_found');
    await expect(notifier.update({ conversation: 'CMAILOPS', message: '1.2' }, decided)).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
  });
});
