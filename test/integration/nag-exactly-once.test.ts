/**
 * One nag, a worker that dies at a chosen step of its delivery, and the retry, against the real
 * notifiers: Slack through a fake Web API, Teams through a fake Bot Connector. The death is the
 * notifier throwing right after the platform took a message (or right before), which is where a
 * kill -9 leaves an unrecorded post; nag-worker-killed.test.ts kills real processes at random.
 */
import { clockFrom } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatchNagProcessor } from '../../jobs/patch-nag.js';
import type { NagNotifier } from '../../src/chat/nag-notifier.js';
import { createSlackNagNotifier } from '../../src/chat/slack/slack-nag-notifier.js';
import { nagJobId } from '../../src/queue/patch-jobs.js';
import { type NagId, sweepDuePatches, unsentNags } from '../../src/store/escalation-sweep.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { teamsNotifierThrough } from '../support/teams-channel-notifier.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../support/fake-slack-api.js';
import { DAY, inventory, patch, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

/** In the past: the fake Slack stamps messages with the real clock, and a retry looks only at those since the nag was planned. */
const now = Date.parse('2026-06-01T10:00:00Z');
const BOT_TOKEN = 'xoxb-exactly-once';
const SLACK_CHANNEL = 'CMAILOPS';
const TEAMS_CHANNEL = '19:mailops@thread.tacv2';
/** The first level reaches owner, manager and leadership: three direct messages, then the thread. */
const POLICY = {
  ...STANDARD_POLICY,
  levels: [
    { targets: ['owner', 'manager', 'leadership'] as const, waitMs: 2 * DAY },
    ...STANDARD_POLICY.levels.slice(1),
  ],
};

type Step = 'directMessage' | 'startThread';

/**
 * The notifier of a worker that dies at the `nth` call of `step`: after the platform took the
 * message ('after'), or before it was sent ('before'). Later calls throw too: the worker is gone.
 */
function dyingAt(notifier: NagNotifier, step: Step, nth: number, when: 'after' | 'before'): NagNotifier {
  let calls = 0;
  let dead = false;
  const guard = async <T>(name: string, send: () => Promise<T>): Promise<T> => {
    if (dead) throw new Error('this worker is gone');
    if (name !== step || ++calls < nth) return send();
    dead = true;
    if (when === 'before') throw new Error(`killed before ${step}`);
    await send();
    throw new Error(`killed after ${step}`);
  };
  return {
    ...notifier,
    platform: notifier.platform,
    startThread: (channel, card, marker) => guard('startThread', () => notifier.startThread(channel, card, marker)),
    directMessage: (user, card, marker) => guard('directMessage', () => notifier.directMessage(user, card, marker)),
    replyInThread: (thread, card, options) =>
      guard('replyInThread', () => notifier.replyInThread(thread, card, options)),
  };
}

describe.each(STORE_DIALECTS)('a nag whose worker dies mid-delivery on %s', (dialect) => {
  let store: TestDatabase;
  let nag: NagId;
  let marker: string;

  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    await importInventory(
      store,
      inventory({
        policies: [POLICY],
        systems: [system('mail-gw-1')],
        patches: [patch('mail-gw-1', 'CVE-2026-8000', now - 10 * DAY)],
      }),
      { actor: 'test', surface: 'cli', now, source: 'test' },
    );
    await sweepDuePatches(store, now);
    [nag] = (await unsentNags(store.db)) as [NagId];
    marker = nagJobId(nag);
  });
  afterEach(async () => {
    await store.drop();
  });

  const deliver = (notifiers: readonly NagNotifier[]) =>
    createPatchNagProcessor({ store, notifiers, clock: clockFrom(() => now) })({ id: marker, data: nag } as never);
  const recorded = () =>
    store.db
      .selectFrom('nag_direct_messages')
      .select(['platform', 'recipient', 'conversation', 'message'])
      .orderBy('recipient')
      .execute();
  const savedThreads = () =>
    store.db.selectFrom('patch_threads').select(['platform', 'conversation', 'message']).execute();

  describe('on Slack', () => {
    let slack: FakeSlackApi;
    let notifier: NagNotifier;
    beforeEach(async () => {
      slack = await startFakeSlackApi({ botToken: BOT_TOKEN, realTimestamps: true });
      notifier = createSlackNagNotifier(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    });
    afterEach(async () => {
      await slack.close();
    });

    const postsTo = (channel: string): RecordedCall[] =>
      slack.callsTo('chat.postMessage').filter((call) => call.args.channel === channel);
    const markerOf = (call: RecordedCall | undefined) =>
      (call?.args.metadata as { event_type?: string; event_payload?: { marker?: string } } | undefined)?.event_payload
        ?.marker;

    it('dies after starting the thread and before saving it: the retry finds the root and starts no second thread', async () => {
      await expect(deliver([dyingAt(notifier, 'startThread', 1, 'after')])).rejects.toThrow('killed after startThread');
      expect(await savedThreads()).toEqual([]);
      expect(await deliver([notifier])).toBe('resent');

      const roots = postsTo(SLACK_CHANNEL);
      expect(roots).toHaveLength(1);
      expect(markerOf(roots[0])).toBe(marker);
      expect(await savedThreads()).toEqual([
        { platform: 'slack', conversation: SLACK_CHANNEL, message: roots[0]!.response.ts },
      ]);
      // The direct messages went before the thread and were recorded: not looked for, not sent again.
      expect(['UALICE', 'UBOB', 'UCAROL'].map((user) => postsTo(user).length)).toEqual([1, 1, 1]);
      expect(slack.callsTo('conversations.open')).toEqual([]);
      expect(
        slack.callsTo('conversations.history').map((call) => [call.args.channel, call.args.include_all_metadata]),
      ).toEqual([[SLACK_CHANNEL, 'true']]);
      expect(await deliver([notifier])).toBe('sent');
      expect(slack.callsTo('chat.postMessage')).toHaveLength(4);
    });

    it('dies after a direct message and before recording it: the retry finds it in the DM and does not send it again', async () => {
      await expect(deliver([dyingAt(notifier, 'directMessage', 2, 'after')])).rejects.toThrow(
        'killed after directMessage',
      );
      expect((await recorded()).map((row) => row.recipient)).toEqual(['UALICE']);
      expect(await deliver([notifier])).toBe('resent');

      expect(['UALICE', 'UBOB', 'UCAROL', SLACK_CHANNEL].map((to) => postsTo(to).length)).toEqual([1, 1, 1, 1]);
      // Alice's was recorded; Bob's was looked for (his DM opened, its history read) and found; Carol's
      // was looked for, not found, and sent; the thread root was looked for too.
      expect(slack.callsTo('conversations.open').map((call) => call.args.users)).toEqual(['UBOB', 'UCAROL']);
      expect(slack.callsTo('conversations.history').map((call) => call.args.channel)).toEqual([
        'UBOB',
        'UCAROL',
        SLACK_CHANNEL,
      ]);
      const bobs = postsTo('UBOB')[0]!;
      expect((await recorded()).map((row) => [row.recipient, row.message])).toEqual([
        ['UALICE', postsTo('UALICE')[0]!.response.ts],
        ['UBOB', bobs.response.ts],
        ['UCAROL', postsTo('UCAROL')[0]!.response.ts],
      ]);
    });

    it('a first attempt looks for nothing: the claim proves no worker started on the nag', async () => {
      expect(await deliver([notifier])).toBe('sent');
      expect(slack.calls.map((call) => call.method)).toEqual([
        'chat.postMessage',
        'chat.postMessage',
        'chat.postMessage',
        'chat.postMessage',
      ]);
    });

    it('a reply shown in the channel is not taken for a thread root', async () => {
      // An earlier nag of another patch broadcast a reply carrying this marker (it cannot happen with
      // real markers; it shows the look-up asks for a root, not any message in the channel).
      const root = await notifier.startThread(SLACK_CHANNEL, { summary: 'other', blocks: [] }, 'nag-other');
      await notifier.replyInThread(root, { summary: 'reply', blocks: [] }, { broadcast: true, marker });
      expect(await notifier.findThreadStart!(SLACK_CHANNEL, marker, now)).toBeUndefined();
      expect(await notifier.findThreadStart!(SLACK_CHANNEL, 'nag-other', now)).toEqual(root);
    });

    it('looks back only to when the nag was planned, less ten minutes for the clocks', async () => {
      const root = await notifier.startThread(SLACK_CHANNEL, { summary: 'root', blocks: [] }, marker);
      const posted = Number(root.message) * 1000;
      expect(await notifier.findThreadStart!(SLACK_CHANNEL, marker, posted + 9 * 60_000)).toEqual(root);
      expect(await notifier.findThreadStart!(SLACK_CHANNEL, marker, posted + 11 * 60_000)).toBeUndefined();
      const oldest = slack.callsTo('conversations.history').map((call) => Number(call.args.oldest));
      expect(oldest).toHaveLength(2);
      expect(oldest[0]).toBeCloseTo((posted - 60_000) / 1000, 3);
      expect(oldest[1]).toBeCloseTo((posted + 60_000) / 1000, 3);
    });
  });

  describe('on Teams', () => {
    let connector: FakeBotConnector;
    let notifier: NagNotifier;
    beforeEach(async () => {
      connector = await startFakeBotConnector();
      notifier = await teamsNotifierThrough(connector.serviceUrl);
    });
    afterEach(async () => {
      await connector.close();
    });

    /** Posts per conversation: the 1:1 chats (a:created-1 is Alice's, a:created-2 Bob's) and the channel. */
    const postsPerConversation = () => {
      const counts: Record<string, number> = {};
      for (const call of connector.calls)
        if (call.method === 'POST') counts[call.conversationId] = (counts[call.conversationId] ?? 0) + 1;
      return counts;
    };

    it('records each direct message with its activity id, and a retry skips the recipients recorded', async () => {
      await expect(deliver([dyingAt(notifier, 'startThread', 1, 'before')])).rejects.toThrow(
        'killed before startThread',
      );
      const sent = connector.calls.filter((call) => call.conversationId.startsWith('a:'));
      expect((await recorded()).map((row) => [row.platform, row.recipient, row.conversation, row.message])).toEqual([
        ['teams', 'aad-alice', sent[0]!.conversationId, sent[0]!.id],
        ['teams', 'aad-bob', sent[1]!.conversationId, sent[1]!.id],
      ]);
      expect(await deliver([notifier])).toBe('resent');
      expect(postsPerConversation()).toEqual({ 'a:created-1': 1, 'a:created-2': 1, [TEAMS_CHANNEL]: 1 });
      expect(await savedThreads()).toEqual([
        { platform: 'teams', conversation: TEAMS_CHANNEL, message: connector.calls.at(-1)!.id },
      ]);
    });

    it('the limit: dying after Teams took a direct message and before its record sends that one again', async () => {
      // The Bot Connector cannot read a chat back, so nothing tells the retry that Alice has hers.
      await expect(deliver([dyingAt(notifier, 'directMessage', 1, 'after')])).rejects.toThrow(
        'killed after directMessage',
      );
      expect(await deliver([notifier])).toBe('resent');
      expect(postsPerConversation()).toEqual({ 'a:created-1': 2, 'a:created-2': 1, [TEAMS_CHANNEL]: 1 });
    });

    it('the limit: a 5xx after Teams took a post is retried by the Bot Connector client, so it arrives twice', async () => {
      // botframework-connector's pipeline (core-rest-pipeline's defaultRetryPolicy) sends again on
      // any 5xx; nothing can ask Teams whether the first one landed (README, "Escalation").
      connector.loseAnswerNext(502);
      expect(await deliver([notifier])).toBe('sent');
      expect(postsPerConversation()).toEqual({ 'a:created-1': 2, 'a:created-2': 1, [TEAMS_CHANNEL]: 1 });
    });
  });
});
