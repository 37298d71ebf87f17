/**
 * A live worker, no crash: Slack takes a nag's chat.postMessage and the answer is lost, a 503 from
 * its edge or an answer later than the client's time-out. The WebClient's own retry policy (the
 * one `mxops worker` and `start` configure) would post the message again blindly; the notifier
 * looks for the nag's marker first, so each destination gets the nag once. The store plays no part
 * here: SQLite only.
 */
import { clockFrom } from '../support/manual-clock.js';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatchNagProcessor } from '../../jobs/patch-nag.js';
import type { NagNotifier } from '../../src/chat/nag-notifier.js';
import { createNagNotifiers } from '../../src/cli/nag-notifiers.js';
import { createSlackNagNotifier } from '../../src/chat/slack/slack-nag-notifier.js';
import { WEB_API_RETRIES } from '../../src/chat/slack/slack-settings.js';
import { createInMemoryConversationReferenceStore } from '../../src/chat/teams/conversation-reference-store.js';
import { nagJobId } from '../../src/queue/patch-jobs.js';
import { type NagId, sweepDuePatches, unsentNags } from '../../src/store/escalation-sweep.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { type FakeSlackApi, type LostAnswer, startFakeSlackApi } from '../support/fake-slack-api.js';
import { DAY, inventory, patch, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/** In the past: the fake Slack stamps messages with the real clock, and a look-up reads back to when the nag was planned. */
const now = Date.parse('2026-06-01T10:00:00Z');
const BOT_TOKEN = 'xoxb-lost-answer';
const SLACK_CHANNEL = 'CMAILOPS';
/** Owner, manager and leadership get a direct message each (UALICE, UBOB, UCAROL), then the thread starts. */
const POLICY = {
  ...STANDARD_POLICY,
  levels: [
    { targets: ['owner', 'manager', 'leadership'] as const, waitMs: 2 * DAY },
    ...STANDARD_POLICY.levels.slice(1),
  ],
};
/** The client's time-out in the late-answer cases: `mxops worker`'s 30 s would make a slow test. */
const TIMEOUT_MS = 500;

/** The notifier `mxops worker` builds (createNagNotifiers), with its retry policy and 30 s time-out. */
const workerNotifier = async (slack: FakeSlackApi): Promise<NagNotifier> =>
  (
    (await createNagNotifiers({
      slack: {
        botToken: BOT_TOKEN,
        signingSecret: undefined,
        appToken: undefined,
        port: 0,
        host: undefined,
        command: '/mailcheck',
        patchCommand: '/patch',
        apiUrl: slack.apiUrl,
        logLevel: 'error',
      },
      teams: undefined,
      teamsReferences: createInMemoryConversationReferenceStore(),
    })) as [NagNotifier]
  )[0];

/** The same client options with a time-out a test can outwait. */
const shortTimeoutNotifier = (slack: FakeSlackApi): NagNotifier =>
  createSlackNagNotifier(BOT_TOKEN, {
    slackApiUrl: slack.apiUrl,
    retryConfig: WEB_API_RETRIES,
    rejectRateLimitedCalls: false,
    timeout: TIMEOUT_MS,
    // The time-out is the point here: not worth a warning in the test's output.
    logLevel: webApi.LogLevel.ERROR,
  });

describe('a nag post whose answer is lost after Slack took it', () => {
  let store: TestDatabase;
  let slack: FakeSlackApi;
  let nag: NagId;

  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    await importInventory(
      store,
      inventory({
        policies: [POLICY],
        systems: [system('mail-gw-1')],
        patches: [patch('mail-gw-1', 'CVE-2026-8100', now - 10 * DAY)],
      }),
      { actor: 'test', surface: 'cli', now, source: 'test' },
    );
    await sweepDuePatches(store, now);
    [nag] = (await unsentNags(store.db)) as [NagId];
    slack = await startFakeSlackApi({ botToken: BOT_TOKEN, realTimestamps: true });
  });
  afterEach(async () => {
    await slack.close();
    await store.drop();
  });

  const postsPerDestination = () => {
    const counts: Record<string, number> = {};
    for (const call of slack.callsTo('chat.postMessage'))
      counts[String(call.args.channel)] = (counts[String(call.args.channel)] ?? 0) + 1;
    return counts;
  };

  it.each<[string, LostAnswer]>([
    ['a 503 to a direct message', { status: 503, channel: 'UBOB' }],
    ['a 503 to the thread root', { status: 503, channel: SLACK_CHANNEL }],
    ['a late answer to a direct message', { delayMs: 3 * TIMEOUT_MS, channel: 'UBOB' }],
    ['a late answer to the thread root', { delayMs: 3 * TIMEOUT_MS, channel: SLACK_CHANNEL }],
  ])('%s: looked for before posting again, and each destination gets the nag once', async (_, lost) => {
    const notifier = 'status' in lost ? await workerNotifier(slack) : shortTimeoutNotifier(slack);
    slack.loseAnswerNext('chat.postMessage', lost);
    const deliver = createPatchNagProcessor({ store, notifiers: [notifier], clock: clockFrom(() => now) });
    expect(await deliver({ id: nagJobId(nag), data: nag } as never)).toBe('sent');

    expect(postsPerDestination()).toEqual({ UALICE: 1, UBOB: 1, UCAROL: 1, [SLACK_CHANNEL]: 1 });
    // Found by its marker, the post Slack took is the one recorded.
    const taken = slack.callsTo('chat.postMessage').find((call) => call.args.channel === lost.channel)!;
    const recorded =
      lost.channel === SLACK_CHANNEL
        ? await store.db.selectFrom('patch_threads').select('message').executeTakeFirst()
        : await store.db
            .selectFrom('nag_direct_messages')
            .select('message')
            .where('recipient', '=', lost.channel!)
            .executeTakeFirst();
    expect(recorded?.message).toBe(taken.response.ts);
    expect(slack.callsTo('conversations.history').map((call) => call.args.channel)).toEqual([lost.channel]);
  });

  it('a rate-limited post, which Slack did not take, still goes out once', async () => {
    const notifier = await workerNotifier(slack);
    slack.rateLimitNext('chat.postMessage', 0);
    const deliver = createPatchNagProcessor({ store, notifiers: [notifier], clock: clockFrom(() => now) });
    expect(await deliver({ id: nagJobId(nag), data: nag } as never)).toBe('sent');
    expect(postsPerDestination()).toEqual({ UALICE: 1, UBOB: 1, UCAROL: 1, [SLACK_CHANNEL]: 1 });
  });
});
