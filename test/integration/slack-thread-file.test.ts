/**
 * A report too long for the thread's messages lands whole, as a file in the same thread, through a
 * real WebClient against the fake Slack Web API (files.uploadV2's three steps): nothing is cut.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackConversation } from '../../src/chat/slack/slack-conversation.js';
import { MAX_THREAD_MESSAGES } from '../../src/chat/slack/thread-text.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.js';

const BOT_TOKEN = 'xoxb-thread-file';

describe('a long report in a Slack thread', () => {
  let api: FakeSlackApi;
  beforeEach(async () => {
    api = await startFakeSlackApi({ botToken: BOT_TOKEN });
  });
  afterEach(async () => {
    await api.close();
  });
  const conversation = () =>
    createSlackConversation({
      client: new WebClient(BOT_TOKEN, { slackApiUrl: api.apiUrl, retryConfig: { retries: 0 } }),
      channel: 'C0MAIL',
      user: 'U0ALICE',
    });

  it('posts the first messages and the whole text as a file in the same thread when it is too long for messages', async () => {
    const report = Array.from(
      { length: 2_000 },
      (_, i) => `  WARN    dns.example-${i}  line ${i} of a long report with evidence & <markup> that must survive`,
    ).join('\n');
    expect(report.length).toBeGreaterThan(100_000);
    await conversation().replyInThread({ conversation: 'C0MAIL', message: '1700000000.000001' }, report);

    const messages = api.callsTo('chat.postMessage');
    expect(messages).toHaveLength(MAX_THREAD_MESSAGES - 1);
    expect(messages.every((m) => m.args.thread_ts === '1700000000.000001')).toBe(true);
    expect(messages.some((m) => String(m.args.text).includes('not posted'))).toBe(false);

    const [asked] = api.callsTo('files.getUploadURLExternal');
    const [completed] = api.callsTo('files.completeUploadExternal');
    expect(asked?.args).toMatchObject({ filename: 'mxops-report.txt' });
    expect(completed?.args).toMatchObject({ channel_id: 'C0MAIL', thread_ts: '1700000000.000001' });
    expect(completed?.response).toMatchObject({ ok: true });
    const fileId = (asked?.response as { file_id: string }).file_id;
    expect(api.uploaded(fileId)).toBe(report);
  });

  it('posts messages only, and no file, when the text fits', async () => {
    await conversation().replyInThread(
      { conversation: 'C0MAIL', message: '1700000000.000001' },
      'short report\nsecond line',
    );
    expect(api.callsTo('chat.postMessage')).toHaveLength(1);
    expect(api.callsTo('files.getUploadURLExternal')).toHaveLength(0);
  });
});
