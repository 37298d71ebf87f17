/**
 * Dependencies that are down make the real processes fail loudly and fast (issue 15, point 4):
 * `mxops start`, `mxops worker`, `audit verify`, `inventory export` and `check` as child
 * processes, against a PostgreSQL or Redis stood in for by a port that refuses, or accepts and
 * never answers. Time-outs are set low through the environment; every budget is the measured
 * start-up of an mxops process plus those time-outs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpDomainDns } from '../fixtures/smtp-domain.js';
import { loopbackBotEnv } from '../support/bot-env.js';
import { cliBudget, runMxops } from '../support/cli-process.js';
import { startFakeSlackApi } from '../support/fake-slack-api.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { Redis } from 'ioredis';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { rootHintsFile } from '../support/root-hints-file.js';
import { startStandInPort, type StandInPort } from '../support/stand-in-port.js';
import { freePort, until } from '../support/wait.js';

const budget = await cliBudget();
const CONNECT_MS = 500;
const STATEMENT_MS = 1_000;
const GIVE_UP_S = 3;
/** The producer's wait for a Redis that accepts and never answers (redis-connection.ts, 'producer'). */
const REDIS_PRODUCER_ANSWER_MS = 5_000;
const PASSWORD = 'pg-secret-never-shown';

const storeTimeouts = {
  MXOPS_DB_CONNECT_TIMEOUT_MS: String(CONNECT_MS),
  MXOPS_DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
};
const postgresAt = (port: StandInPort): string => `postgres://mxops:${PASSWORD}@${port.address}/mxops`;

