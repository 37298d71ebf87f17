/**
 * `smtp.blocked-us`: the server would not talk to us, the probing host (smtp-refusal.ts), so
 * nothing about the partner's setup follows from the session.
 */
import { finding, type Finding } from './finding.js';
import { formatReply, lastLines, replyText } from './smtp-evidence.js';
import { STEP_NAMES, stepLines, type Judged } from './smtp-judged-session.js';
import type { SmtpReply, SmtpStep } from './smtp-port.js';
import type { Refusal } from './smtp-refusal.js';

export type BlockReason = Refusal | 'closed' | 'greeting-refused' | 'temporary';

export function blockedUs(j: Judged, step: SmtpStep, reason: BlockReason, reply: SmtpReply | undefined): Finding {
  const text = reply ? `"${replyText(reply)}"` : '';
  const about = 'so nothing about its setup could be checked from here';
  const summaries: Record<BlockReason, string> = {
    closing: `${j.label} answered ${STEP_NAMES[step]} with ${text}: it closed the channel to us, ${about}.`,
    'too-many-connections': `${j.label} said it has too many connections (${text}) at ${STEP_NAMES[step]}: it would not talk to us now, ${about}.`,
    'client-refused': `${j.label} refused us, the probing host, at ${STEP_NAMES[step]} (${text}): its policy is about our address or name, ${about}.`,
    closed:
      step === 'banner'
        ? `${j.label} closed the connection right after we connected, before any greeting: it would not talk to us, ${about}.`
        : `${j.label} closed the connection after our ${STEP_NAMES[step]}: it would not talk to us, ${about}.`,
    'greeting-refused': `${j.label} refused both EHLO and HELO (${[j.result.ehlo, j.result.helo].flatMap((x) => (x ? [`"${replyText(x)}"`] : [])).join(', ')}): it would not talk to us, often because of our HELO name, ${about}.`,
    temporary: `${j.label} greeted with ${text}, a temporary refusal: it would not talk to us now, ${about}.`,
  };
  const remedies: Record<BlockReason, string> = {
    closing:
      'Re-run later; if it persists, ask the partner whether connection or rate limits hold back the probing host.',
    'too-many-connections':
      'Re-run later; if it persists, ask the partner whether their connection limits hold back the probing host.',
    'client-refused':
      "Check the probing host's address on public blocklists and its reverse DNS, or run mxops from another host; ask the partner to allow it if their mail should be checked from here.",
    closed:
      "Re-run later; check the probing host's address on public blocklists and its reverse DNS, or run mxops from another host.",
    'greeting-refused': `Give mxops a HELO name that resolves to the probing host's address (MXOPS_HELO_NAME; now "${j.result.request.heloName}") and re-run.`,
    temporary: 'Re-run later; if it persists, ask the partner what their server is waiting for.',
  };
  return finding({
    id: 'smtp.blocked-us',
    status: 'error',
    subject: j.label,
    summary: summaries[reason],
    evidence: {
      ...j.base,
      step,
      reason,
      reply: reply ? formatReply(reply) : null,
      replyMs: reply ? Math.round(reply.ms) : null,
      transcript: reply ? stepLines(j.result, step) : lastLines(j.result),
    },
    remedy: remedies[reason],
    ref: 'RFC 5321 §3.8, §4.2.3',
  });
}
