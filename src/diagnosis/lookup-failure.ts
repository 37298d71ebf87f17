import { formatServer } from './dns-port.js';
import type { DnsQuery } from './dns-port.js';
import type { QueryOutcome } from './dns-lookups.js';
import { finding, type Finding } from './finding.js';

/** Rcodes that mean "the server could not or would not say", as opposed to NXDOMAIN or NODATA. */
const INCONCLUSIVE_RCODES = new Set(['SERVFAIL', 'REFUSED', 'NOTIMP', 'FORMERR', 'NOTAUTH']);

/** A transport failure or an rcode that says nothing about the name (SERVFAIL, REFUSED, ...). */
export function settledNothing(outcome: QueryOutcome): boolean {
  return !outcome.ok || INCONCLUSIVE_RCODES.has(outcome.reply.rcode);
}

/**
 * The finding for a query that settled nothing, or undefined when the outcome is a real answer
 * (NOERROR or NXDOMAIN). A time-out is `dns.timeout`; any other failure is `dns.lookup-failed`.
 * Both are `error`: never evidence that something is absent or broken.
 */
export function inconclusive(outcome: QueryOutcome, subject: string): Finding | undefined {
  if (outcome.ok && !INCONCLUSIVE_RCODES.has(outcome.reply.rcode)) return undefined;
  const query = outcome.ok ? outcome.reply.query : outcome.query;
  const evidence = {
    server: formatServer(query.server),
    qname: query.name,
    qtype: query.type,
    transport: query.transport,
  };
  if (!outcome.ok && outcome.error.code === 'DNS_TIMEOUT') {
    return finding({
      id: 'dns.timeout',
      status: 'error',
      subject,
      summary: `${formatServer(query.server)} did not answer ${query.type} ${query.name} in time, so this could not be checked.`,
      evidence: { ...evidence, error: outcome.error.message },
      remedy:
        'Check that the server is up and reachable on port 53; if it is only slow, re-run with a longer --timeout.',
      ref: 'RFC 1035 §4.2.1',
    });
  }
  return finding({
    id: 'dns.lookup-failed',
    status: 'error',
    subject,
    summary: outcome.ok
      ? `${formatServer(query.server)} answered ${query.type} ${query.name} with ${outcome.reply.rcode}, so this could not be checked.`
      : `${query.type} ${query.name} failed at ${formatServer(query.server)}: ${outcome.error.message}.`,
    evidence: outcome.ok ? { ...evidence, rcode: outcome.reply.rcode } : { ...evidence, error: outcome.error.code },
    remedy: 'Re-run the check; if it persists, the zone or the server has a problem of its own.',
    ref: 'RFC 1035 §4.1.1',
  });
}

export function describeQuery(query: DnsQuery): string {
  return `${query.type} ${query.name} @${formatServer(query.server)} over ${query.transport.toUpperCase()}${query.edns ? ` with EDNS ${query.edns.udpSize}` : ' without EDNS'}`;
}
