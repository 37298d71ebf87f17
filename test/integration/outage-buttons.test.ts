/**
 * Outage-window requests and their decisions across Slack and Teams at once, end to end: the
 * request typed as /outage into the real Bolt app (its Web API calls going to the fake Slack API),
 * the approvers' direct messages sent by the real Slack and Teams notifiers, clicks as signed
 * block_actions / view_submission payloads and as adaptiveCard/action invokes into the real
 * CloudAdapter (its replies and updates captured by the fake connector). Every copy of the card is
 * looked up in the store's records and checked where it lives. SQLite is enough here: the store
 * suites run on both databases.
 */
import { clockFrom } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import { closeExpiredRequests } from '../../commands/outage-decisions.js';
import type { OutageDeps } from '../../commands/outage.js';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import type { NagNotifier } from '../../src/chat/nag-notifier.js';
import { createSlackApp, type SlackApp } from '../../src/chat/slack/slack-app.js';
import { createSlackNagNotifier } from '../../src/chat/slack/slack-nag-notifier.js';
import type { AdaptiveCard } from '../../src/chat/teams/adaptive-card.js';
import {
  createInMemoryConversationReferenceStore,
  type ConversationReferenceStore,
} from '../../src/chat/teams/conversation-reference-store.js';
import { createTeamsNagNotifier } from '../../src/chat/teams/teams-nag-notifier.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { outageCards } from '../../src/store/outage-requests.js';
import type { AuditLogTable } from '../../src/store/schema.js';
import {
  loopbackTeamsEndpoint,
  sendToBot,
  TEAMS_TEST_BOT,
  TEAMS_TEST_SETTINGS,
  type ConnectorCall,
} from '../support/fake-bot-connector.js';
import { rememberGeneralChannel } from '../support/teams-channel-notifier.js';
import {
  blockActionsBody,
  sendToApp,
  slashCommandBody,
  startFakeSlackApi,
  viewSubmissionBody,
  type FakeSlackApi,
  type RecordedCall,
} from '../support/fake-slack-api.js';
import { DAY, HOUR, inventory, patch, PEOPLE, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { noMailcheck } from '../support/no-mailcheck.js';
import { teamsBotOnLoopback } from '../support/teams-bot-harness.js';
import { outageEndCard } from '../../src/chat/outage-step-cards.js';
import { nagCard } from '../../src/chat/patch-nag-cards.js';
import { findPatch } from '../../src/store/inventory-queries.js';
import { outageRequestById } from '../../src/store/outage-request-rows.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

// Thursday 26 November 2026, 18:00 in Berlin; mail-gw-1 may go down Saturdays 22:00-02:00 Berlin.
const NOW = Date.parse('2026-11-26T17:00:00Z');
const WAIT = { timeout: 8_000, interval: 20 };
const SECRET = 'test-signing-secret';
const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'CMAILOPS';
const ASK = 'request mail-gw-1 saturday 22:00 4h apply the qmail patch';
const ASKED = 'Outage window requested: mail-gw-1, Sat 28 Nov 22:00 Europe/Berlin for 4 hours';

/** Carol, an outage approver, is on Teams too; Bob already is. */
const PEOPLE_ON_TEAMS = PEOPLE.map((person) =>
  person.handle === 'carol' ? { ...person, chat: { ...person.chat, teams: 'aad-carol' } } : person,
);

type Copy = { platform: string; conversation: string; message: string };

describe('outage requests on Slack and Teams at once', () => {
  let store: TestDatabase;
  let deps: OutageDeps;
  let references: ConversationReferenceStore;
  let api: FakeSlackApi;
  let slack: SlackApp;
  let eventsUrl: string;
  let sequence = 0;
  let clock = NOW;

  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    const policy = {
      ...STANDARD_POLICY,
      outage: {
        approvers: ['bob', 'carol'],
        quorum: 2,
        selfApproval: false,
        expireAfterMs: DAY,
        remindBeforeMs: [HOUR],
      },
    };
    await importInventory(
      store,
      inventory({
        people: PEOPLE_ON_TEAMS,
        policies: [policy],
        systems: [system('mail-gw-1')],
        patches: [patch('mail-gw-1', 'CVE-2026-6000', NOW - 10 * DAY)],
      }),
      {
        actor: 'test',
        surface: 'cli',
        now: NOW,
        source: 'fixture',
      },
    );
    api = await startFakeSlackApi({ botToken: BOT_TOKEN });
    references = createInMemoryConversationReferenceStore();
    const notifiers: NagNotifier[] = [
      createSlackNagNotifier(BOT_TOKEN, { slackApiUrl: api.apiUrl }),
      createTeamsNagNotifier({
        adapter: loopbackTeamsEndpoint(TEAMS_TEST_SETTINGS).adapter,
        appId: TEAMS_TEST_SETTINGS.appId,
        references,
      }),
    ];
    clock = NOW;
    deps = { store, clock: clockFrom(() => clock), notifiers };
    slack = createSlackApp(
      {
        botToken: BOT_TOKEN,
        signingSecret: SECRET,
        appToken: undefined,
        port: 0,
        host: '127.0.0.1',
        command: '/mailcheck',
        patchCommand: '/patch',
        outageCommand: '/outage',
        apiUrl: api.apiUrl,
        logLevel: 'error',
      },
      chatCommands(noMailcheck(), { outage: deps }),
    );
    eventsUrl = `http://127.0.0.1:${(await slack.start()).port}/slack/events`;
  });
  afterEach(async () => {
    await slack.stop();
    await api.close();
    await store.drop();
  });
  // After the beforeEach above: the bot is built from what it made.
  const harness = teamsBotOnLoopback(() => ({ mailcheck: noMailcheck(), outage: deps, references }));

  /** Teams as the bot heard it once: where the notifier learns the serviceUrl and tenant for DMs. */
  async function teamsHeardFrom(): Promise<void> {
    await rememberGeneralChannel(references, harness.connector.serviceUrl);
  }

  /** Alice types /outage request ... in the channel; resolves with the request id and every copy once all five are recorded. */
  async function askInSlack(): Promise<{ id: number; copies: Copy[] }> {
    await teamsHeardFrom();
    expect(
      (
        await sendToApp(
          eventsUrl,
          slashCommandBody({
            command: '/outage',
            text: ASK,
            user: 'UALICE',
            channel: CHANNEL,
            responseUrl: api.responseUrl('UALICE'),
          }),
          { signingSecret: SECRET },
        )
      ).status,
    ).toBe(200);
    // The channel, Bob and Carol on Slack, Bob and Carol on Teams.
    let id = 0;
    await vi.waitFor(async () => {
      const [request] = await store.db.selectFrom('outage_requests').select('id').execute();
      expect(request).toBeDefined();
      id = request!.id;
      expect(await outageCards(store.db, id)).toHaveLength(5);
    }, WAIT);
    return { id, copies: await outageCards(store.db, id) };
  }

  const slackCopy = (copies: Copy[], conversation: string): Copy =>
    copies.find((copy) => copy.platform === 'slack' && copy.conversation === conversation)!;
  const teamsCopies = (copies: Copy[]): Copy[] => copies.filter((copy) => copy.platform === 'teams');
  /** Carol's Teams chat: the one the connector opened with her as the member. */
  const teamsChatOf = (copies: Copy[], aad: string): Copy => {
    const chat = harness.connector.created.find((created) =>
      JSON.stringify(created.parameters.members).includes(aad),
    )!.id;
    return teamsCopies(copies).find((copy) => copy.conversation === chat)!;
  };

  const click = (actionId: string, id: number, user: string, copy: Copy, triggerId?: string) =>
    sendToApp(
      eventsUrl,
      blockActionsBody({
        actionId,
        value: String(id),
        user,
        messageTs: copy.message,
        channel: copy.conversation,
        responseUrl: api.responseUrl(user),
        ...(triggerId ? { triggerId } : {}),
      }),
      { signingSecret: SECRET },
    );

  async function submitForm(actionId: string, id: number, user: string, copy: Copy, values: Record<string, string>) {
    const opened = api.callsTo('views.open').length;
    expect((await click(actionId, id, user, copy)).status).toBe(200);
    await vi.waitFor(() => expect(api.callsTo('views.open')).toHaveLength(opened + 1), WAIT);
    const view = api.callsTo('views.open').at(-1)?.args.view as Record<string, unknown>;
    return sendToApp(eventsUrl, viewSubmissionBody({ view, values, user }), { signingSecret: SECRET });
  }

  /** What Teams sends when `verb` is clicked on the copy in `copy`, inputs merged in as the client does. */
  async function invoke(verb: string, id: number, typed: Record<string, string>, from: string, copy: Copy) {
    const data = {
      value: String(id),
      ...Object.fromEntries(Object.entries(typed).map(([field, text]) => [`${verb}:${field}`, text])),
    };
    const answer = await sendToBot(harness.botUrl, {
      id: `incoming-${++sequence}`,
      type: 'invoke',
      name: 'adaptiveCard/action',
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: harness.connector.serviceUrl,
      from: { id: `29:${from}`, name: from, aadObjectId: from },
      recipient: TEAMS_TEST_BOT,
      conversation: {
        id: copy.conversation,
        conversationType: 'personal',
        isGroup: false,
        tenantId: TEAMS_TEST_SETTINGS.tenantId,
      },
      channelData: { tenant: { id: TEAMS_TEST_SETTINGS.tenantId } },
      replyToId: copy.message,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
    await harness.teams.settled();
    return answer;
  }

  const slackUpdates = (copy: Copy): RecordedCall[] =>
    api
      .callsTo('chat.update')
      .filter((call) => call.args.channel === copy.conversation && call.args.ts === copy.message);
  const teamsUpdates = (copy: Copy): ConnectorCall[] =>
    harness.connector.calls.filter(
      (call) => call.method === 'PUT' && call.conversationId === copy.conversation && call.activityId === copy.message,
    );
  const adaptiveCardOf = (call: ConnectorCall | undefined): AdaptiveCard =>
    (call?.activity.attachments as { content: AdaptiveCard }[])[0]!.content;
  const slackHasButtons = (call: RecordedCall | undefined): boolean =>
    ((call?.args.blocks ?? []) as { type: string }[]).some((block) => block.type === 'actions');
  const teamsHasButtons = (call: ConnectorCall | undefined): boolean =>
    adaptiveCardOf(call).body.some((element) => element.type === 'ActionSet');
  const whispers = (user: string): RecordedCall[] =>
    api.callsTo('response_url').filter((call) => call.args.id === user);

  /** Every copy's latest replacement: its summary, and whether buttons are left. */
  function latestOfEveryCopy(copies: Copy[]): { text: string; buttons: boolean }[] {
    return copies.map((copy) => {
      if (copy.platform === 'slack') {
        const last = slackUpdates(copy).at(-1);
        return { text: String(last?.args.text), buttons: last === undefined || slackHasButtons(last) };
      }
      const last = teamsUpdates(copy).at(-1);
      return { text: String(last?.activity.summary), buttons: last === undefined || teamsHasButtons(last) };
    });
  }

  async function audit(): Promise<AuditLogTable[]> {
    const rows: AuditLogTable[] = [];
    for await (const row of readAuditLog(store.db)) rows.push(row);
    return rows;
  }
  const requestRow = (id: number) =>
    store.db.selectFrom('outage_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('posts the request in the channel and to each approver on both platforms, records every copy, shows 1 of 2 and then replaces every copy with the approval', async () => {
    const { id, copies } = await askInSlack();
    const posted = api.callsTo('chat.postMessage');
    expect(posted.map((call) => [call.args.channel, call.args.text])).toEqual([
      [CHANNEL, ASKED],
      ['UBOB', ASKED],
      // Carol reads it in New York time.
      ['UCAROL', 'Outage window requested: mail-gw-1, Sat 28 Nov 16:00 America/New_York for 4 hours'],
    ]);
    expect(Object.keys(buttonValues(posted[0]))).toEqual([
      ACTION_IDS.outageApprove,
      ACTION_IDS.outageDeny,
      ACTION_IDS.outagePropose,
    ]);
    expect(buttonValues(posted[0])[ACTION_IDS.outageApprove]).toBe(String(id));
    expect(JSON.stringify(posted[0]!.args.blocks)).toContain('CVE-2026-6000 (critical, 3 days overdue)');
    expect(
      harness.connector.created.map((created) => (created.parameters.members as { id: string }[])[0]!.id).sort(),
    ).toEqual(['aad-bob', 'aad-carol']);
    expect(teamsCopies(copies)).toHaveLength(2);
    for (const copy of teamsCopies(copies)) {
      const post = harness.connector.calls.find((call) => call.method === 'POST' && call.id === copy.message);
      expect(post).toMatchObject({ conversationId: copy.conversation });
      expect(teamsHasButtons(post)).toBe(true);
    }
    expect(whispers('UALICE')).toEqual([]);

    // Bob approves in the channel: one of two, every copy says so and keeps its buttons.
    const channel = slackCopy(copies, CHANNEL);
    expect((await click(ACTION_IDS.outageApprove, id, 'UBOB', channel)).status).toBe(200);
    await vi.waitFor(
      () => expect(latestOfEveryCopy(copies).filter((copy) => copy.text !== 'undefined')).toHaveLength(5),
      WAIT,
    );
    for (const copy of copies) {
      const last =
        copy.platform === 'slack'
          ? JSON.stringify(slackUpdates(copy).at(-1)?.args.blocks)
          : JSON.stringify(adaptiveCardOf(teamsUpdates(copy).at(-1)));
      expect(last).toContain('1 of 2 approvals: Bob Manager');
    }
    expect(latestOfEveryCopy(copies).every((copy) => copy.buttons)).toBe(true);
    expect(await requestRow(id)).toMatchObject({ status: 'pending', approvals: '["bob"]' });

    // Carol approves in her Teams chat: approved, every copy replaced in place with no buttons.
    const answer = await invoke(ACTION_IDS.outageApprove, id, {}, 'aad-carol', teamsChatOf(copies, 'aad-carol'));
    expect(answer.status).toBe(200);
    await vi.waitFor(() => expect(latestOfEveryCopy(copies).every((copy) => !copy.buttons)).toBe(true), WAIT);
    expect(latestOfEveryCopy(copies).map((copy) => copy.text.replace(/\d\d:00 [A-Za-z_/]+/, 'TIME'))).toEqual(
      Array(5).fill('Outage approved: mail-gw-1, Sat 28 Nov TIME for 4 hours'),
    );
    expect(JSON.stringify(slackUpdates(channel).at(-1)?.args.blocks)).toContain(
      'Approved by Bob Manager and Carol Chief',
    );
    expect(await requestRow(id)).toMatchObject({ status: 'approved', decided_by: 'carol' });
    expect(
      (await audit())
        .filter((row) => row.action.startsWith('outage-'))
        .map((row) => [row.action, row.actor, row.surface]),
    ).toEqual([
      ['outage-requested', 'alice', 'slack'],
      ['outage-approval', 'bob', 'slack'],
      ['outage-approved', 'carol', 'teams'],
    ]);

    // A late click on Bob's own Slack DM copy is told who decided.
    await click(ACTION_IDS.outageDeny, id, 'UBOB', slackCopy(copies, 'UBOB'));
    await vi.waitFor(() => expect(api.callsTo('views.open')).toHaveLength(1), WAIT);
    const view = api.callsTo('views.open')[0]!.args.view as Record<string, unknown>;
    await sendToApp(eventsUrl, viewSubmissionBody({ view, values: { reason: 'changed my mind' }, user: 'UBOB' }), {
      signingSecret: SECRET,
    });
    await vi.waitFor(() => expect(api.callsTo('chat.postEphemeral')).toHaveLength(1), WAIT);
    expect(api.callsTo('chat.postEphemeral')[0]?.args).toMatchObject({
      user: 'UBOB',
      text: `Outage request #${id} was already approved by Bob Manager and Carol Chief.`,
    });
    expect(await requestRow(id)).toMatchObject({ status: 'approved' });
  });

  it('denies with the reason asked in the Slack modal, and replaces every copy with the denial', async () => {
    const { id, copies } = await askInSlack();
    const carols = slackCopy(copies, 'UCAROL');
    const empty = await submitForm(ACTION_IDS.outageDeny, id, 'UCAROL', carols, { reason: '' });
    expect(JSON.parse(empty.body)).toEqual({
      response_action: 'errors',
      errors: { reason: 'Say why not: the owner is told.' },
    });
    expect(api.callsTo('views.open')[0]?.args.view).toMatchObject({
      title: { text: 'Deny the outage' },
      blocks: [{ block_id: 'reason' }],
    });

    const denied = await submitForm(ACTION_IDS.outageDeny, id, 'UCAROL', carols, {
      reason: 'not before the audit on Monday',
    });
    expect(denied.body).toBe('');
    await vi.waitFor(() => expect(latestOfEveryCopy(copies).every((copy) => !copy.buttons)).toBe(true), WAIT);
    expect(latestOfEveryCopy(copies).map((copy) => copy.text.startsWith('Outage denied: mail-gw-1'))).toEqual(
      Array(5).fill(true),
    );
    expect(JSON.stringify(adaptiveCardOf(teamsUpdates(teamsCopies(copies)[0]!).at(-1)))).toContain(
      'Denied by Carol Chief: not before the audit on Monday.',
    );
    expect(await requestRow(id)).toMatchObject({
      status: 'denied',
      decided_by: 'carol',
      decision_note: 'not before the audit on Monday',
    });
    // Carol is offered to accept the risk instead, where she denied it.
    const patchId = (await findPatch(store.db, 'mail-gw-1', 'CVE-2026-6000'))!.id;
    await vi.waitFor(
      () =>
        expect(
          api
            .callsTo('chat.postMessage')
            .find(
              (call) =>
                call.args.channel === carols.conversation && String(call.args.text).startsWith('Not now on mail-gw-1'),
            ),
        ).toBeDefined(),
      WAIT,
    );
    const offer = api
      .callsTo('chat.postMessage')
      .find((call) => String(call.args.text).startsWith('Not now on mail-gw-1'))!;
    expect(buttonValues(offer)).toEqual({ [ACTION_IDS.patchAcceptRisk]: String(patchId) });
    // The denial also escalated the patch: a nag for the next level is recorded.
    expect(await store.db.selectFrom('nags').select(['kind', 'status']).execute()).toEqual([
      { kind: 'outage-denied', status: 'pending' },
    ]);
  });

  it('denies from the inputs of the Teams form', async () => {
    const { id, copies } = await askInSlack();
    await invoke(ACTION_IDS.outageDeny, id, { reason: 'the CEO says no' }, 'aad-bob', teamsChatOf(copies, 'aad-bob'));
    await vi.waitFor(() => expect(latestOfEveryCopy(copies).every((copy) => !copy.buttons)).toBe(true), WAIT);
    expect(await requestRow(id)).toMatchObject({
      status: 'denied',
      decided_by: 'bob',
      decision_note: 'the CEO says no',
    });
    expect(JSON.stringify(slackUpdates(slackCopy(copies, CHANNEL)).at(-1)?.args.blocks)).toContain(
      'Denied by Bob Manager: the CEO says no.',
    );
  });

  it("proposes another time from the Slack modal, read in the clicker's zone; a time that is not one stays on the field", async () => {
    const { id, copies } = await askInSlack();
    const carols = slackCopy(copies, 'UCAROL');
    const bad = await submitForm(ACTION_IDS.outagePropose, id, 'UCAROL', carols, { when: 'whenever' });
    expect(JSON.parse(bad.body)).toMatchObject({
      response_action: 'errors',
      errors: { when: expect.stringContaining('"whenever" is not a time') },
    });
    await submitForm(ACTION_IDS.outagePropose, id, 'UCAROL', carols, { when: 'sunday 16:00' });
    await vi.waitFor(() => expect(latestOfEveryCopy(copies).every((copy) => !copy.buttons)).toBe(true), WAIT);
    // 16:00 in New York is 22:00 in Berlin.
    expect(await requestRow(id)).toMatchObject({
      status: 'rescheduled',
      decided_by: 'carol',
      proposed_start: Date.parse('2026-11-29T21:00:00Z'),
    });
    // Carol's copy is the one she clicked: in her zone. The channel's is in Alice's.
    expect(JSON.stringify(slackUpdates(carols).at(-1)?.args.blocks)).toContain(
      'Carol Chief proposed another time: Sun 29 Nov 16:00 America/New_York',
    );
    expect(JSON.stringify(slackUpdates(slackCopy(copies, CHANNEL)).at(-1)?.args.blocks)).toContain(
      'outage request mail-gw-1 2026-11-29 22:00 4h apply the qmail patch',
    );
  });

  it('tells someone who may not decide who can, on Slack and on Teams, and changes nothing', async () => {
    const { id, copies } = await askInSlack();
    const before = (await audit()).length;
    // The connector serves every test in this file: only what happens from here counts.
    const teamsBefore = harness.connector.calls.length;
    await click(ACTION_IDS.outageApprove, id, 'UALICE', slackCopy(copies, CHANNEL));
    await vi.waitFor(() => expect(whispers('UALICE')).toHaveLength(1), WAIT);
    expect(whispers('UALICE')[0]?.args).toMatchObject({
      response_type: 'ephemeral',
      text: 'Only the outage approvers decide this request: bob, carol.',
    });

    const from = harness.connector.calls.length;
    await invoke(ACTION_IDS.outageApprove, id, {}, 'aad-stranger', teamsChatOf(copies, 'aad-bob'));
    const told = harness.connector.calls.slice(from);
    expect(told.map((call) => call.method)).toEqual(['POST']);
    expect(String(told[0]?.activity.text)).toContain('the outage approvers are: bob, carol');

    expect(api.callsTo('chat.update')).toEqual([]);
    expect(harness.connector.calls.slice(teamsBefore).filter((call) => call.method === 'PUT')).toEqual([]);
    expect(await requestRow(id)).toMatchObject({ status: 'pending', approvals: '[]' });
    // Nothing changed but the record of both refused clicks: who, from where, what on what, and why.
    expect(
      (await audit()).slice(before).map((row) => [row.actor, row.action, row.surface, JSON.parse(row.details)]),
    ).toEqual([
      [
        'alice',
        'refused',
        'slack',
        {
          attempted: `click ${ACTION_IDS.outageApprove}`,
          target: String(id),
          identity: 'slack:UALICE',
          code: 'FORBIDDEN',
          reason: 'only the outage approvers decide this request: bob, carol',
        },
      ],
      [
        'teams:aad-stranger',
        'refused',
        'teams',
        expect.objectContaining({
          attempted: `click ${ACTION_IDS.outageApprove}`,
          target: String(id),
          identity: 'teams:aad-stranger',
          code: 'FORBIDDEN',
        }),
      ],
    ]);
  });

  it('records exactly one decision when two approvers click at the same moment on Slack and Teams, and every copy shows it', async () => {
    // The policy is read when the store is filled: start again with a quorum of one.
    await store.drop();
    store = await openTestDatabase('sqlite');
    const policy = {
      ...STANDARD_POLICY,
      outage: {
        approvers: ['bob', 'carol'],
        quorum: 1,
        selfApproval: false,
        expireAfterMs: DAY,
        remindBeforeMs: [HOUR],
      },
    };
    await importInventory(
      store,
      inventory({ people: PEOPLE_ON_TEAMS, policies: [policy], systems: [system('mail-gw-1')], patches: [] }),
      { actor: 'test', surface: 'cli', now: NOW, source: 'fixture' },
    );
    Object.assign(deps, { store });

    const { id, copies } = await askInSlack();
    await Promise.all([
      click(ACTION_IDS.outageApprove, id, 'UBOB', slackCopy(copies, CHANNEL)),
      invoke(ACTION_IDS.outageDeny, id, { reason: 'freeze starts' }, 'aad-carol', teamsChatOf(copies, 'aad-carol')),
    ]);
    await vi.waitFor(() => expect(latestOfEveryCopy(copies).every((copy) => !copy.buttons)).toBe(true), WAIT);
    const row = await requestRow(id);
    expect(['approved', 'denied']).toContain(row.status);
    const decisions = (await audit()).filter(
      (entry) => entry.action === 'outage-approved' || entry.action === 'outage-denied',
    );
    expect(decisions).toHaveLength(1);
    const headline = row.status === 'approved' ? 'Outage approved: mail-gw-1' : 'Outage denied: mail-gw-1';
    await vi.waitFor(
      () =>
        expect(latestOfEveryCopy(copies).map((copy) => copy.text.startsWith(headline))).toEqual(Array(5).fill(true)),
      WAIT,
    );
    // The one who lost is told who won.
    if (row.status === 'approved') {
      await harness.teams.settled();
      expect(
        harness.connector.calls.some(
          (call) =>
            call.method === 'POST' &&
            String(call.activity.text).includes(`Outage request #${id} was already approved by Bob Manager.`),
        ),
      ).toBe(true);
    } else {
      await vi.waitFor(
        () =>
          expect(whispers('UBOB').map((call) => call.args.text)).toContain(
            `Outage request #${id} was already denied by Carol Chief.`,
          ),
        WAIT,
      );
    }
  });

  it('replaces every copy when a request expires undecided, and a late click is told so', async () => {
    const { id, copies } = await askInSlack();
    expect(await closeExpiredRequests(store, deps.notifiers!, NOW + DAY - 1)).toEqual([]);
    const closed = await closeExpiredRequests(store, deps.notifiers!, NOW + DAY);
    expect(closed.map((entry) => [entry.request.id, entry.request.status, entry.problems])).toEqual([
      [id, 'expired', []],
    ]);
    expect(
      latestOfEveryCopy(copies).map((copy) => [
        copy.text.startsWith('Outage request expired: mail-gw-1'),
        copy.buttons,
      ]),
    ).toEqual(Array(5).fill([true, false]));
    expect(JSON.stringify(slackUpdates(slackCopy(copies, CHANNEL)).at(-1)?.args.blocks)).toContain(
      'Nobody decided by Fri 27 Nov 18:00 Europe/Berlin',
    );
    await click(ACTION_IDS.outageApprove, id, 'UBOB', slackCopy(copies, 'UBOB'));
    await vi.waitFor(() => expect(whispers('UBOB')).toHaveLength(1), WAIT);
    expect(whispers('UBOB')[0]?.args.text).toBe(`Outage request #${id} expired without a decision; ask again.`);
    // Nothing is expired twice.
    expect(await closeExpiredRequests(store, deps.notifiers!, NOW + 2 * DAY)).toEqual([]);
  });

  it('answers the question at the end of the window: Patched marks the patches applied and replaces the question', async () => {
    const { id, copies } = await askInSlack();
    expect((await click('outage.approve', id, 'UBOB', slackCopy(copies, 'UBOB'))).status).toBe(200);
    expect((await click('outage.approve', id, 'UCAROL', slackCopy(copies, 'UCAROL'))).status).toBe(200);
    await vi.waitFor(
      async () =>
        expect((await store.db.selectFrom('outage_requests').select('status').executeTakeFirst())?.status).toBe(
          'approved',
        ),
      WAIT,
    );
    // The end of the window: the question reaches Alice as the follow-through job sends it.
    clock = Date.parse('2026-11-29T02:00:00Z');
    const request = await outageRequestById(store.db, id);
    const question = await deps.notifiers![0]!.directMessage(
      'UALICE',
      outageEndCard(request!, { now: clock, timeZone: 'Europe/Berlin' }),
      'outage-end',
    );
    const questionCopy = { platform: 'slack', conversation: question.conversation, message: question.message };

    expect((await click('outage.patched', id, 'UMALLORY', questionCopy)).status).toBe(200);
    await vi.waitFor(
      () => expect(String(api.callsTo('response_url').at(-1)?.args.text)).toMatch(/not in the inventory/),
      WAIT,
    );
    expect(slackUpdates(questionCopy)).toEqual([]);
    expect((await click('outage.patched', id, 'UALICE', questionCopy)).status).toBe(200);
    await vi.waitFor(() => expect(slackUpdates(questionCopy)).toHaveLength(1), WAIT);
    expect(String(slackUpdates(questionCopy)[0]!.args.text)).toBe(
      'mail-gw-1: patched in the outage window (Alice Owner)',
    );
    expect(JSON.stringify(slackUpdates(questionCopy)[0]!.args.blocks)).not.toContain('"actions"');
    expect(await findPatch(store.db, 'mail-gw-1', 'CVE-2026-6000')).toMatchObject({ status: 'done', doneBy: 'alice' });
  });

  it("asks for a window from a nag's Request outage window button, as the typed command would", async () => {
    await teamsHeardFrom();
    const patchId = (await findPatch(store.db, 'mail-gw-1', 'CVE-2026-6000'))!.id;
    const nag = await deps.notifiers![0]!.startThread(
      CHANNEL,
      nagCard(
        { headline: 'mail-gw-1: CVE-2026-6000 is 3 days overdue', lines: [] },
        { id: patchId, system: 'mail-gw-1', key: 'CVE-2026-6000' },
      ),
      'nag-1-1',
    );
    const copy = { platform: 'slack', conversation: nag.conversation, message: nag.message };
    const refused = await submitForm('patch.request-outage', patchId, 'UALICE', copy, {
      when: 'friday 22:00',
      duration: 'soon',
      reason: 'qmail patch',
    });
    expect(JSON.parse(refused.body)).toMatchObject({
      response_action: 'errors',
      errors: { duration: expect.stringContaining('is not a duration') },
    });
    expect(
      (
        await submitForm('patch.request-outage', patchId, 'UALICE', copy, {
          when: 'saturday 22:00',
          duration: '2h',
          reason: 'qmail patch',
        })
      ).status,
    ).toBe(200);
    await vi.waitFor(async () => {
      const [request] = await store.db.selectFrom('outage_requests').selectAll().execute();
      expect(request).toMatchObject({
        system: 'mail-gw-1',
        start_at: Date.parse('2026-11-28T21:00:00Z'),
        end_at: Date.parse('2026-11-28T23:00:00Z'),
        requested_by: 'alice',
      });
      expect(await outageCards(store.db, request!.id)).toHaveLength(5);
    }, WAIT);
  });
});

/** action_id -> value of the buttons in a posted Slack message. */
function buttonValues(call: RecordedCall | undefined): Record<string, string> {
  const blocks = (call?.args.blocks ?? []) as {
    type: string;
    elements?: { type: string; action_id?: string; value?: string }[];
  }[];
  const values: Record<string, string> = {};
  for (const element of blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? [])) {
    if (element.action_id !== undefined && element.value !== undefined) values[element.action_id] = element.value;
  }
  return values;
}
