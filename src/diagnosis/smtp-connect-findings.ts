/**
 * Connecting to one MX address: refused by our own policy, refused or unreachable, timed out; and,
 * across all addresses, the time-outs that point at our own outbound port.
 */
import { finding, type Finding } from './finding.js';
import type { Judged } from './smtp-judged-session.js';
import type { ConnectFailure, SmtpProbeResult } from './smtp-port.js';
import type { MailServerSession } from './smtp-sessions.js';

/**
 * When every address we tried timed out on connect, the likeliest single cause is on our side:
 * many cloud providers block outbound port 25 by default. Nothing about the partner follows.
 */
export function judgeOutboundPort(domain: string, sessions: readonly MailServerSession[]): Finding[] {
  const tried = sessions.filter((s) => !s.result.refusedByPolicy);
  if (tried.length === 0 || !tried.every((s) => connectTimedOut(s.result))) return [];
  const port = tried[0]?.result.request.port ?? 25;
  return [
    finding({
      id: 'smtp.outbound-blocked',
      status: 'error',
      subject: domain,
      summary: `Every mail server address of ${domain} (${tried.length}) timed out on connect, so the host running mxops may have outbound port ${port} blocked (common at cloud providers) and nothing about ${domain}'s servers can be concluded.`,
      evidence: {
        port,
        addresses: tried.map((s) => s.result.request.address),
        connectMs: tried.map((s) => Math.round(s.result.connect?.ms ?? 0)),
      },
      remedy: `From the probing host, try a server known to work (nc -vz -w 10 gmail-smtp-in.l.google.com ${port}); if that times out too, ask the provider to open outbound port ${port} or run mxops (or its workers) where it is open.`,
      ref: 'RFC 5321 §4.5.3.2',
    }),
  ];
}

function connectTimedOut(result: SmtpProbeResult): boolean {
  return result.connect !== undefined && !result.connect.ok && result.connect.error === 'timeout';
}

export function refusedByPolicy(j: Judged, range: string): Finding {
  return finding({
    id: 'smtp.refused-by-policy',
    status: 'skipped',
    subject: j.label,
    summary: `mxops did not connect to ${j.label}: ${j.result.request.address} is a ${range} address, and probing non-public addresses is not allowed.`,
    evidence: { ...j.base, range },
    remedy: `If probing it is intended (a test bed, an internal relay), run with --allow-private, or set MXOPS_ALLOW_PRIVATE_TARGETS=true where the probes run (on the workers with --queue).`,
    ref: 'RFC 6890',
  });
}

export function connectFailed(
  j: Judged,
  connect: { readonly error: ConnectFailure; readonly detail: string; readonly ms: number },
): Finding {
  const { address, port } = j.result.request;
  const evidence = { ...j.base, error: connect.error, detail: connect.detail, connectMs: Math.round(connect.ms) };
  if (connect.error === 'timeout') {
    return finding({
      id: 'smtp.connect-timeout',
      status: 'error',
      subject: j.label,
      summary: `${j.label} did not accept a connection on port ${port} within ${Math.round(connect.ms)} ms: a firewall dropping packets, a server that is down, or port ${port} blocked on our own side; we could not tell which.`,
      evidence,
      remedy: `Re-run later; from the probing host, compare with a server known to work (nc -vz -w 10 ${address} ${port} against nc -vz -w 10 gmail-smtp-in.l.google.com ${port}).`,
      ref: 'RFC 5321 §4.5.3.2',
    });
  }
  // Only a refusal proves something about the partner: the address answers, and nothing there
  // takes mail. "Unreachable" is as often our routing (no IPv6 on the probing host) as theirs, and
  // a reset is some firewall's doing, possibly one that blocks us.
  const why: Record<Exclude<ConnectFailure, 'timeout'>, string> = {
    refused: `${j.label} refused the connection on port ${port} (${connect.detail}): nothing there takes mail, so senders try the next MX or defer.`,
    unreachable: `No route to ${j.label} (${connect.detail}); that may be our side (${address.includes(':') ? 'a probing host without IPv6' : 'our network'}) or theirs, so we could not tell whether it takes mail.`,
    reset: `The connection to ${j.label} was reset as it opened (${connect.detail}): a firewall or the server dropped us, and we could not tell why.`,
    other: `Connecting to ${j.label} failed (${connect.detail}); we could not tell why.`,
  };
  return finding({
    id: 'smtp.connect-failed',
    status: connect.error === 'refused' ? 'fail' : 'error',
    subject: j.label,
    summary: why[connect.error],
    evidence,
    remedy:
      connect.error === 'refused'
        ? `Start the mail server on ${address} and let port ${port} through its firewall, or remove ${address} from the addresses of ${j.result.request.mxHost}.`
        : `Re-run; if it persists, check the route to ${address} from the probing host (traceroute -T -p ${port} ${address}) before suspecting the partner.`,
    ref: 'RFC 5321 §5.1',
  });
}
