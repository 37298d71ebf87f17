/**
 * Refused clicks and commands on the record: who tried what, on what, from which surface, and why;
 * nothing else changes. The handlers run as every surface runs them (the Bolt and Teams edges are
 * covered in patch-buttons and outage-buttons); a conversation records what the person is told.
 */
import { manualClock } from '../support/manual-clock.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleOutageButton } from '../../commands/outage-buttons.js';
import { handlePatchButton } from '../../commands/patch-buttons.js';
import { ACTION_IDS, type ActionId } from '../../src/chat/action-ids.js';
import type { Conversation } from '../../src/chat/conversation.js';
import { attachAudit } from '../../src/store/audit-attach.js';
import { auditKeyring, parseAuditKey } from '../../src/store/audit-keys.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import { verifyAuditLog } from '../../src/store/audit-verify.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPatch, findPerson } from '../../src/store/inventory-queries.js';
import { requestOutage } from '../../src/store/outage-requests.js';
import { requestRiskAcceptance } from '../../src/store/risk-acceptances.js';
import type { AuditLogTable } from '../../src/store/schema.js';
import { consoleSession } from '../support/console-session.js';
import { DAY, HOUR, inventory, patch, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

// Thursday 26 November 2026, 18:00 in Berlin; the fixture's systems may go down Saturdays 22:00-02:00.
const NOW = Date.parse('2026-11-26T17:00:00Z');
const SATURDAY_22 = Date.parse('2026-11-28T21:00:00Z');
const KEY = parseAuditKey('5f2e8a1c9d3b7e4f6a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e');

function recordingConversation() {
  const whispers: string[] = [];
  const posts: string[] = [];
  const conversation: Conversation = {
    post: async (card) => (posts.push(card.summary), { conversation: 'C', message: String(posts.length) }),
    update: async (_ref, card) => void posts.push(card.summary),
    replyInThread: async () => undefined,
    postInThread: async (_ref, card) => (
      posts.push(card.summary),
      { conversation: 'C', message: String(posts.length) }
    ),
    whisper: async (text) => void whispers.push(text),
  };
  return { conversation, whispers, posts };
}

describe.each(STORE_DIALECTS)('refused attempts on %s', (dialect) => {
  let store: TestDatabase;
  let dir: string;
  const deps = () => ({ store, clock: manualClock(NOW) });
  const rows = async (): Promise<AuditLogTable[]> => {
    const all: AuditLogTable[] = [];
    for await (const row of readAuditLog(store.db)) all.push(row);
    return all;
  };
  const ref = { conversation: 'CMAILOPS', message: '1700000000.000001' };

  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'mxops-refusals-'));
    attachAudit(
      store,
      {
        keyring: auditKeyring(KEY),
        checkpointFile: join(dir, 'checkpoints'),
        channel: undefined,
        checkpointMinutes: 60,
      },
      { clock: manualClock(NOW), onError: (error) => expect.fail(error.message) },
    );
    const policy = {
      ...STANDARD_POLICY,
      outage: {
        approvers: ['bob', 'carol'],
        quorum: 1,
        selfApproval: false,
        expireAfterMs: DAY,
        remindBeforeMs: [HOUR],
      },
    };
    await importInventory(
      store,
      inventory({
        policies: [policy],
        systems: [system('mail-gw-1')],
        patches: [patch('mail-gw-1', 'CVE-2026-6000', NOW - 10 * DAY)],
      }),
      { actor: 'test', surface: 'cli', now: NOW - DAY, source: 'fixture' },
    );
  });
  afterEach(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a stranger clicking Mark patched, a forged patch button and a non-approver approving a risk, and changes nothing else', async () => {
    const target = (await findPatch(store.db, 'mail-gw-1', 'CVE-2026-6000'))!;
    const acceptance = await requestRiskAcceptance(store, {
      person: await findPerson(store.db, 'alice'),
      identity: 'slack:UALICE',
      surface: 'slack',
      system: 'mail-gw-1',
      reason: 'no outage before the audit',
      controls: [],
      expiresAt: NOW + 30 * DAY,
      now: NOW,
    });
    const before = (await rows()).length;
    const { conversation, whispers, posts } = recordingConversation();
    const click = (id: ActionId, value: string, user: string) =>
      handlePatchButton(id, value, {}, ref, { actor: { platform: 'slack', id: user }, conversation }, deps());

    await click(ACTION_IDS.patchDone, String(target.id), 'U0STRANGER');
    await click(ACTION_IDS.patchAck, "1' or 1=1 --", 'UALICE');
    await click(ACTION_IDS.riskApprove, String(acceptance.acceptances[0]!.id), 'UBOB');

    expect(whispers).toEqual([
      'You (slack:U0STRANGER) are not in the inventory, and only the owner of mail-gw-1 and their management chain may do this: Alice Owner, Bob Manager, Carol Chief.',
      `This button no longer works (it carries "1' or 1=1 --"): use the patch command instead.`,
      'Only the risk approvers of the standard policy may decide: Carol Chief.',
    ]);
    expect(posts).toEqual([]);
    const refused = (await rows()).slice(before);
    expect(refused.map((row) => [row.actor, row.action, row.surface, row.system, JSON.parse(row.details)])).toEqual([
      [
        'slack:U0STRANGER',
        'refused',
        'slack',
        null,
        {
          attempted: 'click patch.done',
          target: String(target.id),
          identity: 'slack:U0STRANGER',
          code: 'FORBIDDEN',
          reason: expect.stringContaining('only the owner of mail-gw-1'),
        },
      ],
      [
        'alice',
        'refused',
        'slack',
        null,
        {
          attempted: 'click patch.ack',
          target: "1' or 1=1 --",
          identity: 'slack:UALICE',
          code: 'BAD_INPUT',
          reason: expect.stringContaining('this button no longer works'),
        },
      ],
      [
        'bob',
        'refused',
        'slack',
        null,
        {
          attempted: 'click risk.approve',
          target: String(acceptance.acceptances[0]!.id),
          identity: 'slack:UBOB',
          code: 'FORBIDDEN',
          reason: 'only the risk approvers of the standard policy may decide: Carol Chief',
        },
      ],
    ]);
    // Only the record changed: the patch and the acceptance are as they were.
    expect(await findPatch(store.db, 'mail-gw-1', 'CVE-2026-6000')).toEqual(target);
    expect(await store.db.selectFrom('risk_acceptances').select('status').executeTakeFirstOrThrow()).toEqual({
      status: 'pending',
    });
    // Refusals are checkpointed like any person's act, and the log verifies under the key.
    const lines = readFileSync(join(dir, 'checkpoints'), 'utf8').trim().split('\n');
    expect(lines.at(-1)).toBe(`${new Date(NOW).toISOString()} ${refused.at(-1)!.seq} ${refused.at(-1)!.hash}`);
    expect(await verifyAuditLog(store.db, { keyring: auditKeyring(KEY) })).toMatchObject({ ok: true });
  });

  it('records a non-approver approving an outage window, a forged outage button, and a stranger answering a window', async () => {
    const asked = await requestOutage(store, {
      person: await findPerson(store.db, 'alice'),
      identity: 'slack:UALICE',
      surface: 'slack',
      system: 'mail-gw-1',
      start: SATURDAY_22,
      durationMs: 2 * HOUR,
      reason: 'apply the patch',
      now: NOW,
      timeZone: 'Europe/Berlin',
    });
    const id = String(asked.request.id);
    const before = (await rows()).length;
    const { conversation, whispers } = recordingConversation();
    const click = (action: ActionId, value: string, user: string, platform: 'slack' | 'teams' = 'slack') =>
      handleOutageButton(action, value, {}, ref, { actor: { platform, id: user }, conversation }, deps());

    await click(ACTION_IDS.outageApprove, id, 'UALICE');
    await click(ACTION_IDS.outageApprove, '12; drop table outage_requests', 'aad-mallory', 'teams');
    await click(ACTION_IDS.outagePatched, id, 'U0STRANGER');

    expect(whispers).toHaveLength(3);
    const refused = (await rows())
      .slice(before)
      .map((row) => [
        row.actor,
        row.surface,
        JSON.parse(row.details).attempted,
        JSON.parse(row.details).target,
        JSON.parse(row.details).code,
      ]);
    expect(refused).toEqual([
      ['alice', 'slack', 'click outage.approve', id, 'FORBIDDEN'],
      ['teams:aad-mallory', 'teams', 'click outage.approve', '12; drop table outage_requests', 'BAD_INPUT'],
      ['slack:U0STRANGER', 'slack', 'click outage.patched', id, expect.stringMatching(/^(FORBIDDEN|CONFLICT)$/)],
    ]);
    expect(
      await store.db.selectFrom('outage_requests').select(['status', 'approvals']).executeTakeFirstOrThrow(),
    ).toEqual({ status: 'pending', approvals: '[]' });
  });

  it('records the console’s --as identity as claimed, for changes and for refusals', async () => {
    const asked = await requestOutage(store, {
      person: await findPerson(store.db, 'alice'),
      identity: 'slack:UALICE',
      surface: 'slack',
      system: 'mail-gw-1',
      start: SATURDAY_22,
      durationMs: 2 * HOUR,
      reason: 'apply the patch',
      now: NOW,
      timeZone: 'Europe/Berlin',
    });
    const before = (await rows()).length;
    // A typo is not an attempt worth a record (no request 99); approving what one may not is.
    const text = await consoleSession(`patch ack mail-gw-1\noutage approve 99\noutage approve ${asked.request.id}\n`, {
      patch: deps(),
      outage: deps(),
      actor: 'alice',
    });
    expect(text).toContain('Acknowledged');
    expect((await rows()).slice(before).map((row) => [row.actor, row.action, row.surface])).toEqual([
      ['alice', 'ack', 'console, claimed'],
      ['alice', 'refused', 'console, claimed'],
    ]);
    expect(JSON.parse((await rows()).at(-1)!.details)).toMatchObject({
      attempted: `typed outage approve ${asked.request.id}`,
      identity: 'console:alice',
      code: 'FORBIDDEN',
    });
  });
});
