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
 * Whose answers a lookup failure leaves out, as the prefix of its id. 'dns' (the default) for the
 * lookups every sender depends on (MX, the MX hosts' addresses, the nameservers): a failure there
 * leaves every sender's verdict undecided (senders.ts). A check whose records only some senders
 * read (MTA-STS, TLSA: the SMTP families) or none needs to deliver (reverse DNS, SPF, DMARC,
 * TLS-RPT) names itself, so its failure leaves undecided only the senders that read them.
 */
export type LookupScope = 'dns' | 'ptr' | 'spf' | 'dmarc' | 'tlsrpt' | 'mtasts' | 'dane';

/** The ids a lookup failure takes, in any scope. */
export const LOOKUP_FAILURE_ID = /^[a-z]+\.(timeout|lookup-failed)$/;

/**
 * The finding for a query that settled nothing, or undefined when the outcome is a real answer
 * (NOERROR or NXDOMAIN). A time-out is `<scope>.timeout`; any other failure is
 * `<scope>.lookup-failed`. Both are `error`: never evidence that something is absent or broken.
 * A REFUSED from our own resolver (a recursive query) is marked `refusedBy: 'our-resolver'`:
 * a resolver that will not answer us is ours to fix (problems.ts).
 */
export function inconclusive(outcome: QueryOutcome, subject: string, scope: LookupScope = 'dns'): Finding | undefined {
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
      id: `${scope}.timeout`,
      status: 'error',
      subject,
      summary: `${formatServer(query.server)} did not answer ${query.type} ${query.name} in time, so this could not be checked.`,
      evidence: { ...evidence, error: outcome.error.message },
      remedy: `Check that the server is up and reachable on port ${query.server.port} (UDP and TCP); if it is only slow, re-run with a longer --timeout.`,
      ref: 'RFC 1035 §4.2.1',
    });
  }
  if (outcome.ok && outcome.reply.rcode === 'REFUSED' && query.recursionDesired !== false) {
    return finding({
      id: `${scope}.lookup-failed`,
      status: 'error',
      subject,
      summary: `Our resolver ${formatServer(query.server)} refused to answer ${query.type} ${query.name} (REFUSED), so this could not be checked.`,
      evidence: { ...evidence, rcode: 'REFUSED', refusedBy: 'our-resolver' },
      remedy:
        'Nothing for the partner to do: our resolver will not answer this question (its access list, or it is not a recursive resolver for this name). Point mxops at a resolver that answers it (MXOPS_RESOLVER, or --resolver for one check).',
      ref: 'RFC 1035 §4.1.1',
    });
  }
  return finding({
    id: `${scope}.lookup-failed`,
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