describe('processes with a dependency down', () => {
  let silent: StandInPort;
  let refused: StandInPort;
  let dns: Awaited<ReturnType<typeof startDnsServers>>;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mxops-deps-down-'));

  beforeAll(async () => {
    silent = await startStandInPort('silent');
    refused = await startStandInPort('refuse');
    dns = await startDnsServers(
      smtpDomainDns({
        domain: 'deps.test',
        resolver: '127.0.0.130',
        nameserver: '127.0.0.131',
        mxHosts: [['mx1', '127.0.0.132']],
      }),
    );
  });
  afterAll(async () => {
    await silent?.close();
    await refused?.close();
    await dns?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A Slack bot's settings that nothing here reaches: the store or Redis fails first. */
  const botEnv = async (): Promise<Record<string, string>> =>
    loopbackBotEnv({
      botToken: 'xoxb-deps-down',
      signingSecret: 'deps-down-secret',
      slackApiUrl: 'http://127.0.0.1:9/api/',
      slackPort: await freePort(),
      httpPort: await freePort(),
      redisUrl: REDIS_URL,
      queuePrefix: uniquePrefix(),
      resolver: '127.0.0.130:53',
      dnsPort: 53,
      smtpPort: 25,
    });

  it(
    'mxops start exits non-zero with the cause when PostgreSQL refuses, instead of running without a store',
    async () => {
      const run = await runMxops(['start'], {
        ...(await botEnv()),
        ...storeTimeouts,
        DATABASE_URL: postgresAt(refused),
      });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(
        new RegExp(`PostgreSQL at ${refused.address.replace(/\./g, '\\.')}/mxops: cannot connect: .*ECONNREFUSED`),
      );
      expect(run.stderr).not.toContain(PASSWORD);
    },
    budget(1, CONNECT_MS),
  );

  it(
    'mxops start and mxops worker exit non-zero after the connect time-out when PostgreSQL accepts and never answers',
    async () => {
      const env = { ...(await botEnv()), ...storeTimeouts, DATABASE_URL: postgresAt(silent) };
      const [start, worker] = await Promise.all([runMxops(['start'], env), runMxops(['worker'], env)]);
      for (const run of [start, worker]) {
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain(
          `PostgreSQL at ${silent.address}/mxops: no connection within 0.5 s (MXOPS_DB_CONNECT_TIMEOUT_MS)`,
        );
        expect(run.stderr).not.toContain(PASSWORD);
      }
    },
    budget(2, 2 * CONNECT_MS),
  );

  it(
    'audit verify and inventory export fail with the cause instead of hanging on a PostgreSQL that never answers',
    async () => {
      const env = { ...storeTimeouts, DATABASE_URL: postgresAt(silent) };
      const runs = await Promise.all([runMxops(['audit', 'verify'], env), runMxops(['inventory', 'export'], env)]);
      for (const run of runs) {
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain(`no connection within 0.5 s (MXOPS_DB_CONNECT_TIMEOUT_MS)`);
      }
    },
    budget(2, 2 * CONNECT_MS),
  );

  it(
    'mxops start exits with a clear error when Redis accepts and never answers',
    async () => {
      const run = await runMxops(['start'], {
        ...(await botEnv()),
        MXOPS_REDIS_URL: `redis://:redis-secret@${silent.address}`,
        DATABASE_URL: 'sqlite::memory:',
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `cannot reach Redis at redis://:***@${silent.address} (MXOPS_REDIS_URL): Redis accepted the connection but did not answer within 5 s`,
      );
      expect(run.stderr).not.toContain('redis-secret');
    },
    budget(1, REDIS_PRODUCER_ANSWER_MS),
  );

  it(
    'mxops worker says one line per back-off step while Redis is gone, then gives up after MXOPS_REDIS_GIVE_UP_SECONDS and says so',
    async () => {
      const run = await runMxops(['worker'], {
        MXOPS_REDIS_URL: `redis://${refused.address}`,
        MXOPS_REDIS_GIVE_UP_SECONDS: String(GIVE_UP_S),
        DATABASE_URL: 'sqlite::memory:',
      });
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split('\n');
      const giveUp = lines.pop();
      expect(giveUp).toBe(
        `mxops: Redis at redis://${refused.address} has been unreachable for 3 s (MXOPS_REDIS_GIVE_UP_SECONDS): giving up; last error: connect ECONNREFUSED ${refused.address}`,
      );
      expect(lines[0]).toBe(
        `mxops worker: Redis at redis://${refused.address} is unreachable (connect ECONNREFUSED ${refused.address}); retrying in 1 s`,
      );
      for (const line of lines.slice(1))
        expect(line).toMatch(
          new RegExp(
            `^mxops worker: Redis at redis://${refused.address} still unreachable after [\\d.]+ s \\(connect ECONNREFUSED [\\d.:]+\\); retrying in \\d+ s$`,
          ),
        );
      // One line per step, 1 s doubling: attempts at 0, 1 and 3 s; the one at 3 s races the give-up.
      const steps = lines.map((line) => Number(/retrying in (\d+) s$/.exec(line)?.[1]));
      expect([
        [1, 2],
        [1, 2, 4],
      ]).toContainEqual(steps);
    },
    budget(1, GIVE_UP_S * 1000),
  );

  it(
    'mxops check prints its report and exits as it would with a store, with one line saying the history was not saved',
    async () => {
      const env = {
        ...storeTimeouts,
        MXOPS_RESOLVER: `127.0.0.130:${dns.port}`,
        MXOPS_ROOT_HINTS: rootHintsFile('127.0.0.130'),
        MXOPS_DNS_PORT: String(dns.port),
        MXOPS_DNSBL_ZONES: 'none',
      };
      const args = ['check', 'deps.test', '--dns-only'];
      const [stored, hung] = await Promise.all([
        runMxops(args, { ...env, DATABASE_URL: `sqlite:${path.join(dataDir, 'ok.sqlite')}` }),
        runMxops(args, { ...env, DATABASE_URL: postgresAt(silent) }),
      ]);
      expect(stored.stderr).toBe('');
      expect(hung.code).toBe(stored.code);
      expect(hung.stdout).toContain('deps.test');
      expect(hung.stdout.split('\n').length).toBe(stored.stdout.split('\n').length);
      expect(hung.stderr).toMatch(
        new RegExp(
          `^mxops: warning: the report was not saved for mxops history: .*PostgreSQL at ${silent.address}/mxops: no connection within 0\\.5 s \\(MXOPS_DB_CONNECT_TIMEOUT_MS\\); is it up and answering\\?\n$`,
        ),
      );
    },
    // The hung one waits the connect time-out and a beat more (open-store.ts) for the store's own error.
    budget(2, CONNECT_MS + 1_000),
  );

  it(
    'mxops start answers /healthz 503 naming Redis while it is gone and 200 when it is back, logging one line per back-off step, and stops cleanly',
    async () => {
      const redisPort = await startStandInPort('forward', {
        host: new URL(REDIS_URL).hostname,
        port: Number(new URL(REDIS_URL).port || 6379),
      });
      const slack = await startFakeSlackApi({ botToken: 'xoxb-deps-down' });
      const env: Record<string, string> = {
        ...(await botEnv()),
        MXOPS_SLACK_API_URL: slack.apiUrl,
        MXOPS_REDIS_URL: `redis://${redisPort.address}`,
        MXOPS_HEALTH_TIMEOUT_MS: '500',
      };
      const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, ...env },
      });
      let stderr = '';
      bot.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const health = async (): Promise<{ status: number; body: unknown }> => {
        const response = await fetch(`http://127.0.0.1:${env['MXOPS_HTTP_PORT'] ?? ''}/healthz`);
        return { status: response.status, body: await response.json() };
      };
      try {
        await until('the bot up', async () => (await health()).status === 200, { timeoutMs: budget(1) });
        await redisPort.set('refuse');
        const down = await until('/healthz 503', async () => ((await health()).status === 503 ? health() : undefined), {
          timeoutMs: budget(0, 3_000),
        });
        expect(down.body).toEqual({ status: 'degraded', checks: { store: 'up', redis: 'down' } });
        // Down for a few back-off steps (1 s, 2 s, ...), then back.
        await until(
          'three back-off steps',
          () => (stderr.match(/"msg":"Redis at [^"]+ (is|still) unreachable/g) ?? []).length >= 3,
          { timeoutMs: budget(0, 3_000 * 3) },
        );
        await redisPort.set('forward');
        // The next attempt is at most one step (4 s here) away.
        expect(
          await until('/healthz 200 again', async () => ((await health()).status === 200 ? health() : undefined), {
            timeoutMs: budget(0, 8_000),
          }),
        ).toMatchObject({ body: { status: 'ok' } });
        await until('the back line', () => /"msg":"Redis at [^"]+ is back after /.test(stderr), {
          timeoutMs: budget(0),
        });
        const lines = stderr.split('\n').filter((line) => line.trim() !== '');
        const steps = lines
          .filter((line) => /"msg":"Redis at [^"]+ (is|still) unreachable/.test(line))
          .map((line) => Number(/retrying in (\d+) s/.exec(line)?.[1]));
        // One line per step, whichever of the bot's five connections failed, and nothing else from BullMQ or ioredis.
        expect(steps).toEqual([1, 2, 4, 8, 16].slice(0, steps.length));
        expect(
          lines.filter(
            (line) =>
              !/Redis at [^"]+ (is unreachable|still unreachable|is back)|"msg":"(mxops started|stopping)/.test(line),
          ),
        ).toEqual([]);
        bot.kill('SIGTERM');
        const [code] = (await once(bot, 'exit')) as [number | null];
        expect(code).toBe(0);
      } finally {
        if (bot.exitCode === null) bot.kill('SIGKILL');
        await slack.close();
        await redisPort.close();
        const admin = new Redis(REDIS_URL);
        await dropPrefix(admin, env['MXOPS_QUEUE_PREFIX'] ?? 'never-a-prefix');
        admin.disconnect();
      }
    },
    budget(2, 30_000),
  );

  it(
    'mxops start exits after MXOPS_REDIS_GIVE_UP_SECONDS once Redis is gone, saying so, instead of running on without it',
    async () => {
      const redisPort = await startStandInPort('forward', {
        host: new URL(REDIS_URL).hostname,
        port: Number(new URL(REDIS_URL).port || 6379),
      });
      const slack = await startFakeSlackApi({ botToken: 'xoxb-deps-down' });
      const env: Record<string, string> = {
        ...(await botEnv()),
        MXOPS_SLACK_API_URL: slack.apiUrl,
        MXOPS_REDIS_URL: `redis://${redisPort.address}`,
        MXOPS_REDIS_GIVE_UP_SECONDS: String(GIVE_UP_S),
      };
      const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, ...env },
      });
      let stderr = '';
      bot.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const exited = once(bot, 'exit') as Promise<[number | null]>;
      try {
        await until(
          'the bot up',
          async () => (await fetch(`http://127.0.0.1:${env['MXOPS_HTTP_PORT'] ?? ''}/healthz`)).status === 200,
          { timeoutMs: budget(1) },
        );
        await redisPort.set('refuse');
        const [code] = await exited;
        expect(code).toBe(2);
        expect(stderr).toContain(
          `mxops: Redis at redis://${redisPort.address} has been unreachable for ${GIVE_UP_S} s (MXOPS_REDIS_GIVE_UP_SECONDS): giving up`,
        );
      } finally {
        if (bot.exitCode === null) bot.kill('SIGKILL');
        await slack.close();
        await redisPort.close();
        const admin = new Redis(REDIS_URL);
        await dropPrefix(admin, env['MXOPS_QUEUE_PREFIX'] ?? 'never-a-prefix');
        admin.disconnect();
      }
    },
    // The give-up, then what a failed bot may wait for: its parts to stop (5 s, run-start.ts) and its queue to close (2 s, open-queue.ts).
    budget(1, GIVE_UP_S * 1000 + 5_000 + 2_000),
  );
});
