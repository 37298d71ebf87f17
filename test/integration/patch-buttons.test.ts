/**
 * The buttons on nags and risk acceptance requests, end to end: signed block_actions and
 * view_submission payloads into the real Bolt app (its Web API calls going to the fake Slack API),
 * and adaptiveCard/action invokes into the real CloudAdapter (its replies captured by the fake
 * connector). The cards clicked are the ones mxops renders, so the ids and form fields the
 * handlers read are the ones the renderers wrote. SQLite is enough here: the store suites run on
 * both databases.
 */
import { manualClock } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PatchDeps } from '../../commands/patch.js';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import type { Card } from '../../src/chat/card.js';
import { nagCard } from '../../src/chat/patch-nag-cards.js';
import type { NagMessage } from '../../src/patching/nag-message.js';
import { riskRequestCard } from '../../src/chat/risk-cards.js';
import { createSlackNagNotifier } from '../../src/chat/slack/slack-nag-notifier.js';
import type { AdaptiveCard, AdaptiveExecuteAction } from '../../src/chat/teams/adaptive-card.js';
import { renderAdaptiveCard } from '../../src/chat/teams/render-adaptive-card.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import { sweepDuePatches } from '../../src/store/escalation-sweep.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPatch } from '../../src/store/inventory-queries.js';
import type { StoredPatch } from '../../src/patching/stored-patch.js';
import { requestRiskAcceptance } from '../../src/store/risk-acceptances.js';
import type { AuditLogTable } from '../../src/store/schema.js';
import { TEAMS_TEST_BOT, TEAMS_TEST_SETTINGS, sendToBot, type ConnectorCall } from '../support/fake-bot-connector.js';
import { blockActionsBody, sendToApp, viewSubmissionBody, type RecordedCall } from '../support/fake-slack-api.js';
import { DAY, PEOPLE, inventory, patch, system } from '../support/inventory-fixture.js';
import { noMailcheck } from '../support/no-mailcheck.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { teamsBotOnLoopback } from '../support/teams-bot-harness.js';
import { SLACK_TEST_BOT_TOKEN, SLACK_TEST_SECRET, slackAppOnLoopback } from '../support/slack-app-harness.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Friday 20 November 2026, 11:00 in Berlin. */
const NOW = Date.parse('2026-11-20T10:00:00Z');
const WAIT = { timeout: 8_000, interval: 20 };
const KEY = 'CVE-2026-0001';

/** Carol, the risk approver, is on Teams too here. */
const PEOPLE_ON_TEAMS = PEOPLE.map((person) =>
  person.handle === 'carol' ? { ...person, chat: { ...person.chat, teams: 'aad-carol' } } : person,
);

const MAILCHECK = noMailcheck();

const NAG = {
  headline: `mail-gw-1: ${KEY} (Fix for ${KEY}) is 3 days overdue`,
  lines: ['The patch is now overdue.', 'Told: Alice Owner.'],
};

let store: TestDatabase;
let deps: PatchDeps;
let directMessages: ReturnType<typeof recordingNotifier>;

beforeEach(async () => {
  store = await openTestDatabase('sqlite');
  await importInventory(
    store,
    inventory({
      people: PEOPLE_ON_TEAMS,
      systems: [system('mail-gw-1')],
      patches: [patch('mail-gw-1', KEY, NOW - 10 * DAY)],
    }),
    {
      actor: 'test',
      surface: 'cli',
      now: NOW - 10 * DAY,
      source: 'fixture',
    },
  );
  directMessages = recordingNotifier('slack');
  deps = { store, clock: manualClock(NOW), notifiers: [directMessages.notifier] };
});
afterEach(async () => {
  await store.drop();
});

async function stored(): Promise<StoredPatch> {
  const found = await findPatch(store.db, 'mail-gw-1', KEY);
  if (!found) throw new Error(`${KEY} is not in the test inventory`);
  return found;
}

