/**
 * Checkpoints leaving the database: posted to the audit channel through the Slack nag notifier
 * (against the local fake Slack Web API) or the Teams one (against the local fake Bot Connector),
 * appended to the file, and taken on a schedule by a BullMQ worker on real Redis.
 */
import { manualClock } from '../support/manual-clock.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAuditCheckpoint } from '../../commands/audit-log.js';
import { createSlackNagNotifier } from '../../src/chat/slack/slack-nag-notifier.js';
import { checkpointChannelSink } from '../../src/cli/audit-channel-sink.js';
import { startAuditCheckpointWorker } from '../../src/queue/audit-checkpoint-worker.js';
import { attachAudit } from '../../src/store/audit-attach.js';
import type { AuditCheckpointer } from '../../src/store/audit-checkpointer.js';
import { auditKeyring, parseAuditKey } from '../../src/store/audit-keys.js';
import { auditAppender, type AuditRecord, readAuditHead } from '../../src/store/audit-log.js';
import { writeTransaction } from '../../src/store/write-transaction.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { teamsNotifierThrough } from '../support/teams-channel-notifier.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { until } from '../support/wait.js';

const KEY = parseAuditKey('7d3c9b1a5e2f8d4c6b0a9e7f5d3c1b9a7e5f3d1c9b7a5e3f1d9c7b5a3e1f9d7c');
const AT = Date.UTC(2026, 10, 1, 9);
const CHANNEL = 'C0AUDIT01';

const decision: AuditRecord = {
  at: AT,
  actor: 'carol',
  action: 'risk-approved',
  system: 'mail-gw-1',
  surface: 'slack',
  details: { acceptance: 1 },
};
const nag: AuditRecord = {
  at: AT,
  actor: 'mxops',
  action: 'nag',
  system: 'mail-gw-1',
  surface: 'scheduler',
  details: { step: 1 },
};

