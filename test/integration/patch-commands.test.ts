/**
 * The patch commands end to end on both stores: a scripted console session for each command, and
 * the same handler behind the real Bolt app (signed /patch slash commands, a fake Slack Web API)
 * and the real Teams CloudAdapter (a fake Bot Framework connector).
 */
import { manualClock } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PatchDeps } from '../../commands/patch.js';
import { acceptRisk } from '../../src/patching/escalation.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPatch, patchesOf } from '../../src/store/inventory-queries.js';
import { escalationColumns } from '../../src/store/inventory-rows.js';
import type { AuditLogTable } from '../../src/store/schema.js';
import { TEAMS_TEST_SETTINGS, sendToBot } from '../support/fake-bot-connector.js';
import { sendToApp, slashCommandBody } from '../support/fake-slack-api.js';
import { DAY, inventory, patch, system } from '../support/inventory-fixture.js';
import { noMailcheck } from '../support/no-mailcheck.js';
import { teamsBotOnLoopback } from '../support/teams-bot-harness.js';
import { SLACK_TEST_SECRET, slackAppOnLoopback } from '../support/slack-app-harness.js';
import { consoleSession } from '../support/console-session.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

/** Friday 20 November 2026, 11:00 in Berlin. */
const NOW = Date.parse('2026-11-20T10:00:00Z');
const WAIT = { timeout: 8_000, interval: 20 };

const DOC = inventory({
  systems: [
    system('mail-gw-1'),
    system('dns-1', { kind: 'dns', owner: 'bob', criticality: 'critical', channel: { slack: 'CDNS' } }),
  ],
  patches: [
    patch('mail-gw-1', 'CVE-2026-0001', NOW - 10 * DAY), // critical: 7-day SLA, 3 days overdue
    patch('mail-gw-1', 'ignored', NOW - 40 * DAY, { advisory: undefined, title: 'Kernel update', severity: 'high' }), // 30-day SLA, 10 days overdue
    patch('dns-1', 'CVE-2026-0002', NOW - DAY, { severity: 'low', dueAt: NOW + 30 * DAY }),
    patch('dns-1', 'CVE-2026-0003', NOW - 20 * DAY), // 13 days overdue, its risk accepted below
  ],
});

const MAILCHECK = noMailcheck();

async function auditRows(store: TestDatabase): Promise<AuditLogTable[]> {
  const rows: AuditLogTable[] = [];
  for await (const row of readAuditLog(store.db)) rows.push(row);
  return rows;
}

