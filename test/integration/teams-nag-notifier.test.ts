/**
 * The Teams nag notifier on a real CloudAdapter, as a worker uses it: no incoming turn, only
 * stored references, and every Bot Connector call captured by a fake connector on loopback
 * (authentication off, as in teams-bot.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../../src/chat/card.js';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../src/chat/teams/adaptive-card.js';
import {
  createInMemoryConversationReferenceStore,
  type ConversationReferenceStore,
  type StoredConversationReference,
} from '../../src/chat/teams/conversation-reference-store.js';
import { renderAdaptiveCard } from '../../src/chat/teams/render-adaptive-card.js';
import type { TeamsConnection } from '../../src/chat/teams/teams-conversation.js';
import { createTeamsNagNotifier, TEAMS_SERVICE_REFERENCE_KEY } from '../../src/chat/teams/teams-nag-notifier.js';
import { isAppError } from '../../src/errors.js';
import {
  TEAMS_TEST_BOT,
  TEAMS_TEST_SETTINGS,
  loopbackTeamsEndpoint,
  startFakeBotConnector,
  type ConnectorCall,
  type FakeBotConnector,
} from '../support/fake-bot-connector.js';

const SETTINGS = TEAMS_TEST_SETTINGS;
const BOT = TEAMS_TEST_BOT;
/** A channel the bot has never heard from: only the team's service reference is known. */
const CHANNEL = '19:mail-gateways@thread.tacv2';
const ALICE_AAD = '00000000-0000-4000-8000-0000000000a1';
const card: Card = {
  summary: 'mail-gw-1: CVE-2026-1000 is 3 days overdue',
  blocks: [
    { kind: 'header', text: 'mail-gw-1: CVE-2026-1000 is 3 days overdue' },
    { kind: 'text', text: 'The patch is now overdue.' },
  ],
};