describe('audit checkpoints outside the database', () => {
  let store: TestDatabase;
  let slack: FakeSlackApi;
  let dir: string;
  let file: string;
  let checkpointer: AuditCheckpointer;
  const errors: string[] = [];

  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    slack = await startFakeSlackApi({ botToken: 'xoxb-test' });
    dir = mkdtempSync(join(tmpdir(), 'mxops-checkpoints-'));
    file = join(dir, 'checkpoints');
    errors.length = 0;
    checkpointer = attachAudit(
      store,
      {
        keyring: auditKeyring(KEY),
        checkpointFile: file,
        channel: { platform: 'slack', id: CHANNEL },
        checkpointMinutes: 60,
      },
      { clock: manualClock(AT), onError: (error) => errors.push(error.message) },
    );
    const notifier = createSlackNagNotifier('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    checkpointer.addSink(checkpointChannelSink({ platform: 'slack', id: CHANNEL }, [notifier]));
    // Added twice (the bot and its in-process workers both do): still one post per checkpoint.
    checkpointer.addSink(checkpointChannelSink({ platform: 'slack', id: CHANNEL }, [notifier]));
  });
  afterEach(async () => {
    await store.drop();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const posts = () => slack.callsTo('chat.postMessage').map((call) => call.args);

  it('posts the head to the audit channel after a decision, with the line to keep, and not after the scheduler’s own entries', async () => {
    await writeTransaction(store, (trx) => auditAppender(trx).append(nag));
    await checkpointer.settled();
    expect(posts()).toEqual([]);
    await writeTransaction(store, (trx) => auditAppender(trx).append(decision));
    await checkpointer.settled();
    const head = await readAuditHead(store.db);
    expect(head.seq).toBe(3);
    expect(posts()).toHaveLength(1);
    const [post] = posts();
    expect(post).toMatchObject({
      channel: CHANNEL,
      text: `Audit checkpoint: entry 3, ${head.hash}`,
      metadata: { event_type: 'mxops_nag', event_payload: { marker: 'audit-checkpoint-3' } },
    });
    expect(JSON.stringify(post!.blocks)).toContain(`mxops audit verify --checkpoint 3:${head.hash}`);
    // The same checkpoint went to the file.
    expect(readFileSync(file, 'utf8')).toBe(`2026-11-01T09:00:00.000Z 3 ${head.hash}\n`);
    expect(errors).toEqual([]);
  });

  it('audit checkpoint writes and posts one at once, and fails (exit 1) naming what it could not reach', async () => {
    await writeTransaction(store, (trx) => auditAppender(trx).append(nag));
    expect(await runAuditCheckpoint({ store, checkpointer })).toMatchObject({ exitCode: 0, errors: '' });
    expect(posts().map((args) => args.text)).toEqual([
      `Audit checkpoint: entry 2, ${(await readAuditHead(store.db)).hash}`,
    ]);

    slack.failNext('chat.postMessage', 'channel_not_found');
    const failed = await runAuditCheckpoint({ store, checkpointer });
    expect(failed).toMatchObject({
      exitCode: 1,
      errors: expect.stringContaining(`mxops: checkpoint 2 did not reach the Slack audit channel ${CHANNEL}: `),
    });
    expect(failed.errors).toContain('channel_not_found');
    // The file has both: a channel that is down costs the post, not the checkpoint.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(errors).toHaveLength(1);
  });

  it('needs the audit channel’s platform to be configured', () => {
    expect(() => checkpointChannelSink({ platform: 'teams', id: '19:audit@thread.tacv2' }, [])).toThrow(
      'MXOPS_AUDIT_CHANNEL names a Teams channel, but MXOPS_TEAMS_APP_ID is not set',
    );
  });

  it('takes checkpoints on a schedule through one BullMQ job scheduler', async () => {
    const prefix = uniquePrefix();
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = await startAuditCheckpointWorker({
      connection,
      prefix,
      store,
      checkpointer,
      everyMs: 150,
      onError: (error) => errors.push(error.message),
    });
    try {
      await writeTransaction(store, (trx) => auditAppender(trx).append(nag));
      const head = await readAuditHead(store.db);
      await until(
        'two scheduled checkpoints of the head',
        () =>
          readFileSync(file, 'utf8')
            .split('\n')
            .filter((line) => line.endsWith(` 2 ${head.hash}`)).length >= 2,
      );
      await until(
        'their posts',
        () => posts().filter((args) => args.text === `Audit checkpoint: entry 2, ${head.hash}`).length >= 2,
      );
    } finally {
      await worker.close();
      await dropPrefix(connection, prefix);
      connection.disconnect();
    }
    expect(errors).toEqual([]);
  });
});

describe('audit checkpoints in a Teams audit channel', () => {
  const TEAMS_AUDIT_CHANNEL = '19:audit@thread.tacv2';
  let store: TestDatabase;
  let connector: FakeBotConnector;
  let checkpointer: AuditCheckpointer;
  const errors: string[] = [];

  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    connector = await startFakeBotConnector();
    errors.length = 0;
    const channel = { platform: 'teams', id: TEAMS_AUDIT_CHANNEL } as const;
    checkpointer = attachAudit(
      store,
      { keyring: auditKeyring(KEY), checkpointFile: undefined, channel, checkpointMinutes: 60 },
      { clock: manualClock(AT), onError: (error) => errors.push(error.message) },
    );
    const notifier = await teamsNotifierThrough(connector.serviceUrl);
    checkpointer.addSink(checkpointChannelSink(channel, [notifier]));
  });
  afterEach(async () => {
    await store.drop();
    await connector.close();
  });

  it('posts the head as a new post in the channel after a decision, with the command to check it later', async () => {
    await writeTransaction(store, (trx) => auditAppender(trx).append(nag));
    await checkpointer.settled();
    expect(connector.calls).toEqual([]);
    await writeTransaction(store, (trx) => auditAppender(trx).append(decision));
    await checkpointer.settled();
    const head = await readAuditHead(store.db);
    expect(head.seq).toBe(3);
    expect(connector.calls).toHaveLength(1);
    const [post] = connector.calls;
    // A top-level post in the channel itself (not a reply in a thread), carrying the checkpoint's marker.
    expect(post).toMatchObject({
      method: 'POST',
      conversationId: TEAMS_AUDIT_CHANNEL,
      activity: { channelData: { mxopsNag: { marker: 'audit-checkpoint-3' } } },
    });
    expect(JSON.stringify(post!.activity.attachments)).toContain(`mxops audit verify --checkpoint 3:${head.hash}`);
    expect(errors).toEqual([]);
  });
});
