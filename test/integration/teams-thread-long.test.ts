/**
 * A text report too long for one Teams message lands whole in the card's channel thread, as
 * messages marked "Part i of n", in order, through a real CloudAdapter against the fake Bot
 * Connector, even while the connector throttles the bot (429 with Retry-After) as Teams does:
 * nothing is cut. The conversation is driven as a worker drives it, from the stored reference.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createInMemoryConversationReferenceStore } from '../../src/chat/teams/conversation-reference-store.js';
import { CONNECTOR_RETRY, type RetryTiming } from '../../src/chat/teams/connector-retry.js';
import { createTeamsConversation } from '../../src/chat/teams/teams-conversation.js';
import { partMarker, threadMessagesHtml } from '../../src/chat/teams/teams-thread.js';
import { finding } from '../../src/diagnosis/finding.js';
import { renderReportText } from '../../src/diagnosis/render-text.js';
import { sampleReport } from '../fixtures/golden/teams/sample-report.js';
import {
  loopbackTeamsEndpoint,
  sendToBot,
  TEAMS_TEST_BOT,
  TEAMS_TEST_SETTINGS,
  type ConnectorCall,
} from '../support/fake-bot-connector.js';
import { noMailcheck } from '../support/no-mailcheck.js';
import { teamsBotOnLoopback } from '../support/teams-bot-harness.js';

const SETTINGS = TEAMS_TEST_SETTINGS;
const USER = { id: '29:alex', name: 'Alex Admin', aadObjectId: '00000000-0000-4000-8000-0000000000a1' };
const CHANNEL = '19:ops@thread.tacv2';
/** The report card, posted at the top of the channel: its thread is "<channel>;messageid=<card>". */
const CARD = { conversation: CHANNEL, message: '1700000000555' };
const THREAD = `${CHANNEL};messageid=${CARD.message}`;

/** A report of a partner with hundreds of broken servers: well over 100 KB as text. */
function longReportText(): string {
  const base = sampleReport('partner.test');
  const broken = Array.from({ length: 400 }, (_, i) =>
    finding({
      id: 'smtp.starttls-broken',
      status: i % 3 === 0 ? 'fail' : 'warn',
      subject: `mx${i}.partner.test [192.0.2.${i % 250}]`,
      summary: `mx${i}.partner.test offers STARTTLS but the handshake fails: "<tls alert 40> handshake_failure" & the session ends.`,
      evidence: { reply: `250-mx${i}.partner.test Hello <mxops>`, alert: 40, elapsedMs: 1_000 + i },
      remedy: 'Renew the certificate and offer TLS 1.2 or later with a cipher suite from RFC 9325 §4.2.',
      ref: 'RFC 3207 §4; RFC 9325 §4.2',
    }),
  );
  return renderReportText({ ...base, findings: [...base.findings, ...broken] }, { verbose: true });
}

describe('a long text report in a Teams thread', () => {
  const references = createInMemoryConversationReferenceStore();
  const harness = teamsBotOnLoopback(() => ({ mailcheck: noMailcheck(), references }));
  /** The waits the retry asked for: short, so the test does not sleep for long. */
  let slept: number[];
  const retry: RetryTiming = {
    ...CONNECTOR_RETRY,
    firstDelayMs: 2,
    maxDelayMs: 50,
    sleep: (ms) => {
      slept.push(ms);
      return CONNECTOR_RETRY.sleep(ms);
    },
  };
  const inThread = (calls: readonly ConnectorCall[]): ConnectorCall[] =>
    calls.filter((c) => c.method === 'POST' && c.conversationId === THREAD);

  beforeEach(async () => {
    slept = [];
    harness.connector.throttleNext(0);
    // As in production, the channel's reference is stored when the bot first hears from it.
    await sendToBot(harness.botUrl, {
      type: 'message',
      id: 'incoming-help',
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: harness.connector.serviceUrl,
      from: USER,
      recipient: TEAMS_TEST_BOT,
      conversation: {
        id: `${CHANNEL};messageid=1700000000001`,
        conversationType: 'channel',
        isGroup: true,
        tenantId: SETTINGS.tenantId,
      },
      channelData: { tenant: { id: SETTINGS.tenantId }, channel: { id: CHANNEL }, team: { id: CHANNEL } },
      text: '<at>mxops</at> help',
      entities: [{ type: 'mention', mentioned: TEAMS_TEST_BOT, text: '<at>mxops</at>' }],
    });
    await harness.teams.settled();
  });

  /** A worker's view of the channel: its own adapter, the stored reference, the short retry. */
  const conversation = () =>
    createTeamsConversation(
      {
        adapter: loopbackTeamsEndpoint(SETTINGS).adapter,
        appId: SETTINGS.appId,
        references,
        retry,
      },
      CHANNEL,
    );

  it('posts every part, in order, although Teams answers 429 to the first and to a later one', async () => {
    const report = longReportText();
    expect(Buffer.byteLength(report)).toBeGreaterThanOrEqual(100_000);
    const expected = threadMessagesHtml(report);
    expect(expected.length).toBeGreaterThan(5);
    const { connector } = harness;
    const before = connector.calls.length;
    const throttledBefore = connector.throttled.length;

    // The connector client itself retries a 429 that names Retry-After 3 times; bursts of 6 and 5
    // outlast that, so the bot's own backoff has to carry each of those parts through.
    connector.throttleNext(6);
    const midway = connector
      .waitFor('part 3 in the thread', (calls) => inThread(calls.slice(before)).length >= 3)
      .then(() => connector.throttleNext(5));
    await conversation().replyInThread(CARD, report);
    await midway;

    expect(connector.throttled.length - throttledBefore).toBe(11);
    expect(connector.throttled.slice(throttledBefore).every((t) => t.conversationId === THREAD)).toBe(true);
    expect(slept).toHaveLength(2);

    const posted = inThread(connector.calls.slice(before));
    expect(connector.calls.slice(before)).toEqual(posted);
    // Each part once, in order: a retry repeats only the part Teams refused.
    expect(posted.map((c) => c.activity.text)).toEqual(expected);
    posted.forEach((c, i) => {
      expect(c.activity).toMatchObject({ type: 'message', textFormat: 'xml' });
      expect(String(c.activity.text).startsWith(`${partMarker(i + 1, expected.length)}<pre>`)).toBe(true);
    });
    const blocks = posted.map((c) =>
      String(c.activity.text)
        .replace(/^Part \d+ of \d+<pre>/, '')
        .replace(/<\/pre>$/, ''),
    );
    const text = blocks.join('\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    expect(text).toBe(report.replace(/\s+$/, ''));
  });

  it('gives up with the 429 once the last attempt is refused, and says so', async () => {
    const { connector } = harness;
    const before = connector.calls.length;
    connector.throttleNext(1_000);
    await expect(conversation().replyInThread(CARD, 'a short report')).rejects.toMatchObject({
      name: 'RestError',
      statusCode: 429,
    });
    expect(slept).toHaveLength(retry.attempts - 1);
    expect(inThread(connector.calls.slice(before))).toEqual([]);
  });
});
