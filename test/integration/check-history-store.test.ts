import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { finding } from '../../src/diagnosis/finding.js';
import { readAuditLog } from '../../src/store/audit-log.js';
import { findCheck, listChecks, recordCheck } from '../../src/store/check-reports.js';
import { addWatch, listWatches, removeWatch, setLastReport } from '../../src/store/mail-watches.js';
import { DAY } from '../support/inventory-fixture.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

const at = (day: number): Date => new Date(Date.parse('2026-11-01T09:00:00Z') + day * DAY);

function report(domain: string, mxAnswerEnd: number): DiagnosisReport {
  const over = mxAnswerEnd > 512;
  return {
    domain,
    recipient: `postmaster@${domain}`,
    status: over ? 'fail' : 'pass',
    durationMs: 812.4,
    findings: [
      finding({
        id: over ? 'dns.answer-over-512' : 'dns.reply-sizes-ok',
        status: over ? 'fail' : 'pass',
        subject: domain,
        summary: 'sizes',
      }),
    ],
    senders: [{ family: 'qmail-1.03', covers: 'qmail', verdict: over ? 'fail' : 'ok', expected: '', because: [] }],
    timings: [{ check: 'reply-size', durationMs: 40 }],
    queriesSent: 9,
    observations: {
      records: { [`${domain} MX`]: ['10 mx.example'] },
      answerSizes: { [`MX ${domain}`]: { answerEnd: mxAnswerEnd, size: mxAnswerEnd } },
    },
  };
}

describe.each(STORE_DIALECTS)('check history on %s', (dialect) => {
  let store: TestDatabase;
  beforeEach(async () => {
    store = await openTestDatabase(dialect);
  });
  afterEach(async () => {
    await store.drop();
  });

  it('stores every report, lists a domain newest first, reads one back whole', async () => {
    const keep = { keepMs: 365 * DAY };
    const first = await recordCheck(store, report('partner.test', 480), { source: 'cli', at: at(2), ...keep });
    await recordCheck(store, report('other.test', 100), { source: 'chat', at: at(3), ...keep });
    const second = await recordCheck(store, report('partner.test', 610), { source: 'watch', at: at(9), ...keep });
    const listed = await listChecks(store, 'partner.test', 10);
    expect(listed.map((c) => [c.id, c.status, c.source, c.checkedAt.toISOString()])).toEqual([
      [second, 'fail', 'watch', '2026-11-10T09:00:00.000Z'],
      [first, 'pass', 'cli', '2026-11-03T09:00:00.000Z'],
    ]);
    const stored = await findCheck(store, second);
    expect(stored?.report.observations.answerSizes['MX partner.test']).toEqual({ answerEnd: 610, size: 610 });
    expect(stored?.report.senders[0]?.verdict).toBe('fail');
    expect(stored?.report.durationMs).toBe(812);
    expect(await findCheck(store, 999_999)).toBeUndefined();
  });

  it('deletes every report older than the retention when it stores a new one, whatever its domain', async () => {
    await recordCheck(store, report('partner.test', 480), { source: 'cli', at: at(0), keepMs: 365 * DAY });
    await recordCheck(store, report('other.test', 480), { source: 'cli', at: at(0), keepMs: 365 * DAY });
    await recordCheck(store, report('other.test', 480), { source: 'cli', at: at(20), keepMs: 365 * DAY });
    await recordCheck(store, report('partner.test', 490), { source: 'cli', at: at(40), keepMs: 30 * DAY });
    expect(await listChecks(store, 'partner.test', 10)).toHaveLength(1);
    expect((await listChecks(store, 'other.test', 10)).map((c) => c.checkedAt)).toEqual([at(20)]);
  });

  it('keeps reports deflated: a large report takes a fraction of its JSON', async () => {
    const big = {
      ...report('partner.test', 610),
      findings: Array.from({ length: 200 }, (_, i) =>
        finding({
          id: 'dns.truncated',
          status: 'warn' as const,
          subject: `MX partner.test at ns${i}.partner.test`,
          summary: 'Asked without EDNS, the reply does not fit in 512 bytes.',
        }),
      ),
    };
    const id = await recordCheck(store, big, { source: 'cli', at: at(1), keepMs: 365 * DAY });
    const row = await store.db
      .selectFrom('check_reports')
      .select('report')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.report.length * 5).toBeLessThan(JSON.stringify(big).length);
    expect((await findCheck(store, id))?.report.findings).toHaveLength(200);
  });

  it('adds, changes and removes watches per conversation, auditing each', async () => {
    const place = { domain: 'partner.test', platform: 'slack' as const, conversation: 'C1' };
    const added = await addWatch(store, {
      ...place,
      intervalMs: 3_600_000,
      by: 'slack:UALICE',
      surface: 'slack',
      at: at(0),
    });
    expect(added).toMatchObject({
      created: true,
      watch: { ...place, intervalMs: 3_600_000, createdBy: 'slack:UALICE', lastReportId: null },
    });
    const again = await addWatch(store, {
      ...place,
      intervalMs: 600_000,
      by: 'slack:UBOB',
      surface: 'slack',
      at: at(1),
    });
    expect(again).toMatchObject({
      created: false,
      watch: { id: added.watch.id, intervalMs: 600_000, createdBy: 'slack:UALICE' },
    });
    await addWatch(store, {
      ...place,
      conversation: 'C2',
      intervalMs: 600_000,
      by: 'slack:UBOB',
      surface: 'slack',
      at: at(1),
    });
    await setLastReport(store, added.watch.id, 42);
    expect(
      (await listWatches(store, { platform: 'slack', conversation: 'C1' })).map((w) => [w.domain, w.lastReportId]),
    ).toEqual([['partner.test', 42]]);
    expect(await listWatches(store)).toHaveLength(2);
    expect((await removeWatch(store, { ...place, by: 'slack:UBOB', surface: 'slack', at: at(2) }))?.id).toBe(
      added.watch.id,
    );
    expect(await removeWatch(store, { ...place, by: 'slack:UBOB', surface: 'slack', at: at(2) })).toBeUndefined();
    const actions = [];
    for await (const row of readAuditLog(store.db)) actions.push([row.action, row.actor]);
    expect(actions).toEqual([
      ['watch-added', 'slack:UALICE'],
      ['watch-changed', 'slack:UBOB'],
      ['watch-added', 'slack:UBOB'],
      ['watch-removed', 'slack:UBOB'],
    ]);
  });
});
