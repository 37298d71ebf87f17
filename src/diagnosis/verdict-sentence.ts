import type { DiagnosisReport } from './diagnose.js';
import type { Finding } from './finding.js';
import { sendersPhrase } from './sender-names.js';
import type { SenderVerdict } from './senders.js';

/** Families a sentence names before it counts the rest: two lines at most. */
export const NAMED_IN_A_SENTENCE = 2;

/**
 * The one sentence a person reads first, the same on every surface. A domain nobody can resolve
 * says so, with the servers and whose move it is; "No problem found" only when nothing stops a
 * sender and no sender's fate was left unanswered.
 */
export type VerdictInput = Pick<DiagnosisReport, 'domain' | 'findings' | 'senders'>;

export function verdictSentence(report: VerdictInput): string {
  const { domain } = report;
  const having = (id: string, test: (f: Finding) => boolean = () => true): Finding[] =>
    report.findings.filter((f) => f.id === id && test(f));

  const [notDelegated] = having('dns.not-delegated');
  if (notDelegated)
    return `No one can deliver mail to ${domain}: the parent zone says it does not exist (NXDOMAIN). Their move: register or delegate the domain again.`;
  const [dead] = having('dns.nameservers-unreachable');
  if (dead) {
    return `No one can deliver mail to ${domain} now: its nameservers ${listed(serversOf(dead))} do not answer. Their move: bring the nameservers back or fix the delegation at the registrar.`;
  }
  const lame = having('dns.lame-delegation', (f) => f.status === 'fail');
  if (lame.length > 0) {
    return `No one can deliver mail to ${domain} now: none of its nameservers answers for it (${listed(lame.map((f) => f.subject))} refuse or fail). Their move: load the zone on them or fix the delegation at the registrar.`;
  }
  const failing = report.senders.filter((s) => s.verdict === 'fail').map((s) => s.family);
  if (failing.length > 0)
    return `Mail from ${sendersPhrase(failing, report.senders.length, NAMED_IN_A_SENTENCE)} will fail.`;
  const [ours] = having('resolver.unreachable');
  if (ours)
    return `Our resolver ${ours.subject} does not answer, so ${domain} could not be checked: this is on our side, not theirs (point mxops at a working resolver: MXOPS_RESOLVER, or --resolver for one check).`;
  const unknown = report.senders.filter((s) => unknownForAReason(s, report.findings)).map((s) => s.family);
  if (unknown.length > 0)
    return `Could not tell whether mail from ${sendersPhrase(unknown, report.senders.length, NAMED_IN_A_SENTENCE)} gets through: part of the diagnosis went unanswered (see the errors).`;
  if (report.findings.some((f) => f.status === 'fail'))
    return 'Something is misconfigured, though none of the sender families modelled is stopped by it.';
  return 'No problem found that stops mail.';
}

/**
 * An unknown verdict that something in this run caused (an unanswered question, a problem found),
 * as opposed to what no probe can tell anywhere: a TLS 1.0-only sender's fate at a server that
 * negotiates TLS 1.3 is unknown for every healthy domain, and is no news about this one.
 */
export function unknownForAReason(sender: SenderVerdict, findings: readonly Finding[]): boolean {
  return (
    sender.verdict === 'unknown' &&
    findings.some(
      (f) => sender.because.includes(f.id) && (f.status === 'error' || f.status === 'fail' || f.status === 'warn'),
    )
  );
}

function serversOf(dead: Finding): string[] {
  const servers = dead.evidence.servers;
  if (!Array.isArray(servers)) return [dead.subject];
  return servers.flatMap((s) =>
    s !== null && typeof s === 'object' && !Array.isArray(s) && typeof s.server === 'string' ? [s.server] : [],
  );
}

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
