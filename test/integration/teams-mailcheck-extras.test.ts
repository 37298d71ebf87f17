/**
 * A bounce pasted into Teams (line breaks and all) and a watch started from a channel thread,
 * through the real CloudAdapter with a fake Bot Connector, DNS servers on loopback and SQLite.
 */
import { manualClock } from '../support/manual-clock.js';
import { systemClock } from '../../src/clock.js';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checksOf } from '../../commands/bounce-checks.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import type { MailWatch } from '../../src/store/mail-watches.js';
import { listWatches } from '../../src/store/mail-watches.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { sendToBot, TEAMS_TEST_BOT, TEAMS_TEST_SETTINGS } from '../support/fake-bot-connector.js';
import { noMailcheck } from '../support/no-mailcheck.js';
import { teamsBotOnLoopback } from '../support/teams-bot-harness.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { mailNetwork, RESOLVER, MAIL_NETWORK_TIMEOUT_MS } from '../fixtures/mail-network.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

const USER = { id: '29:alex', name: 'Alex Admin', aadObjectId: '00000000-0000-4000-8000-0000000000a1' };
const CHANNEL = '19:ops@thread.tacv2';
const THREAD = `${CHANNEL};messageid=1700000000001`;

describe('mailcheck bounce and watch in Teams', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  let store: TestDatabase;
  const scheduled: MailWatch[] = [];
  let sequence = 0;

  /** OneDrive, as far as the bot can tell: serves the files a user sends it. */
  let files: Server;
  const served = new Map<string, string>();
  beforeAll(async () => {
    network = await startDnsServers(mailNetwork());
    files = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      res.writeHead(body === undefined ? 404 : 200).end(body);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await network.close();
    await new Promise((resolve) => files.close(resolve));
  });
  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
  });
  afterEach(async () => {
    await store.drop();
  });

  const mailcheck = (): MailcheckDeps => ({
    ...noMailcheck(),
    bounces: {
      test: (target, hypothesis) =>
        diagnose(target, {
          dns: createDnsClient(),
          clock: systemClock,
          checks: checksOf(hypothesis),
          lookup: loopbackLookup(RESOLVER, network.port, MAIL_NETWORK_TIMEOUT_MS),
        }),
    },
    // The scheduler is BullMQ's (tested with real Redis in the Slack and watch tests); here, what Teams asks of it.
    watches: {
      store,
      schedule: async (watch) => void scheduled.push(watch),
      unschedule: async () => undefined,
      defaultIntervalMs: 3_600_000,
      clock: manualClock(new Date('2026-11-26T09:00:00Z')),
    },
  });
  const harness = teamsBotOnLoopback(() => ({
    mailcheck: mailcheck(),
    fileUrlAllowed: (url) => url.hostname === '127.0.0.1',
  }));

  const mention = (text: string) => ({
    id: `incoming-${++sequence}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: harness.connector.serviceUrl,
    from: USER,
    recipient: TEAMS_TEST_BOT,
    conversation: { id: THREAD, conversationType: 'channel', isGroup: true, tenantId: TEAMS_TEST_SETTINGS.tenantId },
    channelData: { tenant: { id: TEAMS_TEST_SETTINGS.tenantId }, channel: { id: CHANNEL }, team: { id: CHANNEL } },
    locale: 'en-US',
    type: 'message',
    text: `<at>mxops</at> ${text}`,
    entities: [{ type: 'mention', mentioned: TEAMS_TEST_BOT, text: '<at>mxops</at>' }],
  });
  const sent = (): string => JSON.stringify(harness.connector.calls.map((c) => c.activity));

  it('reads a multi-line qmail bounce pasted after "mailcheck bounce" and confirms its cause', async () => {
    const bounce = [
      'Hi. This is the qmail-send program at mail.example.net.',
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      '',
      '<bob@bigany.test>:',
      'CNAME lookup failed temporarily. (#4.4.3)',
      "I'm not going to try again; this message has been in the queue too long.",
    ].join('\n');
    expect((await sendToBot(harness.botUrl, mention(`mailcheck bounce\n${bounce}`))).status).toBeLessThan(300);
    await harness.connector.waitFor('the bounce verdict', () => sent().includes('Verdict: confirmed'));
    expect(sent()).toContain('qmail-any-answer-too-big');
    expect(sent()).toContain('bob@bigany.test');
  });

  it('reads a bounce sent as a file in a 1:1 chat with "mailcheck bounce"', async () => {
    served.set(
      '/bounce.txt',
      readFileSync(join(import.meta.dirname, '../fixtures/bounces/qmail-failure-log.txt'), 'utf8').replaceAll(
        'legacy-partner.test',
        'v6only.test',
      ),
    );
    const personal = {
      ...mention('mailcheck bounce'),
      text: 'mailcheck bounce',
      entities: [],
      conversation: { id: 'a:1personal', conversationType: 'personal', tenantId: TEAMS_TEST_SETTINGS.tenantId },
    };
    const downloadUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/bounce.txt`;
    await sendToBot(harness.botUrl, {
      ...personal,
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'bounce.txt',
          content: { downloadUrl, uniqueId: 'u1', fileType: 'txt' },
        },
      ],
    });
    await harness.connector.waitFor(
      'the bounce verdict',
      () => sent().includes('no-ipv4-mail-server') && sent().includes('Verdict: confirmed'),
    );
    // A link to anywhere else is not fetched.
    const elsewhere = {
      ...personal,
      id: 'incoming-elsewhere',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'x.txt',
          content: { downloadUrl: 'http://192.0.2.1/x.txt' },
        },
      ],
    };
    await sendToBot(harness.botUrl, elsewhere);
    await harness.connector.waitFor('the refusal', () => sent().includes('not from OneDrive or SharePoint: not read'));
  });

  it('starts a watch for the channel, not the thread, and names who asked', async () => {
    await sendToBot(harness.botUrl, mention('mailcheck watch healthy.test every 2h'));
    await harness.connector.waitFor('the watch confirmation', () => sent().includes('Watching healthy.test'));
    const [watch] = await listWatches(store);
    expect(watch).toMatchObject({
      domain: 'healthy.test',
      platform: 'teams',
      conversation: CHANNEL,
      intervalMs: 2 * 3_600_000,
      createdBy: `teams:${USER.aadObjectId}`,
    });
    expect(scheduled.map((w) => w.id)).toEqual([watch!.id]);
  });
});
