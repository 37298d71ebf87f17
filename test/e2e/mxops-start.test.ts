/**
 * `mxops start` as a real process: Slack over HTTP (its Web API played by a fake on loopback),
 * probe workers on real Redis, DNS and SMTP servers on loopback, /healthz and /metrics. A signed
 * /mailcheck goes in; the final card comes out through chat.update; SIGTERM ends it cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServers } from '../support/dns-test-server.js';
import {
  blockActionsBody,
  type FakeSlackApi,
  sendToApp,
  slashCommandBody,
  startFakeSlackApi,
} from '../support/fake-slack-api.js';
import { loopbackBotEnv } from '../support/bot-env.js';
import { freePort, until } from '../support/wait.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { startSmtpServers } from '../support/smtp-test-server.js';
import { cliBudget } from '../support/cli-process.js';
import { smtpDomainDns } from '../fixtures/smtp-domain.js';

/** The test's time, from the measured start-up of an mxops process on this machine now. */
const budget = await cliBudget();
const ROOT = path.resolve(import.meta.dirname, '../..');
const SIGNING_SECRET = 'e2e-signing-secret';
const BOT_TOKEN = 'xoxb-e2e-token';

describe('mxops start', () => {
  let dns: Awaited<ReturnType<typeof startDnsServers>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServers>>;
  let slack: FakeSlackApi;
  let bot: ChildProcess;
  let stderr = '';
  const prefix = uniquePrefix();
  let slackPort = 0;
  let httpPort = 0;

  beforeAll(async () => {
    dns = await startDnsServers(
      smtpDomainDns({
        domain: 'start.test',
        resolver: '127.0.0.120',
        nameserver: '127.0.0.121',
        mxHosts: [['mx1', '127.0.0.122']],
      }),
    );
    smtp = await startSmtpServers([{ address: '127.0.0.122', name: 'mx1.start.test' }]);
    slack = await startFakeSlackApi({ botToken: BOT_TOKEN });
    [slackPort, httpPort] = [await freePort(), await freePort()];
    bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        ...loopbackBotEnv({
          botToken: BOT_TOKEN,
          signingSecret: SIGNING_SECRET,
          slackApiUrl: slack.apiUrl,
          slackPort,
          httpPort,
          redisUrl: REDIS_URL,
          queuePrefix: prefix,
          resolver: `127.0.0.120:${dns.port}`,
          dnsPort: dns.port,
          smtpPort: smtp.port,
        }),
      },
    });
    bot.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  });

  afterAll(async () => {
    if (bot.exitCode === null) bot.kill('SIGKILL');
    await slack?.close();
    await smtp?.close();
    await dns?.close();
    const admin = new Redis(REDIS_URL);
    await dropPrefix(admin, prefix);
    admin.disconnect();
  });

  // One bot start, then a check, a watch's baseline check and the history, each with chat round trips: budgeted like three CLI runs.
  it(
    'serves /mailcheck from Slack with workers in the same process, reports health and metrics, and stops on SIGTERM',
    async () => {
      const health = await until('healthz', async () => {
        const response = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
        return response.status === 200 ? ((await response.json()) as unknown) : undefined;
      }).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${stderr}`);
      });
      expect(health).toEqual({ status: 'ok', checks: { store: 'up', redis: 'up' } });

      const delivery = await sendToApp(
        `http://127.0.0.1:${slackPort}/slack/events`,
        slashCommandBody({ text: 'start.test', responseUrl: slack.responseUrl('e2e') }),
        { signingSecret: SIGNING_SECRET },
      );
      expect(delivery.status).toBe(200);
      const final = await until('the final card', async () =>
        slack.callsTo('chat.update').find((call) => JSON.stringify(call.args.blocks ?? []).includes('start.test: ')),
      );
      expect(JSON.stringify(final.args.blocks)).toContain('Re-check');
      // The thread reply follows the final update.
      await until('the thread reply', async () =>
        slack.callsTo('chat.postMessage').find((call) => typeof call.args.thread_ts === 'string'),
      );

      // The check was stored: "What changed" has one check to compare, so it says so.
      const events = `http://127.0.0.1:${slackPort}/slack/events`;
      const cardTs = String(final.args.ts);
      await sendToApp(
        events,
        blockActionsBody({
          actionId: 'mailcheck.changes',
          value: 'start.test',
          messageTs: cardTs,
          responseUrl: slack.responseUrl('changes'),
        }),
        { signingSecret: SIGNING_SECRET },
      );
      await until('the What changed reply', async () =>
        slack
          .callsTo('chat.postMessage')
          .find((call) => String(call.args.text ?? '').includes('only one check is stored so far')),
      );

      // A watch: its schedule's first run (the baseline) is a check of its own, in the history.
      await sendToApp(
        events,
        slashCommandBody({ text: 'watch start.test every 5m', responseUrl: slack.responseUrl('watch') }),
        { signingSecret: SIGNING_SECRET },
      );
      await until('the watch confirmation', async () =>
        slack
          .callsTo('chat.postMessage')
          .find((call) => JSON.stringify(call.args.blocks ?? []).includes('Watching start.test')),
      );
      await until('the baseline run in the history', async () => {
        await sendToApp(
          events,
          slashCommandBody({ text: 'history start.test', responseUrl: slack.responseUrl('history') }),
          { signingSecret: SIGNING_SECRET },
        );
        return until(
          'the history card',
          async () =>
            slack
              .callsTo('chat.postMessage')
              .findLast((call) => JSON.stringify(call.args.blocks ?? []).includes('Checks of start.test')),
          { timeoutMs: 3_000 },
        ).then((call) => (/watch/.test(JSON.stringify(call.args.blocks)) ? call : undefined));
      });

      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      expect(metrics).toMatch(/mxops_commands_total\{surface="slack",command="mailcheck",outcome="ok"\} 1/);
      expect(metrics).toMatch(/mxops_smtp_probe_seconds_count\{outcome="rcpt-2xx"\} 1/);

      bot.kill('SIGTERM');
      const [code] = (await once(bot, 'exit')) as [number | null];
      expect(code).toBe(0);
    },
    budget(3),
  );
});
