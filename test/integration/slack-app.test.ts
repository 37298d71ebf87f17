/**
 * The real Bolt App over HTTP on loopback, fed signed Slack payloads; its Web API calls go to a
 * fake slack.com that records them (DESIGN.md, Testing: "Platform edges"). diagnose is a fake that
 * reports progress and then waits for the test to let it finish, so ack timing is observable.
 */
import { systemClock } from '../../src/clock.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import { RunningChecks } from '../../src/chat/running-checks.js';
import { createSlackApp, type SlackApp } from '../../src/chat/slack/slack-app.js';
import { HALFWAY, sampleReport } from '../fixtures/golden/slack/sample-report.js';
import {
  blockActionsBody,
  sendToApp,
  slashCommandBody,
  startFakeSlackApi,
  type FakeSlackApi,
  type RecordedCall,
} from '../support/fake-slack-api.js';

const SECRET = 'test-signing-secret';
const BOT_TOKEN = 'xoxb-test-token';
const WAIT = { timeout: 8_000, interval: 20 };

let api: FakeSlackApi;
let slack: SlackApp;
let eventsUrl: string;
let diagnosed: string[];
let finishDiagnosis: () => void;

function headerOf(call: RecordedCall | undefined): string | undefined {
  const blocks = call?.args.blocks as { type: string; text?: { text: string } }[] | undefined;
  return blocks?.find((b) => b.type === 'header')?.text?.text;
}

function blockTexts(call: RecordedCall | undefined): string {
  return JSON.stringify(call?.args.blocks ?? []);
}

/** Calls other than the start-up auth.test: what a request made the app do. */
function work(): RecordedCall[] {
  return api.calls.filter((c) => c.method !== 'auth.test');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  api = await startFakeSlackApi({ botToken: BOT_TOKEN });
  diagnosed = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  finishDiagnosis = release;
  const deps: MailcheckDeps = {
    diagnose: async (target, onProgress, options) => {
      diagnosed.push(`${target.domain}${options?.fresh ? ' (fresh)' : ''}`);
      // Like the real diagnose, progress comes after the first lookups: RunningChecks.join cannot take
      // progress reported synchronously, before it has returned (its entry is not assigned yet).
      await sleep(5);
      onProgress({ checksDone: 1, checksTotal: 12, mailServers: undefined, findings: [] });
      onProgress(HALFWAY);
      await gate;
      return sampleReport(target.domain);
    },
    running: new RunningChecks(),
    reports: new Map(),
    minUpdateIntervalMs: 0,
    clock: systemClock,
  };
  slack = createSlackApp(
    {
      botToken: BOT_TOKEN,
      signingSecret: SECRET,
      appToken: undefined,
      port: 0,
      host: '127.0.0.1',
      command: '/mailcheck',
      patchCommand: '/patch',
      apiUrl: api.apiUrl,
      logLevel: 'error',
    },
    chatCommands(deps),
  );
  const { port } = await slack.start();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
});

afterEach(async () => {
  finishDiagnosis();
  await slack.stop();
  await api.close();
});

async function mailcheck(text: string, options: { retryNum?: number; triggerId?: string } = {}) {
  return sendToApp(
    eventsUrl,
    slashCommandBody({
      text,
      responseUrl: api.responseUrl('cmd'),
      ...(options.triggerId ? { triggerId: options.triggerId } : {}),
    }),
    { signingSecret: SECRET, ...(options.retryNum ? { retryNum: options.retryNum } : {}) },
  );
}

/** Runs /mailcheck to the end and returns the card's ts. */
async function completedCheck(domain: string): Promise<string> {
  finishDiagnosis();
  expect((await mailcheck(domain)).status).toBe(200);
  await vi.waitFor(
    () => expect(api.callsTo('chat.postMessage').some((c) => c.args.thread_ts !== undefined)).toBe(true),
    WAIT,
  );
  return String(api.callsTo('chat.postMessage')[0]?.response.ts);
}

