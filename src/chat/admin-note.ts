import type { DiagnosisReport } from '../diagnosis/diagnose.js';
import type { Finding } from '../diagnosis/finding.js';
import { buildProblems, findingsOf } from '../diagnosis/problems.js';

const SHOWN: readonly string[] = ['fail', 'warn'];

/**
 * A ready-to-send plain-text note for the partner's mail administrator: each problem once (the
 * findings that share a cause grouped, as every surface shows them), how to fix it, and the
 * commands that show it (dig for DNS, swaks for SMTP), each once, so the note stands on its own
 * without mxops. Our own side (our resolver, our address) is not theirs to hear about.
 */
export function adminNote(report: DiagnosisReport): string {
  const theirs = buildProblems(report.findings, report.senders).filter(
    (p) => SHOWN.includes(p.status) && p.whoseMove !== 'ours',
  );
  const failing = report.senders.filter((s) => s.verdict === 'fail');
  const lines = [
    `Hello,`,
    '',
    theirs.length > 0
      ? `while checking why mail to ${report.domain} fails, we found the following. Each point says how to see it for yourself.`
      : `we checked the mail setup of ${report.domain} and found nothing wrong; if mail still fails, the cause is likely on the sending side.`,
    '',
  ];
  theirs.forEach((p, i) => {
    lines.push(`${i + 1}. ${p.summary}`);
    if (p.fix) lines.push(`   What to change: ${p.fix}`);
    const commands = [...new Set(findingsOf(p, report.findings).flatMap((f) => reproduce(f, report.recipient)))];
    for (const command of commands) lines.push(`   To see it: ${command}`);
    lines.push('');
  });
  if (failing.length > 0) {
    lines.push('Who is affected:');
    for (const s of failing) lines.push(`- ${s.covers}: ${s.expected}`);
    lines.push('');
  }
  lines.push('Thank you.');
  return lines.join('\n');
}

function reproduce(f: Finding, recipient: string): string[] {
  const dig = f.evidence.dig;
  if (typeof dig === 'string') return [dig];
  if (Array.isArray(dig)) return dig.filter((d): d is string => typeof d === 'string');
  const address = f.evidence.address;
  if (typeof address === 'string' && /^(smtp|tls)\./.test(f.id)) {
    const tls = f.id.startsWith('tls.') || f.id.startsWith('smtp.starttls') ? ' --tls' : '';
    return [`swaks --to ${recipient} --server ${address} --quit-after RCPT${tls}`];
  }
  return [];
}
