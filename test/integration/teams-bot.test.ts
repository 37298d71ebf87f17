/**
 * The Teams surface end to end on loopback: the real CloudAdapter and TeamsActivityHandler receive
 * Bot Framework activities over HTTP, and everything the bot sends goes to a fake connector named
 * as the activities' serviceUrl (DESIGN.md, "Platform edges"). Authentication is off for these
 * requests only (see loopbackTeamsEndpoint); the last test shows the production
 * configuration refusing an unsigned request.
 */
import { manualClock } from '../support/manual-clock.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { adminNote } from '../../src/chat/admin-note.js';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import { reportCard, supersededCard, runningCard } from '../../src/chat/mailcheck-cards.js';
import { RunningChecks } from '../../src/chat/running-checks.js';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../src/chat/teams/adaptive-card.js';
import { createInMemoryConversationReferenceStore } from '../../src/chat/teams/conversation-reference-store.js';
import { renderAdaptiveCard } from '../../src/chat/teams/render-adaptive-card.js';
import { TEAMS_SERVICE_REFERENCE_KEY } from '../../src/chat/teams/teams-nag-notifier.js';
import { createTeamsBot, type TeamsBot } from '../../src/chat/teams/teams-bot.js';
import { createTeamsConversation } from '../../src/chat/teams/teams-conversation.js';
import { listenForActivities } from '../../src/chat/teams/teams-http.js';
import { singleTenantAuthentication, TEAMS_MESSAGES_PATH } from '../../src/chat/teams/teams-settings.js';
import { threadMessagesHtml } from '../../src/chat/teams/teams-thread.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { renderReportText } from '../../src/diagnosis/render-text.js';
import { HALFWAY, sampleReport } from '../fixtures/golden/teams/sample-report.js';
import {
  TEAMS_TEST_BOT,
  TEAMS_TEST_SETTINGS,
  loopbackTeamsEndpoint,
  sendToBot,
  startFakeBotConnector,
  type ConnectorCall,
  type FakeBotConnector,
} from '../support/fake-bot-connector.js';

/** The wall clock of the Re-check below: its card says "Re-checked at 10:15 UTC". */
const RECHECKED_AT = new Date('2026-12-07T10:15:00Z');
const SETTINGS = TEAMS_TEST_SETTINGS;
const BOT = TEAMS_TEST_BOT;
const USER = { id: '29:alex', name: 'Alex Admin', aadObjectId: '00000000-0000-4000-8000-0000000000a1' };
const CHANNEL = '19:ops@thread.tacv2';
/** A message posted in a channel arrives in the thread it starts: the id carries the root. */
const THREAD = `${CHANNEL};messageid=1700000000001`;
const PERSONAL = 'a:1personal-chat-with-alex';
const DOMAIN = 'partner.test';

