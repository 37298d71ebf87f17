import { finding, type Finding } from '../diagnosis/finding.js';
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

const NOT_PROBED: Finding = finding({
  id: 'bounce.smtp-not-probed',
  status: 'error',
  subject: 'mail servers',
  summary:
    "This cause is tested by talking SMTP to the recipient's mail servers, and this run did not (DNS only), so it can be neither confirmed nor refuted.",
  remedy: 'Run it again with SMTP probes (without --dns-only; in chat, on a deployment with probe workers).',
});

/**
 * What the checks say of a hypothesis. A time-out or unanswered question never refutes (DESIGN.md:
 * "could not tell" is never "absent"): with errors and nothing confirming, the verdict is unknown.
 */
export function judgeHypothesis(hypothesis: Hypothesis, findings: readonly Finding[]): TestedHypothesis {
  if (hypothesis.checks.length === 0) return { verdict: 'unknown', findings: [] };
  const confirming = hypothesis.confirms(findings);
  if (confirming.length > 0) return { verdict: 'confirmed', findings: confirming };
  // A run without SMTP probes (--dns-only, or a deployment without them) cannot refute what only they test.
  if (hypothesis.smtp && !findings.some((f) => f.id.startsWith('smtp.')))
    return { verdict: 'unknown', findings: [NOT_PROBED, ...findings.filter((f) => f.status === 'error')] };
  const unanswered = findings.filter((f) => f.status === 'error');
  if (unanswered.length > 0) return { verdict: 'unknown', findings: unanswered };
  return { verdict: 'refuted', findings };
}
