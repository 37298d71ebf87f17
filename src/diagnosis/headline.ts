import type { Finding } from './finding.js';
import { firstSentence, WHOSE_MOVE_LABEL, type Problem } from './problems.js';
import type { SenderVerdict } from './senders.js';
import { sendersPhrase } from './sender-names.js';
import { NAMED_IN_A_SENTENCE, verdictSentence, type VerdictInput } from './verdict-sentence.js';

/**
 * Who fails, why, with the number, and whose move it is, in at most two sentences (issue 13): the
 * top problem that stops senders, or what the verdict sentence says when none does (dead DNS,
 * our resolver, nothing found).
 */
export function headline(
  report: VerdictInput & { readonly senders: readonly SenderVerdict[] },
  problems: readonly Problem[],
): string {
  const nullMx = report.findings.find((f: Finding) => f.id === 'mx.null');
  if (nullMx)
    return `${report.domain} accepts no mail (null MX, RFC 7505): every sender bounces at once. Intended? If not, publish the real MX records.`;
  const top = problems.find((p) => p.explains.length > 0);
  const general = verdictSentence(report);
  if (!top || general.startsWith('No one can deliver')) return general;
  const others = report.senders
    .filter((s) => s.verdict === 'fail' && !top.explains.includes(s.family))
    .map((s) => s.family);
  const also =
    others.length > 0
      ? ` ${atSentenceStart(sendersPhrase(others, report.senders.length, NAMED_IN_A_SENTENCE))} fail too (see the problems).`
      : '';
  return `${atSentenceStart(sendersPhrase(top.explains, report.senders.length, NAMED_IN_A_SENTENCE))} cannot deliver to ${report.domain}: ${top.short}. ${capitalized(WHOSE_MOVE_LABEL[top.whoseMove])}: ${firstClause(top.fix)}.${also}`;
}

/** The fix up to its first full stop or semicolon: what to do, without the alternatives the problem lists. */
function firstClause(fix: string): string {
  return firstSentence(fix).replace(/[.;]$/, '');
}

/** "senders behind ..." or "every kind ..." opens a sentence capitalised; product names (qmail, notqmail) keep their own case. */
function atSentenceStart(names: string): string {
  return /^(senders|every) /.test(names) ? capitalized(names) : names;
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
