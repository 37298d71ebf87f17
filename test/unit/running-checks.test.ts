import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunningChecks } from '../../src/chat/running-checks.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnose.js';

const report = { domain: 'partner.test' } as DiagnosisReport;

describe('RunningChecks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('joins a running check, and a finished one within the rejoin window, but not a fresh request', async () => {
    const checks = new RunningChecks(60_000);
    let runs = 0;
    const start = async () => (runs++, report);
    const first = checks.join('k', start, () => undefined);
    const second = checks.join('k', start, () => undefined);
    expect(second.joined).toBe(true);
    await first.report;
    expect(checks.join('k', start, () => undefined).joined).toBe(true);
    const fresh = checks.join('k', start, () => undefined, { fresh: true });
    expect(fresh.joined).toBe(false);
    await fresh.report;
    expect(runs).toBe(2);
  });

  it('answers from a finished check until its rejoin window ends, then runs afresh', async () => {
    vi.useFakeTimers();
    const checks = new RunningChecks(10_000);
    let runs = 0;
    const start = async () => (runs++, report);
    await checks.join('k', start, () => undefined).report;
    vi.advanceTimersByTime(9_999);
    expect(checks.join('k', start, () => undefined).joined).toBe(true);
    vi.advanceTimersByTime(1);
    expect(checks.size).toBe(0);
    const afresh = checks.join('k', start, () => undefined);
    expect(afresh.joined).toBe(false);
    await afresh.report;
    expect(runs).toBe(2);
  });

  it('forgets a finished check at once without a window, and a failed one always', async () => {
    const checks = new RunningChecks(60_000);
    await checks
      .join(
        'bad',
        async () => Promise.reject(new Error('boom')),
        () => undefined,
      )
      .report.catch(() => undefined);
    expect(checks.size).toBe(0);
    const plain = new RunningChecks();
    await plain.join(
      'k',
      async () => report,
      () => undefined,
    ).report;
    expect(plain.size).toBe(0);
  });

  it('tells progress reported before the run first waits', async () => {
    const seen: number[] = [];
    await new RunningChecks().join(
      'k',
      async (onProgress) => (
        onProgress({ checksDone: 1, checksTotal: 2, mailServers: undefined, findings: [] }),
        report
      ),
      (p) => seen.push(p.checksDone),
    ).report;
    expect(seen).toEqual([1]);
  });
});