describe('Teams nag notifier against a local Bot Connector', () => {
  let connector: FakeBotConnector;
  let references: ConversationReferenceStore;
  let connection: TeamsConnection;

  /** As the bot stores it from an incoming activity (teams-bot.ts storedReference). */
  const heardFrom = (conversationId: string): StoredConversationReference => ({
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    locale: 'en-US',
    conversation: {
      id: conversationId,
      conversationType: 'channel',
      isGroup: true,
      name: '',
      tenantId: SETTINGS.tenantId,
    },
    bot: BOT,
  });
  const cardIn = (call: ConnectorCall | undefined): unknown => {
    const attachments = call?.activity.attachments as { contentType: string; content: unknown }[] | undefined;
    expect(attachments).toHaveLength(1);
    expect(attachments?.[0]?.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
    return attachments?.[0]?.content;
  };

  beforeEach(async () => {
    connector = await startFakeBotConnector();
    references = createInMemoryConversationReferenceStore();
    connection = {
      adapter: loopbackTeamsEndpoint(SETTINGS).adapter,
      appId: SETTINGS.appId,
      references,
    };
  });
  afterEach(async () => {
    await connector.close();
  });

  it('starts a thread in the channel, replies under its root, and opens a 1:1 chat for a DM, each with the card and the marker', async () => {
    // Heard in another team's channel: the serviceUrl and tenant serve the nag channel too.
    await references.put(TEAMS_SERVICE_REFERENCE_KEY, heardFrom('19:general@thread.tacv2'));
    const notifier = createTeamsNagNotifier(connection);
    expect(notifier.platform).toBe('teams');

    const thread = await notifier.startThread(CHANNEL, card, 'nag-1-1');
    await notifier.replyInThread(thread, card, { broadcast: true, marker: 'nag-1-2' });
    const sentTo = await notifier.directMessage(ALICE_AAD, card, 'nag-1-2');

    expect(connector.created).toHaveLength(1);
    const chat = connector.created[0];
    expect(chat?.parameters).toEqual({
      isGroup: false,
      bot: BOT,
      members: [{ id: ALICE_AAD, name: '' }],
      tenantId: SETTINGS.tenantId,
      channelData: { tenant: { id: SETTINGS.tenantId } },
    });

    const [root, reply, direct, ...more] = connector.calls;
    expect(more).toEqual([]);
    expect(thread).toEqual({ conversation: CHANNEL, message: root?.id });
    // All are plain sendToConversation posts: no replyToActivity with an id Teams never issued.
    expect(
      [root, reply, direct].map((call) => [
        call?.method,
        call?.conversationId,
        call?.activityId,
        call?.activity.replyToId,
      ]),
    ).toEqual([
      ['POST', CHANNEL, undefined, undefined],
      // broadcast: true changes nothing on Teams.
      ['POST', `${CHANNEL};messageid=${thread.message}`, undefined, undefined],
      ['POST', chat?.id, undefined, undefined],
    ]);
    expect(
      [root, reply, direct].map(
        (call) => (call?.activity.channelData as { mxopsNag?: { marker?: string } } | undefined)?.mxopsNag?.marker,
      ),
    ).toEqual(['nag-1-1', 'nag-1-2', 'nag-1-2']);
    for (const call of [root, reply, direct]) {
      expect(cardIn(call)).toEqual(renderAdaptiveCard(card));
      expect(call?.activity).toMatchObject({
        type: 'message',
        summary: card.summary,
        from: { id: BOT.id },
        serviceUrl: connector.serviceUrl,
      });
      expect(call?.activity.conversation).toMatchObject({ tenantId: SETTINGS.tenantId });
    }
    expect(root?.activity.conversation).toMatchObject({ id: CHANNEL, conversationType: 'channel', isGroup: true });

    // The direct message says where it landed: the 1:1 chat the connector opened.
    expect(sentTo).toEqual({ conversation: chat?.id, message: direct?.id });

    // The Bot Connector cannot read a thread back: a retry re-posts rather than guessing.
    expect(await notifier.inThread(thread, 'nag-1-1')).toBe(false);
    expect(connector.calls).toHaveLength(3);
  });

  it('replaces a card in place, in a channel, a thread reply and a 1:1 chat, with no incoming turn', async () => {
    await references.put(TEAMS_SERVICE_REFERENCE_KEY, heardFrom('19:general@thread.tacv2'));
    const notifier = createTeamsNagNotifier(connection);
    const thread = await notifier.startThread(CHANNEL, card, 'outage-1');
    const reply = { conversation: `${CHANNEL};messageid=${thread.message}`, message: 'activity-reply' };
    const direct = await notifier.directMessage(ALICE_AAD, card, 'outage-1');
    const decided: Card = {
      summary: 'Outage approved: mail-gw-1',
      blocks: [{ kind: 'header', text: 'Outage approved: mail-gw-1' }],
    };
    const before = connector.calls.length;
    for (const ref of [thread, reply, direct]) await notifier.update(ref, decided);

    const puts = connector.calls.slice(before);
    expect(puts.map((call) => [call.method, call.conversationId, call.activityId, call.activity.replyToId])).toEqual([
      ['PUT', CHANNEL, thread.message, undefined],
      ['PUT', reply.conversation, 'activity-reply', undefined],
      ['PUT', direct.conversation, direct.message, undefined],
    ]);
    for (const call of puts) {
      expect(cardIn(call)).toEqual(renderAdaptiveCard(decided));
      expect(call.activity).toMatchObject({ type: 'message', id: call.activityId, summary: decided.summary });
      expect(call.activity.conversation).toMatchObject({ id: call.conversationId, tenantId: SETTINGS.tenantId });
    }
    expect(puts[2]?.activity.conversation).toMatchObject({ conversationType: 'personal', isGroup: false });
  });

  it('cannot update anything before it has heard from Teams', async () => {
    const notifier = createTeamsNagNotifier(connection);
    await expect(notifier.update({ conversation: CHANNEL, message: '1700000000001' }, card)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(connector.calls).toEqual([]);
  });

  it("uses the channel's own stored reference when the bot has heard from that channel", async () => {
    await references.put(CHANNEL, heardFrom(CHANNEL));
    const notifier = createTeamsNagNotifier(connection);
    const thread = await notifier.startThread(CHANNEL, card, 'nag-2-1');
    expect(connector.calls.map((call) => [call.method, call.conversationId])).toEqual([['POST', CHANNEL]]);
    expect(thread.message).toBe(connector.calls[0]?.id);
    // A DM has no channel to look up: it needs the service reference.
    await expect(notifier.directMessage(ALICE_AAD, card, 'nag-2-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(connector.created).toEqual([]);
  });

  it('fails with a coded, explained error and sends nothing while no Teams service URL is known', async () => {
    const notifier = createTeamsNagNotifier(connection);
    const attempts = [
      notifier.startThread(CHANNEL, card, 'nag-3-1'),
      notifier.replyInThread({ conversation: CHANNEL, message: '1700000000001' }, card, {
        broadcast: false,
        marker: 'nag-3-2',
      }),
      notifier.directMessage(ALICE_AAD, card, 'nag-3-2'),
    ];
    for (const attempt of attempts) {
      const error = await attempt.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(isAppError(error, 'NOT_FOUND')).toBe(true);
      expect((error as Error).message).toBe(
        'mxops has not heard from Teams yet: message the bot once or install it in the team so it learns the service URL',
      );
    }
    expect(connector.calls).toEqual([]);
    expect(connector.created).toEqual([]);
  });
});
