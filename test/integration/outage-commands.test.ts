/**
 * Outage-window requests typed in the console: bad input and every refusal told to the typist
 * with nothing stored or posted; a good request posted, sent to the approvers through a notifier
 * and recorded; approvals typed, the quorum shown, every recorded copy updated; a late decision
 * told who decided.
 */
import { manualClock } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutageDeps } from '../../commands/outage.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { outageCards } from '../../src/store/outage-requests.js';
import { DAY, HOUR, inventory, patch, STANDARD_POLICY, system } from '../support/inventory-fixture.js';
import { recordingNotifier } from '../support/recording-notifier.js';
import { consoleSession } from '../support/console-session.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

// Thursday 26 November 2026, 18:00 in Berlin; mail-gw-1 may go down Saturdays 22:00-02:00 Berlin.
const NOW = Date.parse('2026-11-26T17:00:00Z');
const SATURDAY_22 = Date.parse('2026-11-28T21:00:00Z');

describe('outage requests in the console', () => {
  let store: TestDatabase;
  let deps: OutageDeps;
  let slack: ReturnType<typeof recordingNotifier>;

  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    const policy = {
      ...STANDARD_POLICY,
      outage: {
        approvers: ['bob', 'carol'],
        quorum: 2,
        selfApproval: false,
        expireAfterMs: DAY,
        remindBeforeMs: [HOUR],
      },
    };
    await importInventory(
      store,
      inventory({
        policies: [policy],
        systems: [
          system('mail-gw-1', {
            freezes: [
              { from: Date.parse('2026-12-19T00:00:00Z'), to: Date.parse('2027-01-04T00:00:00Z'), reason: 'year end' },
            ],
          }),
          system('dns-1', { owner: 'bob', maintenanceWindows: [] }),
        ],
        patches: [patch('mail-gw-1', 'CVE-2026-6000', NOW - 10 * DAY)],
      }),
      { actor: 'test', surface: 'cli', now: NOW, source: 'fixture' },
    );
    slack = recordingNotifier('slack');
    deps = { store, clock: manualClock(NOW), notifiers: [slack.notifier] };
  });
  afterEach(async () => {
    await store.drop();
  });

  const session = (script: string, actor: string): Promise<string> => consoleSession(script, { outage: deps, actor });
  const requests = () => store.db.selectFrom('outage_requests').selectAll().execute();

  it('whispers usage for bad input and the reason for each refusal, storing and posting nothing', async () => {
    const cases: [string, string | RegExp][] = [
      ['outage request mail-gw-1 4h apply it', 'Say when before the duration "4h"'],
      ['outage request mail-gw-1 saturday 22:00 apply it', 'Say how long after the time'],
      ['outage request mail-gw-1 saturday 22:00 4h', 'Say why after the duration'],
      ['outage request mail-gw-1 someday 4h apply it', '"someday" is not a time'],
      ['outage reboot mail-gw-1', '"reboot" is not an outage command'],
      ['outage deny 1', 'A denial needs a reason'],
      ['outage request mail-gw-9 saturday 22:00 4h apply it', 'mail-gw-9'],
      ['outage request mail-gw-1 2026-11-21 22:00 4h apply it', 'would start in the past'],
      [
        'outage request mail-gw-1 friday 22:00 4h apply it',
        "outside mail-gw-1's maintenance windows; the next allowed: Sat 28 Nov 22:00 Europe/Berlin",
      ],
      ['outage request mail-gw-1 2026-12-19 22:00 2h apply it', 'falls in the freeze "year end"'],
      ['outage request dns-1 saturday 22:00 4h apply it', /dns-1/],
    ];
    for (const [typed, told] of cases) {
      const said = await session(`${typed}\n`, 'alice');
      if (typeof told === 'string') expect(said, typed).toContain(told);
      else expect(said, typed).toMatch(told);
      expect(said, typed).not.toContain('[#');
    }
    // Alice is not in the chain of dns-1's owner (bob, then carol).
    expect(await session('outage request dns-1 saturday 22:00 4h apply it\n', 'alice')).toMatch(
      /owner of dns-1 and their management chain/,
    );
    expect(await requests()).toEqual([]);
    expect(slack.messages).toEqual([]);
    expect(await session('outage help\n', 'alice')).toContain('It ends at the first word that is a duration');
  });

  it('asks, lists, counts one approval of two, then approves and updates every copy; a late decision is told who decided', async () => {
    const asked = await session('outage request mail-gw-1 saturday 22:00 4h apply the qmail patch\n', 'alice');
    expect(asked).toContain('[#1] == Outage window requested: mail-gw-1, Sat 28 Nov 22:00 Europe/Berlin for 4 hours');
    expect(asked).toContain('Sat 28 Nov 22:00 Europe/Berlin to Sun 29 Nov 02:00 Europe/Berlin (4 hours)');
    expect(asked).toContain('CVE-2026-6000 (critical, 3 days overdue)');
    expect(asked).toContain('Risk of not doing it: very high');
    expect(asked).toContain('0 of 2 approvals. Who decides: Bob Manager, Carol Chief');
    const [request] = await requests();
    expect(request).toMatchObject({
      system: 'mail-gw-1',
      start_at: SATURDAY_22,
      end_at: SATURDAY_22 + 4 * HOUR,
      status: 'pending',
      reason: 'apply the qmail patch',
    });
    // Each approver got it in a direct message, in their own zone; every copy is recorded.
    expect(slack.messages.map((message) => [message.kind, message.to, message.marker])).toEqual([
      ['direct', 'UBOB', `outage-${request!.id}`],
      ['direct', 'UCAROL', `outage-${request!.id}`],
    ]);
    expect(JSON.stringify(slack.messages[1]!.card)).toContain('Sat 28 Nov 16:00 America/New_York');
    expect((await outageCards(store.db, request!.id)).map((copy) => copy.platform).sort()).toEqual([
      'console',
      'slack',
      'slack',
    ]);

    expect(await session('outage list\n', 'bob')).toMatch(
      /#1 mail-gw-1, Sat 28 Nov 22:00 Europe\/Berlin to .*: waiting for a decision/,
    );
    expect(await session('outage approve 1\n', 'alice')).toContain(
      'Only the outage approvers decide this request: bob, carol.',
    );
    expect(slack.messages.filter((message) => message.kind === 'update')).toEqual([]);

    expect(await session('outage approve #1\n', 'bob')).toContain('1 of 2 approvals: Bob Manager, waiting for more.');
    const pendingUpdates = slack.messages.filter((message) => message.kind === 'update');
    expect(pendingUpdates).toHaveLength(2);
    for (const update of pendingUpdates) {
      expect(JSON.stringify(update.card)).toContain('1 of 2 approvals: Bob Manager');
      expect(update.card.blocks.some((block) => block.kind === 'actions')).toBe(true);
    }

    expect(await session('outage approve 1\n', 'carol')).toContain('Approved by Bob Manager and Carol Chief');
    const decided = slack.messages.filter((message) => message.kind === 'update').slice(2);
    expect(decided.map((message) => message.card.summary)).toEqual(
      Array(2).fill('Outage approved: mail-gw-1, Sat 28 Nov 22:00 Europe/Berlin for 4 hours'),
    );
    for (const update of decided) expect(update.card.blocks.some((block) => block.kind === 'actions')).toBe(false);
    expect((await requests())[0]).toMatchObject({ status: 'approved', decided_by: 'carol' });
    expect(await session('outage list\n', 'alice')).toMatch(/#1 mail-gw-1, .*: approved \(bob, carol\)/);

    expect(await session('outage deny 1 --reason too late\n', 'carol')).toContain(
      'Outage request #1 was already approved by Bob Manager and Carol Chief.',
    );
    expect((await requests())[0]).toMatchObject({ status: 'approved' });
    // Every act typed here rests on mxops chat --as alone: recorded as claimed, the refusal included.
    const typed = await store.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'surface'])
      .where('actor', '!=', 'test')
      .orderBy('seq')
      .execute();
    expect(typed.map((row) => `${row.actor} ${row.action} (${row.surface})`)).toEqual([
      'alice outage-requested (console, claimed)',
      'alice refused (console, claimed)',
      'bob outage-approval (console, claimed)',
      'carol outage-approved (console, claimed)',
    ]);
  });

  it("proposes another time, read in the proposer's zone, with the command to ask for it", async () => {
    await session('outage request mail-gw-1 saturday 22:00 4h apply the qmail patch\n', 'alice');
    // Carol is in New York: Sunday 16:00 there is Sunday 22:00 in Berlin.
    const said = await session('outage propose 1 sunday 16:00\n', 'carol');
    expect(said).toContain('Carol Chief proposed another time: Sun 29 Nov 16:00 America/New_York');
    expect(said).toContain('outage request mail-gw-1 2026-11-29 16:00 4h apply the qmail patch');
    expect((await requests())[0]).toMatchObject({
      status: 'rescheduled',
      proposed_start: Date.parse('2026-11-29T21:00:00Z'),
      decided_by: 'carol',
    });
  });
});