describe('Teams bot on a real CloudAdapter', () => {
  let connector: FakeBotConnector;
  let server: Server;
  let botUrl: string;
  let teams: TeamsBot;
  const references = createInMemoryConversationReferenceStore();
  const diagnosed: string[] = [];
  const logged: string[] = [];
  let sequence = 0;

  const deps: MailcheckDeps = {
    async diagnose(target, onProgress) {
      diagnosed.push(target.domain);
      const updatesBefore = puts().length;
      // Progress comes after a tick, as from the real diagnose (which reports when a check ends).
      await Promise.resolve();
      onProgress(HALFWAY);
      // Finish only once the progress update has reached "Teams", so every run shows it.
      await connector.waitFor('the progress update', () => puts().length > updatesBefore);
      return sampleReport(target.domain);
    },
    running: new RunningChecks(),
    reports: new Map(),
    minUpdateIntervalMs: 0,
    clock: manualClock(RECHECKED_AT),
  };

  const puts = (): ConnectorCall[] => connector.calls.filter((c) => c.method === 'PUT');
  const callsFrom = (index: number): readonly ConnectorCall[] => connector.calls.slice(index);
  const cardIn = (call: ConnectorCall | undefined): unknown => {
    const attachments = call?.activity.attachments as { contentType: string; content: unknown }[] | undefined;
    expect(attachments?.[0]?.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
    return attachments?.[0]?.content;
  };
  const conversation = (id: string) =>
    id === PERSONAL
      ? { id, conversationType: 'personal', tenantId: SETTINGS.tenantId }
      : { id, conversationType: 'channel', isGroup: true, tenantId: SETTINGS.tenantId };
  const base = (conversationId: string) => ({
    id: `incoming-${++sequence}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    from: USER,
    recipient: BOT,
    conversation: conversation(conversationId),
    channelData: {
      tenant: { id: SETTINGS.tenantId },
      ...(conversationId === PERSONAL ? {} : { channel: { id: CHANNEL }, team: { id: CHANNEL } }),
    },
    locale: 'en-US',
  });
  /** In a channel the bot hears only @mentions, which arrive inside the text. */
  const message = (text: string, conversationId = THREAD) => ({
    ...base(conversationId),
    type: 'message',
    text: conversationId === PERSONAL ? text : `<at>mxops</at> ${text}`,
    entities: conversationId === PERSONAL ? [] : [{ type: 'mention', mentioned: BOT, text: '<at>mxops</at>' }],
  });
  const click = (verb: string, value: string, cardId: string) => ({
    ...base(THREAD),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: cardId,
    value: { action: { type: 'Action.Execute', verb, data: { value } }, trigger: 'manual' },
  });
  /** Sends an activity and waits until the work it started is done. */
  const send = async (activity: Record<string, unknown>) => {
    const answer = await sendToBot(botUrl, activity);
    await teams.settled();
    return answer;
  };

  beforeAll(async () => {
    connector = await startFakeBotConnector();
    teams = createTeamsBot(SETTINGS, chatCommands(deps), {
      references,
      endpoint: loopbackTeamsEndpoint(SETTINGS),
      log: (line) => logged.push(line),
    });
    server = await listenForActivities(teams.handle, 0, '127.0.0.1');
    botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TEAMS_MESSAGES_PATH}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await connector.close();
  });

  it('answers "mailcheck" with a running card, updates that card in place, ends with the report and puts details in the thread', async () => {
    const target = parseCheckTarget(DOMAIN);
    const report = sampleReport(DOMAIN);
    const answer = await send(message(`mailcheck ${DOMAIN}`));
    expect(answer.status).toBe(200);

    const [first, ...rest] = connector.calls;
    expect(first).toMatchObject({
      method: 'POST',
      conversationId: THREAD,
      activityId: undefined,
      authorization: undefined,
    });
    expect(first?.activity.replyToId).toBeUndefined();
    expect(cardIn(first)).toEqual(renderAdaptiveCard(runningCard(target)));

    const updates = rest.filter((c) => c.method === 'PUT');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const update of updates)
      expect(update).toMatchObject({ conversationId: THREAD, activityId: first?.id, authorization: undefined });
    expect(cardIn(updates[0])).toEqual(renderAdaptiveCard(runningCard(target, HALFWAY)));
    expect(cardIn(updates.at(-1))).toEqual(renderAdaptiveCard(reportCard(target, report, DOMAIN)));

    // The details follow the final card, in the thread the command was typed in.
    const last = rest.at(-1);
    expect(rest.indexOf(updates.at(-1) as ConnectorCall)).toBeLessThan(rest.indexOf(last as ConnectorCall));
    expect(last).toMatchObject({ method: 'POST', conversationId: THREAD, activityId: undefined });
    expect(last?.activity).toMatchObject({
      type: 'message',
      textFormat: 'xml',
      text: threadMessagesHtml(renderReportText(report, { verbose: true }))[0],
    });
    expect(String(last?.activity.text)).toContain('dns.answer-over-512');
    expect(diagnosed).toEqual([DOMAIN]);
  });

  it('runs "Note for their admin" from a button click: answers the invoke at once, then replies in the thread', async () => {
    const cardId = connector.calls[0]?.id ?? '';
    const from = connector.calls.length;
    const answer = await send(click(ACTION_IDS.mailcheckAdminNote, DOMAIN, cardId));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringContaining(DOMAIN),
    });

    const sent = callsFrom(from);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', conversationId: THREAD });
    expect(sent[0]?.activity.text).toBe(threadMessagesHtml(adminNote(sampleReport(DOMAIN)))[0]);
    // The report of the first run was reused: no second diagnosis.
    expect(diagnosed).toEqual([DOMAIN]);
  });

  it('runs "Re-check" from a button click: a new card goes through the same running -> report cycle', async () => {
    const from = connector.calls.length;
    const answer = await send(click(ACTION_IDS.mailcheckRecheck, DOMAIN, connector.calls[0]?.id ?? ''));
    expect(answer).toMatchObject({
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message' },
    });

    const [posted, ...rest] = callsFrom(from);
    const first = connector.calls[0]?.id;
    expect(posted).toMatchObject({ method: 'POST', conversationId: THREAD });
    expect(posted?.id).not.toBe(first);
    const target = parseCheckTarget(DOMAIN);
    const puts = rest.filter((c) => c.method === 'PUT');
    // The new card ends as a report that says it was re-checked; the old card loses its buttons and points to it.
    expect(cardIn(puts.filter((c) => c.activityId === posted?.id).at(-1))).toEqual(
      renderAdaptiveCard(reportCard(target, sampleReport(DOMAIN), DOMAIN, { recheckedAt: RECHECKED_AT })),
    );
    expect(cardIn(puts.at(-1))).toEqual(
      renderAdaptiveCard(supersededCard(reportCard(target, sampleReport(DOMAIN), DOMAIN), RECHECKED_AT)),
    );
    expect(puts.at(-1)?.activityId).toBe(first);
    expect(puts.every((c) => c.activityId === posted?.id || c.activityId === first)).toBe(true);
    expect(diagnosed).toEqual([DOMAIN, DOMAIN]);
  });

  it('refuses a click it does not know with an error invoke response', async () => {
    const answer = await send(click('mailcheck.unknown', DOMAIN, 'activity-1'));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest' },
    });
  });

  it.each([
    ['help', 'mailcheck &lt;domain or address&gt;'],
    ['mailcheck', 'Name a domain or an address to check.'],
    ['mailcheck partner.test other.test', 'One domain or address at a time'],
    ['frobnicate partner.test', 'Unknown command "frobnicate".'],
  ])('answers %j with a plain reply in the same thread (Teams has no ephemeral messages)', async (text, expected) => {
    const from = connector.calls.length;
    expect((await send(message(text))).status).toBe(200);
    const sent = callsFrom(from);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', conversationId: THREAD, activity: { textFormat: 'xml' } });
    expect(String(sent[0]?.activity.text)).toContain(expected);
  });

  it('lets a worker with its own adapter continue stored conversations: a top-level channel card gets a ";messageid=" thread, a chat does not', async () => {
    // The personal chat becomes known to the store through an incoming message, as in production.
    await send(message('help', PERSONAL));
    const worker = {
      adapter: loopbackTeamsEndpoint(SETTINGS).adapter,
      appId: SETTINGS.appId,
      references,
    };
    const card = runningCard(parseCheckTarget(DOMAIN));

    const from = connector.calls.length;
    const inChannel = createTeamsConversation(worker, CHANNEL);
    const channelCard = await inChannel.post(card);
    await inChannel.replyInThread(channelCard, 'details for the channel');
    const inChat = createTeamsConversation(worker, PERSONAL);
    const chatCard = await inChat.post(card);
    await inChat.replyInThread(chatCard, 'details for the chat');

    const sent = callsFrom(from);
    expect(sent.map((c) => [c.method, c.conversationId])).toEqual([
      ['POST', CHANNEL],
      ['POST', `${CHANNEL};messageid=${channelCard.message}`],
      ['POST', PERSONAL],
      ['POST', PERSONAL],
    ]);
    expect(sent[1]?.activity.text).toBe('<pre>details for the channel</pre>');
    expect(sent.every((c) => c.activity.serviceUrl === connector.serviceUrl && c.activityId === undefined)).toBe(true);
  });

  it('remembers the last reference heard from Teams, where nag workers learn the service URL and tenant', async () => {
    await send(message('help', PERSONAL));
    expect(await references.get(TEAMS_SERVICE_REFERENCE_KEY)).toMatchObject({
      serviceUrl: connector.serviceUrl,
      conversation: { id: PERSONAL },
    });
    await send(message('help'));
    expect((await references.get(TEAMS_SERVICE_REFERENCE_KEY))?.conversation.id).not.toBe(PERSONAL);
  });

  it('fails clearly when asked to write to a conversation it has never heard from', async () => {
    const unknown = createTeamsConversation(
      { adapter: teams.adapter, appId: SETTINGS.appId, references },
      '19:never-seen@thread.tacv2',
    );
    await expect(unknown.whisper('hello')).rejects.toThrow(/no stored Teams conversation reference/);
  });

  it('keeps authentication on in the production configuration: an unsigned activity gets 401 and nothing is sent', async () => {
    expect(() => singleTenantAuthentication({ ...SETTINGS, appId: '' })).toThrow(/MicrosoftAppId is required/);
    const secured = createTeamsBot(SETTINGS, chatCommands(deps), {
      references: createInMemoryConversationReferenceStore(),
      log: (line) => logged.push(line),
    });
    const securedServer = await listenForActivities(secured.handle, 0, '127.0.0.1');
    // CloudAdapter.process logs the AuthenticationError to the console itself.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const from = connector.calls.length;
      const answer = await sendToBot(
        `http://127.0.0.1:${(securedServer.address() as AddressInfo).port}${TEAMS_MESSAGES_PATH}`,
        message(`mailcheck ${DOMAIN}`),
      );
      await secured.settled();
      expect(answer.status).toBe(401);
      expect(callsFrom(from)).toEqual([]);
    } finally {
      quiet.mockRestore();
      securedServer.closeAllConnections();
      await new Promise((resolve) => securedServer.close(resolve));
    }
  });
});