async function auditRows(): Promise<AuditLogTable[]> {
  const rows: AuditLogTable[] = [];
  for await (const row of readAuditLog(store.db)) rows.push(row);
  return rows;
}

describe('patch buttons in Slack, through the real Bolt app', () => {
  const slackBot = slackAppOnLoopback(() => ({ patch: deps }));

  /** Posts the nag the way the nag worker does, and returns its ts and the values its buttons carry. */
  async function postNag(message: NagMessage = NAG): Promise<{ ts: string; values: Record<string, string> }> {
    const notifier = createSlackNagNotifier(SLACK_TEST_BOT_TOKEN, { slackApiUrl: slackBot.api.apiUrl });
    const { message: ts } = await notifier.startThread(
      'CMAILOPS',
      nagCard(message, await stored()),
      `nag-1-${message.step ?? 0}`,
    );
    return { ts, values: buttonValues(slackBot.api.callsTo('chat.postMessage').at(-1)) };
  }

  const click = (
    actionId: string,
    value: string,
    user: string,
    messageTs: string,
    extra: { threadTs?: string; triggerId?: string } = {},
  ) =>
    sendToApp(
      slackBot.eventsUrl,
      blockActionsBody({
        actionId,
        value,
        user,
        messageTs,
        channel: 'CMAILOPS',
        responseUrl: slackBot.api.responseUrl(user),
        ...extra,
      }),
      { signingSecret: SLACK_TEST_SECRET },
    );

  /** Opens the button's modal and submits it with `values`; returns the submission's HTTP answer. */
  async function submitForm(
    actionId: string,
    value: string,
    user: string,
    messageTs: string,
    values: Record<string, string>,
  ) {
    const opened = slackBot.api.callsTo('views.open').length;
    expect((await click(actionId, value, user, messageTs)).status).toBe(200);
    await vi.waitFor(() => expect(slackBot.api.callsTo('views.open')).toHaveLength(opened + 1), WAIT);
    const view = slackBot.api.callsTo('views.open').at(-1)?.args.view as Record<string, unknown>;
    return sendToApp(slackBot.eventsUrl, viewSubmissionBody({ view, values, user }), {
      signingSecret: SLACK_TEST_SECRET,
    });
  }

  const threadPosts = (ts: string): RecordedCall[] =>
    slackBot.api.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === ts);
  const whispers = (user: string): RecordedCall[] =>
    slackBot.api.callsTo('response_url').filter((call) => call.args.id === user);

  it('acknowledges the nag clicked for the owner: the phase changes in the store, the thread says who, until when and what then; a second click on it changes nothing', async () => {
    // The sweep plans the first nag (step 1, the owner's level); its Acknowledge carries that step.
    expect((await sweepDuePatches(store, NOW)).planned).toHaveLength(1);
    const nag = await postNag({ ...NAG, step: 1 });
    expect(Object.keys(nag.values)).toEqual([
      ACTION_IDS.patchAck,
      ACTION_IDS.patchSnooze,
      ACTION_IDS.patchDone,
      ACTION_IDS.patchRequestOutage,
      ACTION_IDS.patchAcceptRisk,
    ]);
    expect(nag.values[ACTION_IDS.patchAck]).toBe(`${(await stored()).id}:1`);
    expect(nag.values[ACTION_IDS.patchDone]).toBe(String((await stored()).id));

    expect((await click(ACTION_IDS.patchAck, nag.values[ACTION_IDS.patchAck]!, 'UALICE', nag.ts)).status).toBe(200);
    await vi.waitFor(() => expect(threadPosts(nag.ts)).toHaveLength(1), WAIT);
    // Was "..., then escalation resumes at the level reached.": an acknowledgement no longer restarts the level (issue 15).
    expect(threadPosts(nag.ts)[0]?.args).toMatchObject({
      channel: 'CMAILOPS',
      text: `Alice Owner acknowledged ${KEY} on mail-gw-1: no nags until Mon 23 Nov 11:00 Europe/Berlin. The level's clock keeps running: unless the patch is applied or the risk accepted, escalation goes on then.`,
    });
    expect((await stored()).escalation).toMatchObject({
      phase: 'acknowledged',
      holdUntil: NOW + 3 * DAY,
      lastAck: { step: 1, by: 'alice', at: NOW, level: 0, count: 1 },
    });
    expect((await auditRows()).at(-1)).toMatchObject({
      actor: 'alice',
      action: 'ack',
      surface: 'slack',
      system: 'mail-gw-1',
    });
    expect(whispers('UALICE')).toEqual([]);

    // Bob, above Alice, clicks the same nag: told who answered it, alone; nothing stored or posted, the refusal audited.
    const before = { patch: await stored(), audit: (await auditRows()).length };
    expect((await click(ACTION_IDS.patchAck, nag.values[ACTION_IDS.patchAck]!, 'UBOB', nag.ts)).status).toBe(200);
    await vi.waitFor(() => expect(whispers('UBOB')).toHaveLength(1), WAIT);
    expect(whispers('UBOB')[0]?.args.text).toBe(
      'This nag was already acknowledged by alice at Fri 20 Nov 11:00 Europe/Berlin; nothing changed.',
    );
    expect(await stored()).toEqual(before.patch);
    expect(
      (await auditRows()).slice(before.audit).map((row) => [row.actor, row.action, JSON.parse(row.details).code]),
    ).toEqual([['bob', 'refused', 'CONFLICT']]);
    expect(threadPosts(nag.ts)).toHaveLength(1);
  });

  it('whispers a refusal to a stranger who clicks, naming who may act, and changes nothing', async () => {
    const nag = await postNag();
    const before = { patch: await stored(), audit: (await auditRows()).length };
    expect((await click(ACTION_IDS.patchDone, nag.values[ACTION_IDS.patchDone]!, 'U0STRANGER', nag.ts)).status).toBe(
      200,
    );
    await vi.waitFor(() => expect(whispers('U0STRANGER')).toHaveLength(1), WAIT);
    expect(whispers('U0STRANGER')[0]?.args).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'You (slack:U0STRANGER) are not in the inventory, and only the owner of mail-gw-1 and their management chain may do this: Alice Owner, Bob Manager, Carol Chief.',
    });
    expect(await stored()).toEqual(before.patch);
    // Nothing changed but the record of the refused click.
    expect((await auditRows()).slice(before.audit)).toMatchObject([
      { actor: 'slack:U0STRANGER', action: 'refused', surface: 'slack', system: null },
    ]);
    expect(JSON.parse((await auditRows()).at(-1)!.details)).toEqual({
      attempted: `click ${ACTION_IDS.patchDone}`,
      target: nag.values[ACTION_IDS.patchDone],
      identity: 'slack:U0STRANGER',
      code: 'FORBIDDEN',
      reason:
        'you (slack:U0STRANGER) are not in the inventory, and only the owner of mail-gw-1 and their management chain may do this: Alice Owner, Bob Manager, Carol Chief',
    });
    expect(threadPosts(nag.ts)).toEqual([]);
  });

  it("opens a modal on Snooze with the click's trigger_id, shows a bad duration on its field, and snoozes on a good submission", async () => {
    const nag = await postNag();
    const value = nag.values[ACTION_IDS.patchSnooze]!;
    expect(
      (await click(ACTION_IDS.patchSnooze, value, 'UALICE', nag.ts, { triggerId: 'trigger-snooze-1' })).status,
    ).toBe(200);
    await vi.waitFor(() => expect(slackBot.api.callsTo('views.open')).toHaveLength(1), WAIT);
    const opened = slackBot.api.callsTo('views.open')[0]!.args;
    expect(opened.trigger_id).toBe('trigger-snooze-1');
    const view = opened.view as Record<string, unknown>;
    expect(view).toMatchObject({
      type: 'modal',
      title: { text: 'Snooze this patch' },
      blocks: [{ block_id: 'duration' }, { block_id: 'reason' }],
    });
    // The click did nothing by itself: the modal asks first.
    expect((await stored()).escalation.phase).not.toBe('snoozed');

    const bad = await sendToApp(
      slackBot.eventsUrl,
      viewSubmissionBody({ view, values: { duration: 'soon', reason: '' }, user: 'UALICE' }),
      { signingSecret: SLACK_TEST_SECRET },
    );
    expect(bad.status).toBe(200);
    expect(JSON.parse(bad.body)).toEqual({
      response_action: 'errors',
      errors: { duration: expect.stringContaining('"soon" is not a duration'), reason: 'Say why it can wait.' },
    });
    expect((await stored()).escalation.phase).not.toBe('snoozed');

    const good = await sendToApp(
      slackBot.eventsUrl,
      viewSubmissionBody({ view, values: { duration: '2d', reason: 'vendor build on Monday' }, user: 'UALICE' }),
      { signingSecret: SLACK_TEST_SECRET },
    );
    expect(good.status).toBe(200);
    expect(good.body).toBe('');
    await vi.waitFor(() => expect(threadPosts(nag.ts)).toHaveLength(1), WAIT);
    expect(threadPosts(nag.ts)[0]?.args.text).toBe(
      `Alice Owner snoozed ${KEY} on mail-gw-1 for 2 days, until Sun 22 Nov 11:00 Europe/Berlin (snooze 1): vendor build on Monday`,
    );
    expect((await stored()).escalation).toMatchObject({ phase: 'snoozed', snoozes: 1, holdUntil: NOW + 2 * DAY });
  });

  it('asks for a risk acceptance from the nag, and lets only a risk approver decide it, once', async () => {
    const nag = await postNag();
    const asked = await submitForm(
      ACTION_IDS.patchAcceptRisk,
      nag.values[ACTION_IDS.patchAcceptRisk]!,
      'UALICE',
      nag.ts,
      {
        until: '90d',
        reason: 'The CEO will not approve the outage before year end',
        controls: 'inbound only via the relay; frozen by policy',
      },
    );
    expect(asked.body).toBe('');
    await vi.waitFor(() => expect(threadPosts(nag.ts)).toHaveLength(1), WAIT);
    const request = threadPosts(nag.ts)[0]!;
    expect(request.args.text).toBe(`Accept the risk of not patching ${KEY} on mail-gw-1?`);
    expect(JSON.stringify(request.args.blocks)).toContain('inbound only via the relay; frozen by policy');
    const decide = buttonValues(request);
    expect(Object.keys(decide)).toEqual([ACTION_IDS.riskApprove, ACTION_IDS.riskReject]);
    // Carol, the policy's risk approver, got the request in a direct message too.
    expect(directMessages.messages.map((message) => [message.kind, message.to, message.card.summary])).toEqual([
      ['direct', 'UCAROL', request.args.text],
    ]);
    const requestTs = String(request.response.ts);

    // Alice asked: she may not decide. The refusal is hers alone and the card stays as it is.
    expect(
      (await click(ACTION_IDS.riskApprove, decide[ACTION_IDS.riskApprove]!, 'UALICE', requestTs, { threadTs: nag.ts }))
        .status,
    ).toBe(200);
    await vi.waitFor(() => expect(whispers('UALICE')).toHaveLength(1), WAIT);
    expect(whispers('UALICE')[0]?.args.text).toBe(
      'Only the risk approvers of the standard policy may decide: Carol Chief.',
    );
    expect(slackBot.api.callsTo('chat.update')).toEqual([]);
    expect((await stored()).escalation.phase).not.toBe('risk-accepted');

    expect(
      (await click(ACTION_IDS.riskApprove, decide[ACTION_IDS.riskApprove]!, 'UCAROL', requestTs, { threadTs: nag.ts }))
        .status,
    ).toBe(200);
    await vi.waitFor(() => expect(slackBot.api.callsTo('chat.update')).toHaveLength(1), WAIT);
    const update = slackBot.api.callsTo('chat.update')[0]!.args;
    expect(update).toMatchObject({ channel: 'CMAILOPS', ts: requestTs, text: `Risk accepted: ${KEY} on mail-gw-1` });
    expect((update.blocks as { type: string }[]).map((block) => block.type)).not.toContain('actions');
    expect((await stored()).escalation).toMatchObject({ phase: 'risk-accepted', nextAt: NOW + 90 * DAY });
    // The thread (rooted at the nag, not at the request card) says it too.
    await vi.waitFor(() => expect(threadPosts(nag.ts)).toHaveLength(2), WAIT);
    expect(threadPosts(nag.ts)[1]?.args.text).toBe(`Risk accepted: ${KEY} on mail-gw-1 (decided by Carol Chief).`);

    // A second click (the card in Carol's DMs still has its buttons) is refused and changes nothing.
    expect(
      (await click(ACTION_IDS.riskReject, decide[ACTION_IDS.riskReject]!, 'UCAROL', requestTs, { threadTs: nag.ts }))
        .status,
    ).toBe(200);
    await vi.waitFor(() => expect(slackBot.api.callsTo('views.open')).toHaveLength(2), WAIT);
    const rejectView = slackBot.api.callsTo('views.open').at(-1)?.args.view as Record<string, unknown>;
    await sendToApp(
      slackBot.eventsUrl,
      viewSubmissionBody({ view: rejectView, values: { reason: 'changed my mind' }, user: 'UCAROL' }),
      { signingSecret: SLACK_TEST_SECRET },
    );
    await vi.waitFor(() => expect(slackBot.api.callsTo('chat.postEphemeral')).toHaveLength(1), WAIT);
    expect(slackBot.api.callsTo('chat.postEphemeral')[0]?.args).toMatchObject({
      channel: 'CMAILOPS',
      user: 'UCAROL',
      text: 'This risk acceptance was already approved by carol.',
    });
    expect(slackBot.api.callsTo('chat.update')).toHaveLength(1);
    expect((await stored()).escalation.phase).toBe('risk-accepted');
  });
});

