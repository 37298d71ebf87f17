/**
 * The escalation end to end: an inventory with an overdue patch in a SQLite file, `mxops start`
 * as a real process with its workers on real Redis, and the fake Slack Web API. The scheduled
 * sweep finds the patch; the nag worker posts the thread in the team channel and a DM to the
 * owner; a later sweep finds the nag sent and hands over nothing; the audit log, read after
 * SIGTERM, records the nag once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../jobs/patch-sweep.js';
import { PATCH_NAG_QUEUE, PATCH_SWEEP_QUEUE } from '../../src/queue/patch-jobs.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import { openDatabase } from '../../src/store/database.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { loopbackBotEnv } from '../support/bot-env.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { DAY, inventory, patch, system } from '../support/inventory-fixture.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { freePort, until } from '../support/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BOT_TOKEN = 'xoxb-e2e-nags';
const SWEEP_INTERVAL_MS = 5_000;

describe('mxops start nags an overdue patch', () => {
  let slack: FakeSlackApi;
  let bot: ChildProcess;
  let stderr = '';
  const prefix = uniquePrefix();
  // The bot's queues, read from outside: what each sweep returned, and whether a nag is pending.
  const redis = new Redis(REDIS_URL);
  const sweepQueue = new Queue<unknown, SweepSummary>(PATCH_SWEEP_QUEUE, { connection: redis, prefix });
  const nagQueue = new Queue(PATCH_NAG_QUEUE, { connection: redis, prefix });
  const dir = mkdtempSync(path.join(tmpdir(), 'mxops-nags-'));
  const file = path.join(dir, 'mxops.sqlite');

  beforeAll(async () => {
    const store = openDatabase({ dialect: 'sqlite', target: file });
    await migrateToLatest(store);
    await importInventory(
      store,
      inventory({
        systems: [system('mail-gw-1')],
        patches: [patch('mail-gw-1', 'CVE-2026-3000', Date.now() - 10 * DAY)],
      }),
      {
        actor: 'alice',
        surface: 'cli',
        now: Date.now(),
        source: 'e2e',
      },
    );
    await store.close();
    slack = await startFakeSlackApi({ botToken: BOT_TOKEN });
    bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        ...loopbackBotEnv({
          botToken: BOT_TOKEN,
          signingSecret: 'e2e-nags-secret',
          slackApiUrl: slack.apiUrl,
          slackPort: await freePort(),
          httpPort: await freePort(),
          redisUrl: REDIS_URL,
          queuePrefix: prefix,
          resolver: '127.0.0.1:53',
          dnsPort: 53,
          smtpPort: 25,
        }),
        DATABASE_URL: `sqlite:${file}`,
        MXOPS_SWEEP_INTERVAL_SECONDS: String(SWEEP_INTERVAL_MS / 1_000),
      },
    });
    bot.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  });

  afterAll(async () => {
    if (bot.exitCode === null) bot.kill('SIGKILL');
    await slack?.close();
    await sweepQueue.close();
    await nagQueue.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts the nag in the team channel and to the owner, once, and audits it', async () => {
    const posts = () =>
      slack.callsTo('chat.postMessage').filter((call) => String(call.args.text).includes('CVE-2026-3000'));
    const thread = await until(
      'the nag thread in the team channel',
      () => posts().find((call) => call.args.channel === 'CMAILOPS'),
      { timeoutMs: 30_000 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${stderr}`);
    });
    expect(String(thread.args.text)).toBe('mail-gw-1: CVE-2026-3000 (Fix for CVE-2026-3000) is 3 days overdue');
    expect(thread.args.metadata).toMatchObject({ event_type: 'mxops_nag' });
    await until('the DM to the owner', () => posts().find((call) => call.args.channel === 'UALICE'));
    // The nag job completes once every message is recorded as sent; a sweep starting after that
    // must find the nag done: it plans no nag and hands none over, and none waits to be posted.
    await until('the nag job done', async () => (await nagQueue.getJobCounts('completed')).completed === 1);
    const nagDone = Date.now();
    const sweeps = await until(
      'a sweep that started after the nag was done',
      async () => {
        const completed = await sweepQueue.getJobs(['completed']);
        return completed.some((job) => (job.processedOn ?? 0) > nagDone) && completed;
      },
      { timeoutMs: 3 * SWEEP_INTERVAL_MS },
    );
    // One sweep planned the nag; every other, the one after the nag was done included, planned nothing.
    expect(sweeps.map((job) => job.returnvalue.planned).filter((planned) => planned > 0)).toEqual([1]);
    for (const later of sweeps.filter((job) => (job.processedOn ?? 0) > nagDone))
      expect(later.returnvalue).toMatchObject({ planned: 0, enqueued: 0 });
    expect(await nagQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      prioritized: 0,
    });
    expect(posts()).toHaveLength(2);

    bot.kill('SIGTERM');
    const [code] = (await once(bot, 'exit')) as [number | null];
    expect(code, stderr).toBe(0);
    const store = openDatabase({ dialect: 'sqlite', target: file });
    const actions: string[] = [];
    for await (const row of readAuditLog(store.db)) actions.push(row.action);
    await store.close();
    expect(actions.filter((action) => action === 'nag')).toHaveLength(1);
  }, 60_000);
});