describe('Slack app: /mailcheck', () => {
  it('acks before the check ends, then updates one message in place and ends with the verdict and the thread', async () => {
    const delivery = await mailcheck('partner.com');
    expect(delivery.status).toBe(200);
    expect(delivery.body).toBe('');
    expect(delivery.elapsedMs).toBeLessThan(3_000);
    // The check is still waiting on the gate: the HTTP answer did not wait for it.
    expect(api.callsTo('chat.update').some((c) => headerOf(c) === 'partner.com: FAIL')).toBe(false);

    await vi.waitFor(() => expect(api.callsTo('chat.postMessage')).toHaveLength(1), WAIT);
    const posted = api.callsTo('chat.postMessage')[0];
    expect(posted?.args.channel).toBe('C0MAIL');
    expect(headerOf(posted)).toBe('Checking partner.com');
    expect(posted?.args.text).toBe('Checking partner.com...');
    const ts = posted?.response.ts;
    expect(ts).toMatch(/^\d+\.\d+$/);

    await vi.waitFor(
      () => expect(api.callsTo('chat.update').some((c) => blockTexts(c).includes('5 of 12 done'))).toBe(true),
      WAIT,
    );
    finishDiagnosis();
    await vi.waitFor(
      () => expect(api.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts).length).toBeGreaterThan(0),
      WAIT,
    );

    const updates = api.callsTo('chat.update');
    expect(updates.every((u) => u.args.ts === ts && u.args.channel === 'C0MAIL')).toBe(true);
    expect(headerOf(updates.at(-1))).toBe('partner.com: FAIL');
    expect(blockTexts(updates.at(-1))).toContain('mailcheck.admin-note');
    const thread = api.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    expect(String(thread[0]?.args.text)).toMatch(/^```\n/);
    expect(thread.map((c) => String(c.args.text)).join('\n')).toContain('dns.answer-over-512');
    // The verdict is in place before the details arrive under it.
    expect(api.calls.indexOf(updates.at(-1) as RecordedCall)).toBeLessThan(
      api.calls.indexOf(thread[0] as RecordedCall),
    );
    expect(diagnosed).toEqual(['partner.com']);
  });

  it('answers help and bad input with an ephemeral message to the user alone', async () => {
    finishDiagnosis();
    expect((await mailcheck('help')).status).toBe(200);
    expect((await mailcheck('partner.com other.com')).status).toBe(200);
    await vi.waitFor(() => expect(api.callsTo('chat.postEphemeral')).toHaveLength(2), WAIT);
    const [help, invalid] = api.callsTo('chat.postEphemeral');
    expect(help?.args).toMatchObject({ channel: 'C0MAIL', user: 'U0ADMIN' });
    // "<domain or address>" would be read as a link if sent raw.
    expect(help?.args.text).toContain('mailcheck &lt;domain or address&gt;');
    expect(invalid?.args).toMatchObject({ channel: 'C0MAIL', user: 'U0ADMIN' });
    expect(invalid?.args.text).toContain('One domain or address at a time');
    expect(api.callsTo('chat.postMessage')).toEqual([]);
    expect(diagnosed).toEqual([]);
  });

  it('takes an address the Slack client turned into a mailto link as typed', async () => {
    finishDiagnosis();
    expect((await mailcheck('<mailto:jane@partner.com|jane@partner.com>')).status).toBe(200);
    await vi.waitFor(() => expect(api.callsTo('chat.postMessage').length).toBeGreaterThan(0), WAIT);
    expect(headerOf(api.callsTo('chat.postMessage')[0])).toBe('Checking partner.com (as mail to jane@partner.com)');
    // The diagnosis starts once the running card is posted: the fake API may record the post first.
    await vi.waitFor(() => expect(diagnosed).toEqual(['partner.com']), WAIT);
  });

  it('whispers through response_url where chat.postEphemeral cannot reach (a DM, a channel without the bot)', async () => {
    api.failNext('chat.postEphemeral', 'channel_not_found');
    expect((await mailcheck('help')).status).toBe(200);
    await vi.waitFor(() => expect(api.callsTo('response_url')).toHaveLength(1), WAIT);
    expect(api.callsTo('response_url')[0]?.args).toMatchObject({
      id: 'cmd',
      response_type: 'ephemeral',
      text: expect.stringContaining('mailcheck &lt;domain'),
    });
  });

  it('tells the user, ephemerally, when it cannot post in the channel', async () => {
    api.failNext('chat.postMessage', 'not_in_channel');
    expect((await mailcheck('partner.com')).status).toBe(200);
    await vi.waitFor(() => expect(api.callsTo('response_url')).toHaveLength(1), WAIT);
    expect(api.callsTo('response_url')[0]?.args).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Invite me'),
    });
  });
});

describe('Slack app: request checks', () => {
  it('rejects a forged signature with 401 and runs nothing', async () => {
    const forged = await sendToApp(
      eventsUrl,
      slashCommandBody({ text: 'partner.com', responseUrl: api.responseUrl('cmd') }),
      { signingSecret: 'not-the-secret' },
    );
    expect(forged.status).toBe(401);
    const stale = await sendToApp(
      eventsUrl,
      slashCommandBody({ text: 'partner.com', responseUrl: api.responseUrl('cmd') }),
      { signingSecret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect(stale.status).toBe(401);
    await sleep(300);
    expect(work()).toEqual([]);
    expect(diagnosed).toEqual([]);
  });

  it('refuses a request dated more than 5 minutes ahead, as Bolt refuses a stale one, and takes one within the skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = (triggerId: string): string =>
      slashCommandBody({ text: 'partner.com', responseUrl: api.responseUrl('cmd'), triggerId });
    const ahead = await sendToApp(eventsUrl, body('ahead'), { signingSecret: SECRET, timestamp: now + 6 * 60 });
    expect({ status: ahead.status, body: ahead.body }).toEqual({ status: 401, body: '' });
    const farAhead = await sendToApp(eventsUrl, body('far-ahead'), {
      signingSecret: SECRET,
      timestamp: now + 365 * 86_400,
    });
    expect(farAhead.status).toBe(401);
    await sleep(300);
    expect(work()).toEqual([]);
    expect(diagnosed).toEqual([]);
    // Clocks drift a little: a request a minute ahead is Slack's, on time.
    expect(
      (await sendToApp(eventsUrl, body('slightly-ahead'), { signingSecret: SECRET, timestamp: now + 60 })).status,
    ).toBe(200);
    await vi.waitFor(() => expect(diagnosed).toEqual(['partner.com']), WAIT);
  });

  it('acks a retried delivery (X-Slack-Retry-Num) and runs nothing', async () => {
    const retry = await mailcheck('partner.com', { retryNum: 1 });
    expect(retry.status).toBe(200);
    await sleep(300);
    expect(work()).toEqual([]);
    expect(diagnosed).toEqual([]);
  });

  it('runs a payload delivered twice with the same trigger_id once', async () => {
    finishDiagnosis();
    expect((await mailcheck('partner.com', { triggerId: 'trigger-once' })).status).toBe(200);
    expect((await mailcheck('partner.com', { triggerId: 'trigger-once' })).status).toBe(200);
    await vi.waitFor(
      () => expect(api.callsTo('chat.postMessage').some((c) => c.args.thread_ts !== undefined)).toBe(true),
      WAIT,
    );
    await sleep(200);
    expect(api.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === undefined)).toHaveLength(1);
    expect(diagnosed).toEqual(['partner.com']);
  });
});

describe('Slack app: buttons', () => {
  it('posts the note for their admin in the card thread', async () => {
    const ts = await completedCheck('partner.com');
    const before = api.callsTo('chat.postMessage').length;
    const click = await sendToApp(
      eventsUrl,
      blockActionsBody({
        actionId: ACTION_IDS.mailcheckAdminNote,
        value: 'partner.com',
        messageTs: ts,
        responseUrl: api.responseUrl('click'),
      }),
      { signingSecret: SECRET },
    );
    expect(click.status).toBe(200);
    await vi.waitFor(() => expect(api.callsTo('chat.postMessage').length).toBeGreaterThan(before), WAIT);
    const note = api.callsTo('chat.postMessage').slice(before);
    expect(note.every((c) => c.args.thread_ts === ts && c.args.channel === 'C0MAIL')).toBe(true);
    expect(String(note[0]?.args.text)).toContain('Hello,');
    expect(String(note[0]?.args.text)).toContain('dig +noedns +ignore ANY partner.com @ns1.partner.com');
    // The stored report answered the click: no second diagnosis.
    expect(diagnosed).toEqual(['partner.com']);
  });

  it('re-checks in a new message', async () => {
    const ts = await completedCheck('partner.com');
    const click = await sendToApp(
      eventsUrl,
      blockActionsBody({
        actionId: ACTION_IDS.mailcheckRecheck,
        value: 'partner.com',
        messageTs: ts,
        responseUrl: api.responseUrl('click'),
      }),
      { signingSecret: SECRET },
    );
    expect(click.status).toBe(200);
    await vi.waitFor(
      () => expect(api.callsTo('chat.postMessage').filter((c) => c.args.thread_ts !== undefined).length).toBe(2),
      WAIT,
    );
    const cards = api.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === undefined);
    expect(cards.map(headerOf)).toEqual(['Checking partner.com', 'Checking partner.com']);
    // The click asks for a fresh run: past the recent result and past the probe cache.
    expect(diagnosed).toEqual(['partner.com', 'partner.com (fresh)']);
    finishDiagnosis();
    // The new answer says it was re-checked; the old one loses its buttons and points to it.
    await vi.waitFor(
      () =>
        expect(
          api
            .callsTo('chat.update')
            .some(
              (c) =>
                c.args.ts === ts && JSON.stringify(c.args.blocks).includes('the newer answer is in the next message'),
            ),
        ).toBe(true),
      WAIT,
    );
    const superseded = api.callsTo('chat.update').findLast((c) => c.args.ts === ts);
    expect(JSON.stringify(superseded?.args.blocks)).not.toContain('"type":"actions"');
    expect(
      api
        .callsTo('chat.update')
        .some(
          (c) =>
            c.args.ts !== ts &&
            /Re-checked at \d\d:\d\d UTC, every mail server probed afresh/.test(JSON.stringify(c.args.blocks)),
        ),
    ).toBe(true);
  });
});

describe('Slack app: rate limits', () => {
  it('retries a chat.update answered 429 after Retry-After, and the final card still lands last', async () => {
    api.rateLimitNext('chat.update', 1);
    expect((await mailcheck('partner.com')).status).toBe(200);
    await vi.waitFor(
      () => expect(api.calls.some((c) => c.method === 'chat.update' && c.status === 429)).toBe(true),
      WAIT,
    );
    finishDiagnosis();
    await vi.waitFor(() => expect(headerOf(api.callsTo('chat.update').at(-1))).toBe('partner.com: FAIL'), WAIT);

    const updates = api.calls.filter((c) => c.method === 'chat.update');
    const limited = updates.findIndex((c) => c.status === 429);
    const retried = updates[limited + 1];
    expect(updates.filter((c) => c.status === 429)).toHaveLength(1);
    // The same update, sent again once Slack's Retry-After had passed.
    expect(retried?.status).toBe(200);
    expect(retried?.args.blocks).toEqual(updates[limited]?.args.blocks);
    expect((retried?.at ?? 0) - (updates[limited]?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(updates.every((u) => u.args.ts === api.callsTo('chat.postMessage')[0]?.response.ts)).toBe(true);
  });
});
