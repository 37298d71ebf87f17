import type { Check, CheckContext } from '../check.js';
import { delegationFindings, reachabilityFindings } from '../delegation/delegation-findings.js';
import type { NameserverHealth } from '../delegation/nameserver-health.js';
import { parentChildFindings } from '../delegation/parent-child.js';
import { FLAG_DAY_UDP_SIZE, type QueryOutcome } from '../dns-lookups.js';
import { finding, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';

/**
 * The delegation (DOMAIN.md §2b): what the parent hands out, whether each delegated address
 * answers for the zone with authority, and whether they agree with the parent and each other.
 */
export const nameserversCheck: Check = {
  name: 'nameservers',
  async run({ domain, facts, dns }: CheckContext): Promise<Finding[]> {
    const authority = await facts.authority(domain);
    const findings: Finding[] = [];
    if (authority.nsOutcome) {
      const failed = inconclusive(authority.nsOutcome, domain);
      if (failed) return [failed];
    }
    findings.push(...delegationFindings(domain, authority));
    if (authority.nsHosts.length === 0) return findings;
    for (const host of authority.undeterminedHosts)
      findings.push(...[inconclusive(host.a, host.host)].filter((f): f is Finding => f !== undefined));
    if (authority.unresolvedHosts.length > 0) {
      findings.push(
        finding({
          id: 'dns.ns-unresolvable',
          status: authority.servers.length === 0 && authority.undeterminedHosts.length === 0 ? 'fail' : 'warn',
          subject: authority.zone,
          summary: `${authority.unresolvedHosts.length} of ${authority.nsHosts.length} nameservers of ${authority.zone} have no IPv4 address, so resolvers cannot ask them.`,
          evidence: { unresolved: [...authority.unresolvedHosts], nameservers: [...authority.nsHosts] },
          remedy:
            'Publish A records for every NS host, or remove NS records that name hosts without addresses (at the registry too).',
          ref: 'RFC 1034 §4.2.2',
        }),
      );
    }
    const health = await Promise.all(authority.servers.map((server) => facts.nameserverHealth(authority.zone, server)));
    findings.push(...reachabilityFindings(domain, authority, health));
    const answering = health.filter((h) => h.state === 'authoritative');
    const views = await Promise.all(
      answering.map(async (h) => ({
        health: h,
        // The same query the size probe sends with EDNS, so it is asked only once.
        mx: await dns.query({
          server: h.server.server,
          name: domain,
          type: 'MX',
          transport: 'udp',
          edns: { udpSize: FLAG_DAY_UDP_SIZE },
          recursionDesired: false,
        }),
      })),
    );
    findings.push(
      ...compareServers(domain, authority.zone, views),
      ...(await parentChildFindings(facts, authority, answering)),
    );
    if (!findings.some((f) => f.status !== 'pass' && f.status !== 'info')) {
      findings.push(
        finding({
          id: 'dns.nameservers-ok',
          status: 'pass',
          subject: authority.zone,
          summary: `All ${authority.servers.length} nameserver addresses of ${authority.zone} answer authoritatively and agree on the SOA serial and the MX set.`,
          evidence: { nameservers: authority.servers.map((s) => `${s.host} (${s.address})`) },
        }),
      );
    }
    return findings;
  },
};

function compareServers(
  domain: string,
  zone: string,
  views: readonly { health: NameserverHealth; mx: QueryOutcome }[],
): Finding[] {
  const serials = new Map<string, string[]>();
  const mxSets = new Map<string, string[]>();
  for (const { health, mx } of views) {
    const label = `${health.server.host} (${health.server.address})`;
    const soa = health.reply?.answers.find((r) => r.type === 'SOA');
    if (soa?.type === 'SOA') serials.set(String(soa.serial), [...(serials.get(String(soa.serial)) ?? []), label]);
    if (mx.ok && mx.reply.rcode === 'NOERROR' && !mx.reply.flags.tc) {
      const set = mx.reply.answers
        .flatMap((r) => (r.type === 'MX' ? [`${r.preference} ${r.exchange.toLowerCase()}`] : []))
        .sort()
        .join(', ');
      mxSets.set(set, [...(mxSets.get(set) ?? []), label]);
    }
  }
  if (serials.size <= 1 && mxSets.size <= 1) return [];
  return [
    finding({
      id: 'dns.ns-inconsistent',
      status: 'warn',
      subject: zone,
      summary:
        mxSets.size > 1
          ? `The nameservers of ${zone} give different MX sets for ${domain}, so senders get different answers depending on which server their resolver asks.`
          : `The nameservers of ${zone} serve different SOA serials: a secondary is not in sync (or a change is still propagating).`,
      evidence: { serials: Object.fromEntries(serials), mxSets: Object.fromEntries(mxSets) },
      remedy:
        'Check zone transfers (NOTIFY, AXFR/IXFR allowed from the primary) and that every server loads the same zone version.',
      ref: 'RFC 1996; RFC 1034 §4.3.5',
    }),
  ];
}