describe.each(STORE_DIALECTS)('patch commands on %s', (dialect) => {
  let store: TestDatabase;
  let deps: PatchDeps;

  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    await importInventory(store, DOC, { actor: 'test', surface: 'cli', now: NOW - 40 * DAY, source: 'fixture' });
    const accepted = await findPatch(store.db, 'dns-1', 'CVE-2026-0003');
    await store.db
      .updateTable('patches')
      .set(escalationColumns(acceptRisk(accepted!.escalation, NOW - DAY, NOW + 14 * DAY)))
      .where('id', '=', accepted!.id)
      .execute();
    deps = { store, clock: manualClock(NOW) };
  });
  afterEach(async () => {
    await store.drop();
  });

  const session = (script: string, actor?: string): Promise<string> =>
    consoleSession(script, { patch: deps, ...(actor !== undefined ? { actor } : {}) });

  describe('console', () => {
    it('lists systems with open patches, the earliest due first, with owner and how overdue', async () => {
      const text = await session('patch list\n');
      expect(text).toContain('== Open patches on 2 systems ==');
      const dns = text.indexOf(
        '- dns-1 (dns, owner Bob Manager (bob)): 2 open patches, first 1 week 6 days overdue (due Sat 7 Nov 10:00 UTC)',
      );
      const mail = text.indexOf(
        '- mail-gw-1 (mail-server, owner Alice Owner (alice)): 2 open patches, first 1 week 3 days overdue (due Tue 10 Nov 10:00 UTC)',
      );
      expect(dns).toBeGreaterThan(0);
      expect(mail).toBeGreaterThan(dns);
    });

    it('lists overdue patches most overdue first, and accepted risks apart with owner and expiry', async () => {
      const text = await session('patch overdue\n', 'alice');
      expect(text).toContain('== 2 overdue patches ==');
      const kernel = text.indexOf(
        '- mail-gw-1 Kernel update (high): 1 week 3 days overdue, owner Alice Owner (alice); upcoming',
      );
      const cve = text.indexOf(
        '- mail-gw-1 CVE-2026-0001: Fix for CVE-2026-0001 (critical): 3 days overdue, owner Alice Owner (alice)',
      );
      expect(kernel).toBeGreaterThan(0);
      expect(cve).toBeGreaterThan(kernel);
      const risk = text.toUpperCase().indexOf('RISK ACCEPTED (1)');
      expect(risk).toBeGreaterThan(cve);
      // Alice reads times in her own zone: 14 days after the acceptance at 10:00 UTC is 11:00 in Berlin.
      expect(text.slice(risk)).toContain(
        '- dns-1 CVE-2026-0003: Fix for CVE-2026-0003 (critical): 1 week 6 days overdue, owner Bob Manager (bob); expires Fri 4 Dec 11:00 Europe/Berlin',
      );
      expect(text.slice(0, risk)).not.toContain('CVE-2026-0003');
    });

    it('shows a system: its facts, maintenance windows in local time, and each patch with due date and escalation', async () => {
      const text = await session('patch show mail-gw-1\n', 'alice');
      expect(text).toContain('== mail-gw-1 ==');
      expect(text).toMatch(/Kind\s+mail-server/);
      expect(text).toMatch(/Criticality\s+high/);
      expect(text).toMatch(/Owner\s+Alice Owner \(alice\)/);
      expect(text).toMatch(/Channel\s+Slack CMAILOPS, Teams 19:mailops@thread\.tacv2/);
      expect(text).toMatch(/Policy\s+standard/);
      expect(text).toContain('sat 22:00 for 4 hours (Europe/Berlin); next Sat 21 Nov 22:00 Europe/Berlin');
      expect(text.toUpperCase()).toContain('2 OPEN PATCHES:');
      expect(text).toContain(
        '- Kernel update (high)\n  open, 1 week 3 days overdue (due Tue 10 Nov 11:00 Europe/Berlin)\n  escalation: upcoming, not escalated yet; next step Sat 7 Nov 11:00 Europe/Berlin',
      );
      expect(text).toContain(
        '- CVE-2026-0001: Fix for CVE-2026-0001 (critical)\n  open, 3 days overdue (due Tue 17 Nov 11:00 Europe/Berlin)',
      );
    });

    it('tells who answers for a system: the owner, the management chain with chat handles and zones, the risk approvers', async () => {
      const text = await session('patch who mail-gw-1\n');
      expect(text).toContain('== Who answers for mail-gw-1 ==');
      expect(text).toMatch(/Owner\s+Alice Owner \(alice\): Slack UALICE, Teams aad-alice; Europe\/Berlin/);
      expect(text).toMatch(/Manager\s+Bob Manager \(bob\): Slack UBOB, Teams aad-bob; Europe\/Berlin/);
      expect(text).toMatch(/Manager's manager\s+Carol Chief \(carol\): Slack UCAROL; America\/New_York/);
      expect(text).toContain('Risk approvers (standard policy): Carol Chief (carol)');
    });

    it('acknowledges for the owner: the phase changes in the store and the audit log says who, where and what', async () => {
      const before = (await auditRows(store)).length;
      const text = await session('patch ack mail-gw-1 CVE-2026-0001\n', 'alice');
      expect(text.toUpperCase()).toContain('ACKNOWLEDGED 1 PATCH ON MAIL-GW-1 UNTIL MON 23 NOV 11:00 EUROPE/BERLIN');
      expect(text).toContain('By Alice Owner.');
      expect(await findPatch(store.db, 'mail-gw-1', 'CVE-2026-0001')).toMatchObject({
        escalation: { phase: 'acknowledged', holdUntil: NOW + 3 * DAY },
      });
      expect((await findPatch(store.db, 'mail-gw-1', 'Kernel update'))?.escalation.phase).toBe('upcoming');
      const audit = (await auditRows(store)).slice(before);
      expect(audit).toHaveLength(1);
      // The console only repeats what --as said: recorded as claimed, not as verified.
      expect(audit[0]).toMatchObject({
        actor: 'alice',
        action: 'ack',
        system: 'mail-gw-1',
        surface: 'console, claimed',
      });
      expect(JSON.parse(audit[0]!.details)).toMatchObject({
        patch: 'CVE-2026-0001',
        until: new Date(NOW + 3 * DAY).toISOString(),
      });
    });

    it('refuses strangers, naming who may act, and changes nothing', async () => {
      const before = { audit: (await auditRows(store)).length, patches: await patchesOf(store.db, 'dns-1') };
      const text = await session('patch ack dns-1\npatch done dns-1\npatch add dns-1 high Something\n', 'alice');
      expect(
        text.match(/Only the owner of dns-1 and their management chain may do this: Bob Manager, Carol Chief\./g),
      ).toHaveLength(3);
      const unknown = await session('patch ack mail-gw-1\n', 'mallory');
      expect(unknown).toContain(
        'You (console:mallory) are not in the inventory, and only the owner of mail-gw-1 and their management chain may do this: Alice Owner, Bob Manager, Carol Chief.',
      );
      expect(text).not.toContain('[#');
      expect(unknown).not.toContain('[#');
      expect(await patchesOf(store.db, 'dns-1')).toEqual(before.patches);
      // Nothing changed but the record of the refused attempts: who, from where, what and why.
      const refused = (await auditRows(store)).slice(before.audit);
      expect(
        refused.map((row) => [
          row.actor,
          row.action,
          row.surface,
          JSON.parse(row.details).attempted,
          JSON.parse(row.details).code,
        ]),
      ).toEqual([
        ['alice', 'refused', 'console, claimed', 'typed patch ack dns-1', 'FORBIDDEN'],
        ['alice', 'refused', 'console, claimed', 'typed patch done dns-1', 'FORBIDDEN'],
        ['alice', 'refused', 'console, claimed', 'typed patch add dns-1 high Something', 'FORBIDDEN'],
        ['console:mallory', 'refused', 'console, claimed', 'typed patch ack mail-gw-1', 'FORBIDDEN'],
      ]);
    });

    it('needs --as to change anything, while reading works without it', async () => {
      const text = await session('patch ack mail-gw-1\npatch list\n');
      expect(text).toContain('Changing the inventory needs to know who you are: run mxops chat --as <handle>');
      expect(text).toContain('== Open patches on 2 systems ==');
      expect((await findPatch(store.db, 'mail-gw-1', 'CVE-2026-0001'))?.escalation.phase).toBe('upcoming');
    });

    it('acknowledges a nag once: typed again it says who and when; snoozed, it is refused, naming the patch when acting on all of them', async () => {
      const text = await session(
        [
          'patch ack mail-gw-1 CVE-2026-0001',
          'patch ack mail-gw-1 CVE-2026-0001',
          'patch snooze mail-gw-1 "Kernel update" 1d --reason vendor build',
          'patch ack mail-gw-1',
          '',
        ].join('\n'),
        'alice',
      );
      expect(text.toUpperCase()).toContain('ACKNOWLEDGED 1 PATCH ON MAIL-GW-1 UNTIL MON 23 NOV 11:00 EUROPE/BERLIN');
      expect(text).toContain(
        "By Alice Owner. The level's clock keeps running: unless it is applied or the risk accepted, escalation goes on then.",
      );
      expect(text).toContain(
        'This nag was already acknowledged by alice at Fri 20 Nov 11:00 Europe/Berlin; nothing changed.',
      );
      expect(text).toContain(
        'Kernel update: this patch is snoozed until Sat 21 Nov 11:00 Europe/Berlin: nobody is nagged before then, so there is nothing to acknowledge.',
      );
      expect(await findPatch(store.db, 'mail-gw-1', 'CVE-2026-0001')).toMatchObject({
        escalation: { phase: 'acknowledged', lastAck: { by: 'alice', at: NOW, count: 1 } },
      });
      expect((await auditRows(store)).filter((row) => row.action === 'ack')).toHaveLength(1);
    });

    it("keeps snoozes within the policy's length and count, and needs a reason", async () => {
      const text = await session(
        [
          'patch snooze mail-gw-1 CVE-2026-0001 8d --reason vendor',
          'patch snooze mail-gw-1 CVE-2026-0001 2d',
          'patch snooze mail-gw-1 CVE-2026-0001 2d --reason vendor build on Monday',
          'patch snooze mail-gw-1 CVE-2026-0001 1d --reason still waiting',
          'patch snooze mail-gw-1 CVE-2026-0001 1d --reason once more',
          '',
        ].join('\n'),
        'alice',
      );
      expect(text).toContain('A snooze may last at most 1 week under the standard policy.');
      expect(text).toContain(
        'A snooze needs a reason: add --reason and why it can wait.\nUsage: patch snooze <system> [patch] <duration> --reason <why>',
      );
      expect(text.toUpperCase()).toContain(
        'SNOOZED 1 PATCH ON MAIL-GW-1 FOR 2 DAYS UNTIL SUN 22 NOV 11:00 EUROPE/BERLIN',
      );
      expect(text).toContain('Reason: vendor build on Monday');
      expect(text).toContain('This patch was already snoozed 2 times, the most the standard policy allows');
      expect(await findPatch(store.db, 'mail-gw-1', 'CVE-2026-0001')).toMatchObject({
        escalation: { phase: 'snoozed', snoozes: 2, holdUntil: NOW + DAY },
      });
      const snoozes = (await auditRows(store)).filter((row) => row.action === 'snooze');
      expect(
        snoozes.map((row) => JSON.parse(row.details) as { reason: string }).map((details) => details.reason),
      ).toEqual(['vendor build on Monday', 'still waiting']);
    });

    it('marks every open patch of a system done for a manager, and then says there is nothing left', async () => {
      const text = await session('patch done mail-gw-1\npatch done mail-gw-1\n', 'bob');
      expect(text.toUpperCase()).toContain('MARKED 2 PATCHES ON MAIL-GW-1 AS APPLIED');
      expect(text).toContain('mail-gw-1 has no open patches.');
      expect((await patchesOf(store.db, 'mail-gw-1')).map((p) => [p.key, p.status, p.doneBy])).toEqual([
        ['Kernel update', 'done', 'bob'],
        ['CVE-2026-0001', 'done', 'bob'],
      ]);
      const done = (await auditRows(store)).filter((row) => row.action === 'patched');
      expect(done.map((row) => [row.actor, row.surface, row.system])).toEqual([
        ['bob', 'console, claimed', 'mail-gw-1'],
        ['bob', 'console, claimed', 'mail-gw-1'],
      ]);
    });

    it('adds a patch once: adding it again changes nothing and audits nothing', async () => {
      const text = await session(
        'patch add mail-gw-1 high "OpenSSL 3.0.15" --advisory CVE-2026-0100\npatch add mail-gw-1 high "OpenSSL 3.0.15" --advisory CVE-2026-0100\n',
        'alice',
      );
      // Released today (UTC), due after the policy's 30 days for high.
      expect(text.toUpperCase()).toContain('ADDED CVE-2026-0100 TO MAIL-GW-1');
      expect(text).toContain(
        '- CVE-2026-0100: OpenSSL 3.0.15 (high), released Fri 20 Nov 01:00 Europe/Berlin, due Sun 20 Dec 01:00 Europe/Berlin',
      );
      expect(text).toContain("(from the policy's SLA)");
      expect(text.toUpperCase()).toContain('CVE-2026-0100 IS ALREADY ON MAIL-GW-1; NOTHING CHANGED');
      expect((await patchesOf(store.db, 'mail-gw-1')).filter((p) => p.key === 'CVE-2026-0100')).toEqual([
        expect.objectContaining({
          releasedAt: Date.parse('2026-11-20T00:00:00Z'),
          dueAt: Date.parse('2026-12-20T00:00:00Z'),
          status: 'open',
          escalation: expect.objectContaining({ phase: 'upcoming' }),
        }),
      ]);
      const added = (await auditRows(store)).filter((row) => row.actor === 'alice');
      expect(added.map((row) => [row.action, row.system, row.surface])).toEqual([
        ['patch-added', 'mail-gw-1', 'console, claimed'],
        ['import', null, 'console, claimed'],
      ]);
    });

    it('keeps a due date someone set when the patch is typed again without --due, even with a new title', async () => {
      const text = await session(
        'patch add dns-1 low "Fix for CVE-2026-0002" --advisory CVE-2026-0002\npatch add dns-1 low "Resolver fix" --advisory CVE-2026-0002\n',
        'bob',
      );
      expect(text.toUpperCase()).toContain('CVE-2026-0002 IS ALREADY ON DNS-1; NOTHING CHANGED');
      expect(text.toUpperCase()).toContain('UPDATED CVE-2026-0002 ON DNS-1');
      expect((await findPatch(store.db, 'dns-1', 'CVE-2026-0002'))?.dueAt).toBe(NOW + 30 * DAY);
    });

    it('answers help, bad input and unknown systems to the user alone, changing nothing', async () => {
      const before = (await auditRows(store)).length;
      const text = await session('patch help\npatch frobnicate\npatch show nosuch\npatch ack nosuch\nhelp\n', 'alice');
      expect(text).toContain('patch snooze <system> [patch] <duration> --reason <why>: hold escalation');
      expect(text).toContain('  patch ack mail-gw-1 CVE-2005-1513');
      expect(text).toContain(
        '"frobnicate" is not a patch command: use one of list, overdue, show, who, done, ack, snooze, add, accept-risk, risks, approve, reject.\nUsage: \npatch list\npatch overdue',
      );
      expect(text.match(/No system is called "nosuch": `patch list` shows them\./g)).toHaveLength(2);
      // The console's own help lists both commands.
      expect(text).toMatch(
        /mailcheck <domain or address>[\s\S]*patch list: systems with open patches[\s\S]*help: this text\./,
      );
      expect(text).not.toContain('[#');
      expect(await auditRows(store)).toHaveLength(before);
    });
  });

  describe('Slack, through the real Bolt app', () => {
    const slackBot = slackAppOnLoopback(() => ({ patch: deps }));

    const patchCommand = (text: string, user: string) =>
      sendToApp(
        slackBot.eventsUrl,
        slashCommandBody({
          command: '/patch',
          text,
          user,
          channel: 'CMAILOPS',
          responseUrl: slackBot.api.responseUrl(user),
        }),
        { signingSecret: SLACK_TEST_SECRET },
      );

    it('acknowledges for the owner in the channel, and whispers a refusal to a stranger', async () => {
      expect((await patchCommand('ack mail-gw-1 CVE-2026-0001', 'UALICE')).status).toBe(200);
      await vi.waitFor(() => expect(slackBot.api.callsTo('chat.postMessage')).toHaveLength(1), WAIT);
      const posted = slackBot.api.callsTo('chat.postMessage')[0];
      expect(posted?.args).toMatchObject({
        channel: 'CMAILOPS',
        text: 'Acknowledged 1 patch on mail-gw-1 until Mon 23 Nov 11:00 Europe/Berlin',
      });
      expect(JSON.stringify(posted?.args.blocks)).toContain('By Alice Owner.');
      expect((await auditRows(store)).at(-1)).toMatchObject({
        actor: 'alice',
        action: 'ack',
        surface: 'slack',
        system: 'mail-gw-1',
      });

      const before = await patchesOf(store.db, 'mail-gw-1');
      expect((await patchCommand('done mail-gw-1', 'U0STRANGER')).status).toBe(200);
      await vi.waitFor(() => expect(slackBot.api.callsTo('chat.postEphemeral')).toHaveLength(1), WAIT);
      expect(slackBot.api.callsTo('chat.postEphemeral')[0]?.args).toMatchObject({
        channel: 'CMAILOPS',
        user: 'U0STRANGER',
        text: 'You (slack:U0STRANGER) are not in the inventory, and only the owner of mail-gw-1 and their management chain may do this: Alice Owner, Bob Manager, Carol Chief.',
      });
      expect(slackBot.api.callsTo('chat.postMessage')).toHaveLength(1);
      expect(await patchesOf(store.db, 'mail-gw-1')).toEqual(before);
    });
  });

  describe('Teams, through the real CloudAdapter', () => {
    const SETTINGS = TEAMS_TEST_SETTINGS;
    const BOT = { id: `28:${SETTINGS.appId}`, name: 'mxops' };
    const THREAD = '19:mailops@thread.tacv2;messageid=1700000000001';
    const harness = teamsBotOnLoopback(() => ({ mailcheck: MAILCHECK, patch: deps }));
    let sequence = 0;

    /** A channel message that @mentions the bot, from the person with this AAD object id. */
    const say = async (text: string, aadObjectId: string) => {
      const answer = await sendToBot(harness.botUrl, {
        id: `incoming-${++sequence}`,
        type: 'message',
        timestamp: new Date().toISOString(),
        channelId: 'msteams',
        serviceUrl: harness.connector.serviceUrl,
        from: { id: `29:${aadObjectId}`, name: aadObjectId, aadObjectId },
        recipient: BOT,
        conversation: { id: THREAD, conversationType: 'channel', isGroup: true, tenantId: SETTINGS.tenantId },
        channelData: { tenant: { id: SETTINGS.tenantId }, channel: { id: '19:mailops@thread.tacv2' } },
        text: `<at>mxops</at> ${text}`,
        entities: [{ type: 'mention', mentioned: BOT, text: '<at>mxops</at>' }],
      });
      await harness.teams.settled();
      return answer;
    };

    it('routes "patch ..." to the handler: a card for the owner, with the change audited as Teams', async () => {
      const from = harness.connector.calls.length;
      expect((await say('patch ack mail-gw-1', 'aad-alice')).status).toBe(200);
      const sent = harness.connector.calls.slice(from);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        method: 'POST',
        conversationId: THREAD,
        activity: { summary: 'Acknowledged 2 patches on mail-gw-1 until Mon 23 Nov 11:00 Europe/Berlin' },
      });
      expect(JSON.stringify(sent[0]?.activity.attachments)).toContain('Fix for CVE-2026-0001');
      expect((await patchesOf(store.db, 'mail-gw-1')).map((p) => p.escalation.phase)).toEqual([
        'acknowledged',
        'acknowledged',
      ]);
      expect((await auditRows(store)).slice(-2).map((row) => [row.actor, row.action, row.surface])).toEqual([
        ['alice', 'ack', 'teams'],
        ['alice', 'ack', 'teams'],
      ]);

      // Someone Teams knows but the inventory does not is told so, in the conversation (Teams has no ephemeral messages).
      await say('patch snooze mail-gw-1 1d --reason busy', 'aad-nobody');
      expect(harness.connector.calls.at(-1)?.activity.text).toContain(
        'You (teams:aad-nobody) are not in the inventory',
      );
      expect((await patchesOf(store.db, 'mail-gw-1')).map((p) => p.escalation.phase)).toEqual([
        'acknowledged',
        'acknowledged',
      ]);
    });
  });
});
