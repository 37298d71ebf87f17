/**
 * `mxops start` failing on its way up closes what it had opened (src/cli/lifecycle.ts): it exits
 * non-zero with the cause, and its event loop runs empty by itself, so no Redis connection, BullMQ
 * worker, listener or timer was left open for a safety net to cut (test/support/exit-report.mjs).
 * Three places to fail: the store (nothing else opened yet), Slack refusing the token (the store,
 * Redis, the probe and background workers open), and the HTTP port taken (everything open, Slack
 * listening).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackBotEnv } from '../support/bot-env.js';
import { cliBudget } from '../support/cli-process.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { skipWithout } from '../support/required-tool.js';
import { redisReachable } from '../support/service-reachable.js';
import { startStandInPort, type StandInPort } from '../support/stand-in-port.js';
import { freePort } from '../support/wait.js';

const budget = await cliBudget();
const skip = skipWithout('Redis', await redisReachable(REDIS_URL));
const ROOT = path.resolve(import.meta.dirname, '../..');
const BOT_TOKEN = 'xoxb-half-way';
const CONNECT_MS = 500;

interface Ended {
  readonly code: number | null;
  readonly stderr: string;
  /** The exit report: `drained`, or `forced (still open: ...)`. */
  readonly how: string | undefined;
}

async function start(env: Record<string, string>): Promise<Ended> {
  const bot = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './test/support/exit-report.mjs', 'src/main.ts', 'start'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  bot.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  // 'close': exited, and its stderr read to the end.
  const [code] = (await once(bot, 'close')) as [number | null];
  return { code, stderr, how: /^exit-report: (.+)$/m.exec(stderr)?.[1] };
}

describe.skipIf(skip)('mxops start failing half-way through its start-up', () => {
  let slack: FakeSlackApi;
  let refused: StandInPort;
  const prefixes: string[] = [];

  beforeAll(async () => {
    slack = await startFakeSlackApi({ botToken: BOT_TOKEN });
    refused = await startStandInPort('refuse');
  });
  afterAll(async () => {
    await slack?.close();
    await refused?.close();
    const admin = new Redis(REDIS_URL);
    for (const prefix of prefixes) await dropPrefix(admin, prefix);
    admin.disconnect();
  });

  const botEnv = async (overrides: { botToken?: string; httpPort?: number } = {}): Promise<Record<string, string>> => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    return loopbackBotEnv({
      botToken: overrides.botToken ?? BOT_TOKEN,
      signingSecret: 'half-way-secret',
      slackApiUrl: slack.apiUrl,
      slackPort: await freePort(),
      httpPort: overrides.httpPort ?? (await freePort()),
      redisUrl: REDIS_URL,
      queuePrefix: prefix,
      resolver: '127.0.0.140:53',
      dnsPort: 53,
      smtpPort: 25,
    });
  };

  it(
    'on a PostgreSQL that refuses: exits non-zero naming it, with nothing left open',
    async () => {
      const ended = await start({
        ...(await botEnv()),
        DATABASE_URL: `postgres://mxops:never-shown@${refused.address}/mxops`,
        MXOPS_DB_CONNECT_TIMEOUT_MS: String(CONNECT_MS),
      });
      expect(ended.code).toBe(70);
      expect(ended.stderr).toMatch(/PostgreSQL at [\d.:]+\/mxops: cannot connect: .*ECONNREFUSED/);
      expect(ended.how).toBe('drained');
    },
    budget(1, CONNECT_MS),
  );

  it(
    'when Slack refuses the token, after the store, Redis and the workers are open: exits non-zero with the cause, having closed them',
    async () => {
      const ended = await start(await botEnv({ botToken: 'xoxb-not-the-fake-slacks-token' }));
      expect(ended.code).toBe(70);
      expect(ended.stderr).toContain('invalid_auth');
      expect(ended.how).toBe('drained');
    },
    budget(1),
  );

  it(
    'when the HTTP port is taken, with everything else open and Slack listening: exits non-zero with the cause, having closed all of it',
    async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      try {
        const port = (taken.address() as net.AddressInfo).port;
        const ended = await start(await botEnv({ httpPort: port }));
        expect(ended.code).toBe(70);
        expect(ended.stderr).toContain(`EADDRINUSE: address already in use 127.0.0.1:${port}`);
        expect(ended.how).toBe('drained');
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    },
    budget(1),
  );
});