describe('patch buttons in Teams, through the real CloudAdapter', () => {
  const SETTINGS = TEAMS_TEST_SETTINGS;
  const BOT = TEAMS_TEST_BOT;
  const CHANNEL = '19:mailops@thread.tacv2';
  /** The nag's thread: its first message is the nag card the worker posted. */
  const NAG_ID = '1700000000001';
  const THREAD = `${CHANNEL};messageid=${NAG_ID}`;
  const harness = teamsBotOnLoopback(() => ({ mailcheck: MAILCHECK, patch: deps }));
  let sequence = 0;

  /**
   * What Teams sends when `verb`'s button on `card` is clicked: the Action.Execute's data, with the
   * typed inputs merged in under their input ids, as the client does.
   */
  async function invoke(
    card: Card,
    verb: string,
    typed: Record<string, string>,
    from: string,
    cardId: string,
    conversationId = THREAD,
  ) {
    const execute = executeActions(renderAdaptiveCard(card)).find((action) => action.verb === verb);
    if (!execute) throw new Error(`no ${verb} button on the card`);
    const data = {
      ...execute.data,
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
      recipient: BOT,
      conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: SETTINGS.tenantId },
      channelData: { tenant: { id: SETTINGS.tenantId }, channel: { id: CHANNEL } },
      replyToId: cardId,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
    await harness.teams.settled();
    return answer;
  }

  const cardOf = (call: ConnectorCall | undefined): AdaptiveCard =>
    (call?.activity.attachments as { content: AdaptiveCard }[])[0]!.content;

  it("snoozes from the inputs of the Snooze form, and says so in the nag's thread", async () => {
    const from = harness.connector.calls.length;
    const answer = await invoke(
      nagCard(NAG, await stored()),
      ACTION_IDS.patchSnooze,
      { duration: '1d', reason: 'waiting for the vendor' },
      'aad-alice',
      NAG_ID,
      CHANNEL,
    );
    expect(answer).toMatchObject({
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message' },
    });
    const sent = harness.connector.calls.slice(from);
    expect(sent).toHaveLength(1);
    // The nag was posted at the top of the channel: the confirmation goes into the thread it starts.
    expect(sent[0]).toMatchObject({
      method: 'POST',
      conversationId: THREAD,
      activity: {
        summary: `Alice Owner snoozed ${KEY} on mail-gw-1 for 1 day, until Sat 21 Nov 11:00 Europe/Berlin (snooze 1): waiting for the vendor`,
      },
    });
    expect((await stored()).escalation).toMatchObject({ phase: 'snoozed', holdUntil: NOW + DAY, snoozes: 1 });
    expect((await auditRows()).at(-1)).toMatchObject({ actor: 'alice', action: 'snooze', surface: 'teams' });
  });

  it('approves a request for a risk approver: the card is replaced in place without buttons, the thread is told, a second click is refused', async () => {
    const patchRow = await stored();
    const alice = PEOPLE_ON_TEAMS.find((person) => person.handle === 'alice');
    const requested = await requestRiskAcceptance(store, {
      person: alice,
      identity: 'teams:aad-alice',
      surface: 'teams',
      system: 'mail-gw-1',
      patch: KEY,
      reason: 'no outage before year end',
      controls: [],
      expiresAt: NOW + 30 * DAY,
      now: NOW,
    });
    const acceptance = requested.acceptances[0]!;
    const card = riskRequestCard(acceptance, requested.approvers, { now: NOW, timeZone: 'UTC' });
    const REQUEST_ID = 'activity-request';

    const from = harness.connector.calls.length;
    const answer = await invoke(card, ACTION_IDS.riskApprove, {}, 'aad-carol', REQUEST_ID);
    expect(answer.status).toBe(200);
    const sent = harness.connector.calls.slice(from);
    expect(sent.map((call) => [call.method, call.conversationId, call.activityId])).toEqual([
      ['PUT', THREAD, REQUEST_ID],
      ['POST', THREAD, undefined],
    ]);
    const replaced = cardOf(sent[0]);
    expect(replaced.fallbackText).toBe(`Risk accepted: ${KEY} on mail-gw-1`);
    expect(replaced.body.map((element) => element.type)).not.toContain('ActionSet');
    expect(sent[1]?.activity.summary).toBe(`Risk accepted: ${KEY} on mail-gw-1 (decided by Carol Chief).`);
    expect((await stored()).escalation).toMatchObject({ phase: 'risk-accepted', nextAt: NOW + 30 * DAY });
    expect(patchRow.escalation.phase).not.toBe('risk-accepted');

    // Rejecting it now is refused, in the conversation (Teams has no ephemeral messages), and changes nothing.
    const again = harness.connector.calls.length;
    await invoke(card, ACTION_IDS.riskReject, { reason: 'changed my mind' }, 'aad-carol', REQUEST_ID);
    const refused = harness.connector.calls.slice(again);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ method: 'POST', conversationId: THREAD });
    expect(String(refused[0]?.activity.text)).toContain('This risk acceptance was already approved by carol.');
    expect((await stored()).escalation.phase).toBe('risk-accepted');
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

/** Every Action.Execute on an Adaptive Card, those inside a ShowCard's form included. */
function executeActions(card: AdaptiveCard): AdaptiveExecuteAction[] {
  return card.body.flatMap((element) =>
    element.type !== 'ActionSet'
      ? []
      : element.actions.flatMap((action) => (action.type === 'Action.Execute' ? [action] : action.card.actions)),
  );
}
