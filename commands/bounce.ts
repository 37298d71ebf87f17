import { chooseHypothesis, type Hypothesis } from '../src/bounces/hypotheses.js';
import { parseBounce, type BounceParse } from '../src/bounces/parse-bounce.js';
import { judgeHypothesis, type TestedHypothesis } from '../src/bounces/verdict.js';
import { parseCheckTarget, type CheckTarget } from '../src/diagnosis/check-target.js';
import type { DiagnosisReport } from '../src/diagnosis/diagnose.js';
import { finding, type Finding } from '../src/diagnosis/finding.js';
import { renderFindingsText } from '../src/diagnosis/render-text.js';
import { isAppError } from '../src/errors.js';

/** A bounce read and its hypothesis tested: what `mxops bounce` and `/mailcheck bounce` answer. */
export interface BounceDiagnosis {
  readonly parse: BounceParse;
  readonly hypothesis: Hypothesis;
  readonly tested: TestedHypothesis;
  /** The domain the checks looked at; undefined when nothing was checked. */
  readonly checked: string | undefined;
}

/** Runs a hypothesis's checks against a target (DNS only when `smtp` is false). */
export type HypothesisTester = (target: CheckTarget, hypothesis: Hypothesis) => Promise<DiagnosisReport>;

export interface BounceOptions {
  /** Parse only: no checks, verdict unknown. */
  readonly check: boolean;
}

/** Reads a bounce, headers or log line, picks the root-cause hypothesis and, unless told not to, tests it. */
export async function diagnoseBounce(
  input: string | Uint8Array,
  options: BounceOptions,
  test: HypothesisTester,
): Promise<BounceDiagnosis> {
  const parse = await parseBounce(input);
  const hypothesis = chooseHypothesis(parse);
  if (!options.check || hypothesis.checks.length === 0)
    return { parse, hypothesis, tested: { verdict: 'unknown', findings: [] }, checked: undefined };
  const address =
    hypothesis.domain === 'sender' ? parse.sender : hypothesis.smtp ? parse.recipient : parse.recipientDomain;
  const unknown = (why: Finding): BounceDiagnosis => ({
    parse,
    hypothesis,
    tested: { verdict: 'unknown', findings: [why] },
    checked: undefined,
  });
  if (address === null) return unknown(missingAddress(hypothesis.domain));
  let target: CheckTarget;
  try {
    target = parseCheckTarget(hypothesis.domain === 'sender' ? domainOf(address) : address);
  } catch (error) {
    if (!isAppError(error, 'BAD_INPUT')) throw error;
    return unknown(unusableDomain(address, error.message));
  }
  const report = await test(target, hypothesis);
  return { parse, hypothesis, tested: judgeHypothesis(hypothesis, report.findings), checked: target.domain };
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

function missingAddress(whose: Hypothesis['domain']): Finding {
  return finding({
    id: 'bounce.address-missing',
    status: 'error',
    subject: whose === 'sender' ? 'sender' : 'recipient',
    summary: `The text names no ${whose} address, so there is no domain to check.`,
    remedy:
      whose === 'sender'
        ? "Paste the whole bounce, with the returned message's headers."
        : 'Paste the whole bounce with the failed address, or the log lines of the delivery (qmail: the "starting delivery" line too).',
  });
}

function unusableDomain(address: string, why: string): Finding {
  return finding({
    id: 'bounce.domain-unusable',
    status: 'error',
    subject: address,
    summary: `The bounce names ${JSON.stringify(address)}, which mxops cannot check: ${why}.`,
    remedy: 'Check the address in the bounce; run mxops check on the domain it should have been.',
  });
}

/** The `--json` document: the parse, the hypothesis and the verdict, one object per bounce for bulk triage. */
export function bounceToJson({ parse, hypothesis, tested }: BounceDiagnosis): object {
  return {
    family: parse.family,
    dsn: parse.dsn,
    remoteReply: parse.remoteReply,
    step: parse.step,
    sender: parse.sender,
    recipient: parse.recipient,
    recipientDomain: parse.recipientDomain,
    isBounce: parse.isBounce,
    hops: parse.hops,
    hypothesis: { id: hypothesis.id, summary: hypothesis.summary },
    verdict: tested.verdict,
    findings: tested.findings.map(({ id, status, subject, summary, evidence, remedy, ref }) => ({
      id,
      status,
      subject,
      summary,
      evidence,
      remedy,
      ref,
    })),
  };
}

const VERDICT_WORDS = {
  confirmed: 'the checks find it now',
  refuted:
    'the checks do not find it now; it may have been fixed since the bounce, or the cause is another (below: what they found)',
  unknown: 'the checks could not tell',
} as const;

/** The answer for a person: what the bounce says, the hypothesis, and the verdict with its evidence. */
export function renderBounceText(diagnosis: BounceDiagnosis, options: BounceOptions): string {
  const { parse, hypothesis, tested } = diagnosis;
  const kind = parse.isBounce ? 'final failure (bounce)' : 'not a final failure';
  const lines = [
    `${parse.family === 'unknown' ? 'Unrecognised sender' : parse.family}: ${kind}${parse.dsn ? `, DSN ${parse.dsn}` : ''}, failed at: ${parse.step}`,
    `  from ${parse.sender ?? '(unknown sender)'} to ${parse.recipient ?? '(unknown recipient)'}`,
  ];
  if (parse.remoteReply) lines.push(`  their server said: ${parse.remoteReply}`);
  if (parse.reason && parse.reason !== parse.remoteReply) lines.push(`  reason: ${clip(parse.reason, 300)}`);
  if (parse.hops.length > 0) {
    lines.push('  hops, oldest first:');
    for (const hop of parse.hops) {
      const delay = hop.delaySeconds === null ? '' : `  +${hop.delaySeconds} s`;
      lines.push(
        `    ${hop.from ?? '?'} -> ${hop.by ?? '?'}${hop.software ? ` (${hop.software})` : ''}${hop.at ? `  ${hop.at}` : ''}${delay}`,
      );
    }
  }
  lines.push('', `Hypothesis (${hypothesis.id}): ${hypothesis.summary}`);
  if (hypothesis.checks.length === 0) return `${lines.join('\n')}\n`;
  if (!options.check) {
    lines.push(`Not checked (--no-check). The checks that test it: ${hypothesis.checks.join(', ')}.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `Verdict: ${tested.verdict.toUpperCase()}${diagnosis.checked ? ` (checked ${diagnosis.checked})` : ''}: ${VERDICT_WORDS[tested.verdict]}.`,
  );
  if (tested.findings.length > 0) lines.push(renderFindingsText(tested.findings).trimEnd());
  return `${lines.join('\n')}\n`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
