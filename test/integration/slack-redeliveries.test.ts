/**
 * Two replicas of the Slack app behind one request URL, sharing Redis under one prefix: a payload
 * delivered to both (Slack's redelivery landing on the other replica, or a replay) runs once. The
 * default, per-process log is shown missing it, which is why replicas get the Redis one.
 */
import { systemClock } from '../../src/clock.js';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { ACTION_IDS } from '../../src/chat/action-ids.js';
import type { DeliveryLog } from '../../src/chat/slack/recent-deliveries.js';
import { RunningChecks } from '../../src/chat/running-checks.js';
import { createSlackApp, type SlackApp } from '../../src/chat/slack/slack-app.js';
import { createRedisDeliveryLog } from '../../src/queue/redis-slack-deliveries.js';
import { sampleReport } from '../fixtures/golden/slack/sample-report.js';
import {
  appMentionBody,
  blockActionsBody,
  sendToApp,
  slashCommandBody,
  startFakeSlackApi,
  type FakeSlackApi,
} from '../support/fake-slack-api.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';

const SECRET = 'test-signing-secret';
const BOT_TOKEN = 'xoxb-test-token';
const WAIT = { timeout: 8_000, interval: 20 };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Slack deliveries across two replicas', () => {
  const admin = new Redis(REDIS_URL);
  let api: FakeSlackApi;
  let diagnosed: string[];
  let replicas: { slack: SlackApp; url: string; redis: Redis | undefined }[];
  let prefix: string;

  beforeAll(async () => {
    api = await startFakeSlackApi({ botToken: BOT_TOKEN });
  });
  afterAll(async () => {
    await api.close();
    admin.disconnect();
  });
  beforeEach(() => {
    diagnosed = [];
    replicas = [];
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    for (const { slack, redis } of replicas) {
      await slack.stop();
      redis?.disconnect();
    }
    await dropPrefix(admin, prefix);
  });

  /** One replica; `shared`: its own Redis connection and the test's prefix, as main.ts would give it. */
  async function startReplica(log: 'shared' | 'per-process' | DeliveryLog): Promise<string> {
    const redis = log === 'shared' ? new Redis(REDIS_URL) : undefined;
    const deliveries: DeliveryLog | undefined = redis
      ? createRedisDeliveryLog(redis, prefix)
      : typeof log === 'object'
        ? log
        : undefined;
    const deps: MailcheckDeps = {
      diagnose: async (target) => {
        diagnosed.push(target.domain);
        return sampleReport(target.domain);
      },
      running: new RunningChecks(),
      reports: new Map(),
      minUpdateIntervalMs: 0,
      clock: systemClock,
    };
    const slack = createSlackApp(
      {
        botToken: BOT_TOKEN,
        signingSecret: SECRET,
        appToken: undefined,
        port: 0,
        host: '127.0.0.1',
        command: '/mailcheck',
        patchCommand: '/patch',
        apiUrl: api.apiUrl,
        logLevel: 'error',
      },
      chatCommands(deps),
      deliveries ? { deliveries } : {},
    );
    const { port } = await slack.start();
    const url = `http://127.0.0.1:${port}/slack/events`;
    replicas.push({ slack, url, redis });
    return url;
  }

  /** Lets whatever the deliveries started finish, so a second run would have shown by now. */
  async function settle(): Promise<void> {
    await sleep(300);
    await Promise.all(replicas.map(({ slack }) => slack.stop()));
  }

  it('runs a slash command delivered to both replicas once, and a button click once', async () => {
    const [first, second] = [await startReplica('shared'), await startReplica('shared')];
    const command = slashCommandBody({
      text: 'partner.com',
      responseUrl: api.responseUrl('cmd'),
      triggerId: `trigger-${prefix}`,
    });
    expect((await sendToApp(first, command, { signingSecret: SECRET })).status).toBe(200);
    expect((await sendToApp(second, command, { signingSecret: SECRET })).status).toBe(200);
    const click = blockActionsBody({
      actionId: ACTION_IDS.mailcheckRecheck,
      value: 'other.example',
      messageTs: '1700000000.000001',
      responseUrl: api.responseUrl('click'),
      triggerId: `click-${prefix}`,
    });
    expect((await sendToApp(second, click, { signingSecret: SECRET })).status).toBe(200);
    expect((await sendToApp(first, click, { signingSecret: SECRET })).status).toBe(200);
    await vi.waitFor(() => expect(diagnosed).toContain('other.example'), WAIT);
    await settle();
    expect(diagnosed.sort()).toEqual(['other.example', 'partner.com']);
    expect(await admin.pttl(`${prefix}:slack:delivery:trigger:trigger-${prefix}`)).toBeGreaterThan(4 * 60_000);
  });

  it('runs an event delivered to both replicas (the same event_id) once', async () => {
    const [first, second] = [await startReplica('shared'), await startReplica('shared')];
    const ts = `${Date.now() % 1_000_000}.000100`;
    const mention = appMentionBody({ text: '<@U0MXOPS> partner.com', ts });
    expect((await sendToApp(first, mention, { signingSecret: SECRET })).status).toBe(200);
    expect((await sendToApp(second, mention, { signingSecret: SECRET })).status).toBe(200);
    await vi.waitFor(() => expect(diagnosed).toEqual(['partner.com']), WAIT);
    await settle();
    expect(diagnosed).toEqual(['partner.com']);
  });

  it('runs it twice with the per-process log, which is why replicas share Redis', async () => {
    const [first, second] = [await startReplica('per-process'), await startReplica('per-process')];
    const command = slashCommandBody({
      text: 'partner.com',
      responseUrl: api.responseUrl('cmd'),
      triggerId: `trigger-${prefix}`,
    });
    await sendToApp(first, command, { signingSecret: SECRET });
    await sendToApp(second, command, { signingSecret: SECRET });
    // The same replica still tells a second delivery from a first.
    await sendToApp(second, command, { signingSecret: SECRET });
    await vi.waitFor(() => expect(diagnosed).toHaveLength(2), WAIT);
    await settle();
    expect(diagnosed).toEqual(['partner.com', 'partner.com']);
  });

  it('still runs a command when the shared log cannot answer (Redis down)', async () => {
    const url = await startReplica({ firstTime: () => Promise.reject(new Error('Connection is closed.')) });
    expect(
      (
        await sendToApp(url, slashCommandBody({ text: 'partner.com', responseUrl: api.responseUrl('cmd') }), {
          signingSecret: SECRET,
        })
      ).status,
    ).toBe(200);
    await vi.waitFor(() => expect(diagnosed).toEqual(['partner.com']), WAIT);
  });
});
