/**
 * Risk acceptance typed in the console: asked by the owner, listed, approved by a risk approver
 * (never the one who asked), with the approvers' direct messages going out through a notifier.
 */
import { manualClock } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PatchDeps } from '../../commands/patch.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { findPatch } from '../../src/store/inventory-queries.js';
import { DAY, inventory, patch, system } from '../support/inventory-fixture.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { consoleSession } from '../support/console-session.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const NOW = Date.parse('2026-11-20T10:00:00Z');

describe('risk acceptance in the console', () => {
  let store: TestDatabase;
  let deps: PatchDeps;
  const slack = recordingNotifier('slack');

  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    await importInventory(
      store,
      inventory({ systems: [system('mail-gw-1')], patches: [patch('mail-gw-1', 'CVE-2026-4000', NOW - 10 * DAY)] }),
      { actor: 'test', surface: 'cli', now: NOW, source: 'fixture' },
    );
    deps = { store, clock: manualClock(NOW), notifiers: [slack.notifier] };
  });
  afterEach(async () => {
    await store.drop();
  });

  const session = (script: string, actor: string): Promise<string> => consoleSession(script, { patch: deps, actor });

  it('asks, lists, refuses the asker and approves by a risk approver', async () => {
    const asked = await session(
      'patch accept-risk mail-gw-1 CVE-2026-4000 --until 90d --reason CEO will not approve the outage --controls inbound only via the relay; frozen by policy\n',
      'alice',
    );
    expect(asked).toContain('Accept the risk of not patching CVE-2026-4000 on mail-gw-1?');
    expect(asked).toContain('inbound only via the relay; frozen by policy');
    // Carol, the policy's risk approver, got the request in a direct message.
    expect(slack.messages.map((message) => [message.kind, message.to])).toEqual([['direct', 'UCAROL']]);

    const listed = await session('patch risks\n', 'bob');
    expect(listed).toMatch(/#1 mail-gw-1 CVE-2026-4000: waiting for a decision/);

    expect(await session('patch approve 1\n', 'alice')).toContain(
      'Only the risk approvers of the standard policy may decide: Carol Chief',
    );
    expect((await findPatch(store.db, 'mail-gw-1', 'CVE-2026-4000'))?.escalation.phase).not.toBe('risk-accepted');

    expect(await session('patch approve #1\n', 'carol')).toContain('Risk accepted: CVE-2026-4000 on mail-gw-1');
    expect((await findPatch(store.db, 'mail-gw-1', 'CVE-2026-4000'))?.escalation).toMatchObject({
      phase: 'risk-accepted',
      nextAt: NOW + 90 * DAY,
    });
    expect(await session('patch reject 1 --reason changed my mind\n', 'carol')).toContain('already approved by carol');
    // Every act typed here rests on mxops chat --as alone: recorded as claimed, the refusal included.
    const typed = await store.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'surface'])
      .where('actor', '!=', 'test')
      .orderBy('seq')
      .execute();
    expect(typed.map((row) => `${row.actor} ${row.action} (${row.surface})`)).toEqual([
      'alice risk-requested (console, claimed)',
      'alice refused (console, claimed)',
      'carol risk-approved (console, claimed)',
    ]);
  });

  it('refuses a request without a reason or an expiry, before anything is stored', async () => {
    expect(await session('patch accept-risk mail-gw-1 --reason because\n', 'alice')).toMatch(/say until when/i);
    expect(await session('patch accept-risk mail-gw-1 --until 30d\n', 'alice')).toMatch(
      /accepting a risk needs a reason/i,
    );
    expect(await session('patch accept-risk mail-gw-1 --until yesterday --reason x\n', 'alice')).toContain(
      '--until "yesterday" is not a duration',
    );
    expect(await session('patch reject 1\n', 'carol')).toMatch(/a rejection needs a reason/i);
    expect(await store.db.selectFrom('risk_acceptances').select('id').execute()).toEqual([]);
  });
});
