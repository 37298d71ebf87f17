import type { DiagnosisReport } from './diagnose.js';
import { headline } from './headline.js';
import { buildProblems } from './problems.js';

/**
 * The `--json` document. Its shape is an interface users script against: add fields, never rename
 * or remove them.
 */
export function reportToJson(report: DiagnosisReport): object {
  const problems = buildProblems(report.findings, report.senders);
  return {
    domain: report.domain,
    recipient: report.recipient,
    status: report.status,
    headline: headline(report, problems),
    problems,
    durationMs: Math.round(report.durationMs),
    findings: report.findings.map(({ id, status, subject, summary, evidence, remedy, ref }) => ({
      id,
      status,
      subject,
      summary,
      evidence,
      remedy,
      ref,
    })),
    senders: report.senders.map(({ family, verdict, expected, because, covers }) => ({
      family,
      verdict,
      expected,
      because,
      covers,
    })),
    timings: report.timings.map((t) => ({ check: t.check, durationMs: Math.round(t.durationMs) })),
    queriesSent: report.queriesSent,
    observations: report.observations,
  };
}
