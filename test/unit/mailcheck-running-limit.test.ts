import { describe, expect, it } from 'vitest';
import { mailcheckDeps } from '../../src/cli/mailcheck-deps.js';
import { loadConfig } from '../../src/config.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnose.js';

/** MXOPS_MAX_RUNNING_CHECKS: the chat's checks take turns, however many are asked for at once. */
describe('checks running at once in one process', () => {
  it('runs at most MXOPS_MAX_RUNNING_CHECKS at a time and every one of them in the end', async () => {
    let running = 0;
    let most = 0;
    const finish: (() => void)[] = [];
    const run = async (): Promise<DiagnosisReport> => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => finish.push(resolve));
      running--;
      return { status: 'pass', durationMs: 1, findings: [] } as unknown as DiagnosisReport;
    };
    const deps = mailcheckDeps(loadConfig({ MXOPS_MAX_RUNNING_CHECKS: '2' }), run);
    const checks = ['a.test', 'b.test', 'c.test', 'd.test', 'e.test'].map((domain) =>
      deps.diagnose(parseCheckTarget(domain), () => undefined),
    );
    // Let whatever can start, start; then finish the running ones one by one.
    for (let finished = 0; finished < 5; finished++) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(running).toBe(Math.min(2, 5 - finished));
      finish.shift()?.();
    }
    await Promise.all(checks);
    expect(most).toBe(2);
  });

  it('refuses a limit that is not a whole number from 1 to 1000', () => {
    expect(() => loadConfig({ MXOPS_MAX_RUNNING_CHECKS: '0' })).toThrow(/MXOPS_MAX_RUNNING_CHECKS/);
  });
});
