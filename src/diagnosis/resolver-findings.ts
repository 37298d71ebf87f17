import { formatServer } from './dns-port.js';
import type { DnsLookups } from './dns-lookups.js';
import { settledNothing } from './lookup-failure.js';
import type { MxSet } from './domain-facts.js';
import { finding, type Finding } from './finding.js';
import { failureWord } from './delegation/nameserver-health.js';

/**
 * Our side, kept apart from theirs (DOMAIN.md §2b). When our resolver gives nothing for the MX
 * lookup, ask it for the root: if that fails too, the resolver is ours to fix and the partner is
 * not blamed. When it fails only for this domain while the domain's own servers answer, say so:
 * senders behind resolvers like ours may fail the same way (a validating resolver on a bogus zone).
 */
export async function resolverFindings(domain: string, mx: MxSet, dns: DnsLookups): Promise<Finding[]> {
  const failed = mx.resolverOutcome ?? (settledNothing(mx.outcome) ? mx.outcome : undefined);
  if (!failed) return [];
  const resolver = formatServer(dns.settings.resolver);
  if (!failed.ok) {
    const root = await dns.recursive('.', 'NS');
    if (settledNothing(root)) {
      return [
        finding({
          id: 'resolver.unreachable',
          status: 'error',
          subject: resolver,
          summary: `Our resolver ${resolver} does not answer (MX ${domain}: ${failureWord(failed)}; the root zone: ${failureWord(root)}): this is on our side, not ${domain}'s.${mx.resolverOutcome ? ` MX and address lookups were asked of ${domain}'s nameservers directly; the checks that need a resolver (SPF, DMARC, MTA-STS, TLS-RPT, DANE, reverse DNS) could not be done.` : ''}`,
          evidence: { resolver, mx: failureWord(failed), root: failureWord(root) },
          remedy: `Point mxops at a working resolver: MXOPS_RESOLVER=host[:port], or --resolver for one check; check that this host may send DNS queries to it (UDP and TCP port ${dns.settings.resolver.port}).`,
          ref: 'RFC 1034 §5.3.1',
        }),
      ];
    }
  }
  if (!mx.resolverOutcome) return [];
  return [
    finding({
      id: 'resolver.lookup-failed',
      status: 'error',
      subject: domain,
      summary: `Our resolver ${resolver} gave no answer for MX ${domain} (${failureWord(failed)}), yet ${domain}'s own nameservers answer: resolvers like ours (a validating one, if the zone's DNSSEC is broken) fail the same way for senders behind them; the report uses the nameservers' answers.`,
      evidence: { resolver, answer: failureWord(failed) },
      remedy: `Ask the resolver why (dig MX ${domain} @${dns.settings.resolver.host}); if it validates DNSSEC, check the zone's signatures and the DS at the parent (delv MX ${domain}).`,
      ref: 'RFC 4035 §5.5',
    }),
  ];
}
