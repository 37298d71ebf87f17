/**
 * /mailcheck bounce, watch, unwatch, watches and the "What changed" button through the real Bolt
 * app (signed requests, a fake Slack Web API), with DNS servers on loopback, SQLite and real Redis.
 */
import { manualClock } from '../support/manual-clock.js';
import { systemClock } from '../../src/clock.js';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checksOf } from '../../commands/bounce-checks.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { MAIL_WATCH_QUEUE, scheduleWatch, unscheduleWatch, type WatchJobData } from '../../src/queue/watch-jobs.js';
import { recordCheck } from '../../src/store/check-reports.js';
import { listWatches } from '../../src/store/mail-watches.js';
import {
  appMentionBody,
  blockActionsBody,
  sendToApp,
  slashCommandBody,
  viewSubmissionBody,
} from '../support/fake-slack-api.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { DAY } from '../support/inventory-fixture.js';
import { noMailcheck } from '../support/no-mailcheck.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { SLACK_TEST_SECRET, slackAppOnLoopback } from '../support/slack-app-harness.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { mailNetwork, RESOLVER, MAIL_NETWORK_TIMEOUT_MS } from '../fixtures/mail-network.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

const WAIT = { timeout: 8_000, interval: 20 };

describe('mailcheck bounce, history and watches in Slack', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  let redis: Redis;
  let store: TestDatabase;
  let queue: Queue<WatchJobData>;
  let prefix: string;
  const lookup = () => loopbackLookup(RESOLVER, network.port, MAIL_NETWORK_TIMEOUT_MS);

  beforeAll(async () => {
    network = await startDnsServers(mailNetwork());
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await network.close();
    redis.disconnect();
  });
  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    prefix = uniquePrefix();
    queue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection: redis, prefix });
  });
  afterEach(async () => {
    await queue.close();
    await dropPrefix(redis, prefix);
    await store.drop();
  });

  const mailcheck = (): MailcheckDeps => ({
    ...noMailcheck(),
    history: { store },
    bounces: {
      test: (target, hypothesis) =>
        diagnose(target, {
          dns: createDnsClient(),
          clock: systemClock,
          checks: checksOf(hypothesis),
          lookup: lookup(),
        }),
    },
    watches: {
      store,
      schedule: (watch) => scheduleWatch(queue, watch),
      unschedule: (id) => unscheduleWatch(queue, id),
      defaultIntervalMs: 3_600_000,
      clock: manualClock(new Date('2026-11-26T09:00:00Z')),
    },
  });
  const harness = slackAppOnLoopback(() => ({ mailcheck: mailcheck() }));
  const command = (text: string, id: string) =>
    sendToApp(harness.eventsUrl, slashCommandBody({ text, responseUrl: harness.api.responseUrl(id) }), {
      signingSecret: SLACK_TEST_SECRET,
    });
  const whispers = (): string => JSON.stringify(harness.api.callsTo('chat.postEphemeral').map((c) => c.args.text));

  it('opens a modal for /mailcheck bounce, reads the pasted bounce and answers in the channel with the verdict', async () => {
    expect((await command('bounce', 'bounce')).status).toBe(200);
    await vi.waitFor(() => expect(harness.api.callsTo('views.open')).toHaveLength(1), WAIT);
    const view = harness.api.callsTo('views.open')[0]!.args.view as Record<string, unknown>;
    expect(view).toMatchObject({
      callback_id: 'mxops.bounce',
      private_metadata: JSON.stringify({ c: 'C0MAIL' }),
      blocks: [{ block_id: 'bounce', element: { multiline: true, max_length: 3000 } }],
    });
    const bounce = readFileSync(
      join(import.meta.dirname, '../fixtures/bounces/qmail-cname-bounce.eml'),
      'utf8',
    ).replaceAll('partner.test', 'bigany.test');
    expect(
      (
        await sendToApp(harness.eventsUrl, viewSubmissionBody({ view, values: { bounce } }), {
          signingSecret: SLACK_TEST_SECRET,
        })
      ).status,
    ).toBe(200);
    await vi.waitFor(() => expect(harness.api.callsTo('chat.update')).toHaveLength(1), WAIT);
    const card = JSON.stringify(harness.api.callsTo('chat.update')[0]!.args.blocks);
    expect(card).toContain('qmail bounce 4.4.3');
    expect(card).toContain('qmail-any-answer-too-big');
    expect(card).toContain('Verdict: confirmed');
    await vi.waitFor(
      () => expect(harness.api.callsTo('chat.postMessage').some((c) => c.args.thread_ts !== undefined)).toBe(true),
      WAIT,
    );
    const thread = harness.api.callsTo('chat.postMessage').find((c) => c.args.thread_ts !== undefined)!;
    expect(JSON.stringify(thread.args)).toContain('dns.answer-over-512');
  });

  it('reads a bounce attached to "@mxops bounce" and answers in that message’s thread', async () => {
    const bounce = readFileSync(
      join(import.meta.dirname, '../fixtures/bounces/qmail-failure-log.txt'),
      'utf8',
    ).replaceAll('legacy-partner.test', 'v6only.test');
    const file = harness.api.shareFile('bounce.txt', bounce);
    const delivery = await sendToApp(
      harness.eventsUrl,
      appMentionBody({ text: '<@U0MXOPS> bounce', ts: '1700000100.000001', files: [file] }),
      { signingSecret: SLACK_TEST_SECRET },
    );
    expect(delivery.status).toBe(200);
    await vi.waitFor(() => expect(harness.api.callsTo('chat.update')).toHaveLength(1), WAIT);
    const card = harness.api.callsTo('chat.postMessage')[0]!.args;
    expect(card.thread_ts).toBe('1700000100.000001');
    expect(JSON.stringify(harness.api.callsTo('chat.update')[0]!.args.blocks)).toContain('no-ipv4-mail-server');
    expect(JSON.stringify(harness.api.callsTo('chat.update')[0]!.args.blocks)).toContain('Verdict: confirmed');
    await vi.waitFor(() => expect(harness.api.callsTo('chat.postMessage')).toHaveLength(2), WAIT);
    expect(harness.api.callsTo('chat.postMessage')[1]!.args.thread_ts).toBe('1700000100.000001');
  });

  it('reads other mentions as mailcheck words, links and entities undone, and answers in their thread', async () => {
    await sendToApp(
      harness.eventsUrl,
      appMentionBody({ text: '<@U0MXOPS> history <http://healthy.test|healthy.test>', ts: '1700000300.000001' }),
      { signingSecret: SLACK_TEST_SECRET },
    );
    await vi.waitFor(() => expect(harness.api.callsTo('chat.postMessage')).toHaveLength(1), WAIT);
    const posted = harness.api.callsTo('chat.postMessage')[0]!.args;
    expect(posted.thread_ts).toBe('1700000300.000001');
    expect(JSON.stringify(posted.blocks)).toContain('Checks of healthy.test');
    expect(JSON.stringify(posted.blocks)).toContain('healthy.test: no checks stored yet.');
  });

  it('never sends the bot token to a host that is not Slack’s', async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('Subject: failure notice\n');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const file = harness.api.shareFile('bounce.eml', 'unused', {
        url: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/bounce.eml`,
      });
      await sendToApp(
        harness.eventsUrl,
        appMentionBody({ text: '<@U0MXOPS> bounce', ts: '1700000400.000001', files: [file] }),
        { signingSecret: SLACK_TEST_SECRET },
      );
      await vi.waitFor(
        () =>
          expect(JSON.stringify(harness.api.callsTo('chat.postEphemeral').map((c) => c.args.text))).toContain(
            'not from Slack: not read',
          ),
        WAIT,
      );
      expect(seen).toEqual([]);
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });

  it('refuses an attached picture with a clear word and reads nothing else', async () => {
    const file = harness.api.shareFile('screenshot.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    await sendToApp(
      harness.eventsUrl,
      appMentionBody({ text: '<@U0MXOPS> bounce', ts: '1700000200.000001', files: [file] }),
      { signingSecret: SLACK_TEST_SECRET },
    );
    await vi.waitFor(() => expect(harness.api.callsTo('chat.update')).toHaveLength(1), WAIT);
    expect(JSON.stringify(harness.api.callsTo('chat.update')[0]!.args)).toContain('looks like binary data');
  });

  it('starts, lists and stops a watch: a row in the store and a job scheduler in Redis', async () => {
    await command('watch healthy.test every 6h', 'watch');
    await vi.waitFor(async () => expect(await queue.getJobSchedulers()).toHaveLength(1), WAIT);
    const [watch] = await listWatches(store, { platform: 'slack', conversation: 'C0MAIL' });
    expect(watch).toMatchObject({ domain: 'healthy.test', intervalMs: 6 * 3_600_000, createdBy: 'slack:U0ADMIN' });
    expect((await queue.getJobSchedulers())[0]).toMatchObject({ key: `watch-${watch!.id}`, every: 6 * 3_600_000 });
    await vi.waitFor(
      () =>
        expect(JSON.stringify(harness.api.callsTo('chat.postMessage').map((c) => c.args))).toContain(
          'Watching healthy.test',
        ),
      WAIT,
    );

    await command('watches', 'list');
    await vi.waitFor(() => expect(whispers()).toContain('healthy.test: every 6 hours'), WAIT);

    await command('unwatch healthy.test', 'unwatch');
    await vi.waitFor(async () => expect(await queue.getJobSchedulers()).toHaveLength(0), WAIT);
    expect(await listWatches(store)).toEqual([]);
    await command('unwatch healthy.test', 'again');
    await vi.waitFor(() => expect(whispers()).toContain('is not watched in this conversation'), WAIT);
  });

  it('answers "What changed" in the report’s thread from the stored checks', async () => {
    const healthy = await diagnose(parseCheckTarget('healthy.test'), {
      dns: createDnsClient(),
      clock: systemClock,
      lookup: lookup(),
    });
    await recordCheck(store, healthy, { source: 'chat', at: new Date('2026-11-20T09:00:00Z'), keepMs: 365 * DAY });
    await recordCheck(
      store,
      {
        ...healthy,
        findings: [
          ...healthy.findings,
          {
            id: 'spf.too-many-lookups',
            status: 'fail',
            subject: 'healthy.test',
            summary: 'SPF needs 12 lookups.',
            evidence: {},
            remedy: '',
            ref: '',
          },
        ],
      },
      { source: 'chat', at: new Date('2026-11-26T09:00:00Z'), keepMs: 365 * DAY },
    );
    const click = await sendToApp(
      harness.eventsUrl,
      blockActionsBody({
        actionId: ACTION_IDS.mailcheckChanges,
        value: 'healthy.test',
        messageTs: '1700000000.000100',
        responseUrl: harness.api.responseUrl('click'),
      }),
      { signingSecret: SLACK_TEST_SECRET },
    );
    expect(click.status).toBe(200);
    await vi.waitFor(() => expect(harness.api.callsTo('chat.postMessage')).toHaveLength(1), WAIT);
    const reply = harness.api.callsTo('chat.postMessage')[0]!.args;
    expect(reply.thread_ts).toBe('1700000000.000100');
    expect(JSON.stringify(reply)).toContain('healthy.test: got worse between 20 Nov 2026 09:00 and 26 Nov 2026 09:00');
    expect(JSON.stringify(reply)).toContain('spf.too-many-lookups');
  });
});
