import type { Finding } from '../diagnosis/finding.js';
import type { Hypothesis } from './hypotheses.js';

export type BounceVerdict = 'confirmed' | 'refuted' | 'unknown';

export interface TestedHypothesis {
  readonly verdict: BounceVerdict;
  /**
   * The evidence: for `confirmed` the findings that bear the hypothesis out, for `unknown` the
   * questions that went unanswered, for `refuted` everything the checks found instead (what is
   * fine, and other problems that may explain another bounce), worst first.
   */
  readonly findings: readonly Finding[];
}

/**
 * What the checks say of a hypothesis. A time-out or unanswered question never refutes (DESIGN.md:
 * "could not tell" is never "absent"): with errors and nothing confirming, the verdict is unknown.
 */
export function judgeHypothesis(hypothesis: Hypothesis, findings: readonly Finding[]): TestedHypothesis {
  if (hypothesis.checks.length === 0) return { verdict: 'unknown', findings: [] };
  const confirming = hypothesis.confirms(findings);
  if (confirming.length > 0) return { verdict: 'confirmed', findings: confirming };
  const unanswered = findings.filter((f) => f.status === 'error');
  if (unanswered.length > 0) return { verdict: 'unknown', findings: unanswered };
  return { verdict: 'refuted', findings };
}
