import ipaddr from 'ipaddr.js';
import type { Check, CheckContext } from '../check.js';
import { nonPublicRange } from '../address-scope.js';
import type { DnsLookups } from '../dns-lookups.js';
import { recordValues } from '../domain-facts.js';
import { finding, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';
import { txtRecords } from '../txt-records.js';

type Listing =
  | { readonly kind: 'clean' }
  | { readonly kind: 'listed'; readonly codes: readonly string[]; readonly reasons: readonly string[] }
  /** 127.255.255.0/24: the list answered with an error code about us, not about the address. */
  | { readonly kind: 'refused'; readonly codes: readonly string[] }
  /** An A record outside 127.0.0.0/8: a broken list, or a resolver that rewrites NXDOMAIN. */
  | { readonly kind: 'unexpected'; readonly codes: readonly string[] }
  | { readonly kind: 'undetermined'; readonly finding: Finding };

interface Probe {
  readonly host: string;
  readonly address: string;
  readonly zone: string;
  readonly name: string;
  readonly listing: Listing;
}

/**
 * DNSBL listings of the MX addresses (RFC 5782), in the zones the configuration names. Lists
 * track addresses that *send* spam, so a listed MX matters when the same host also relays the
 * partner's outgoing mail, as it often does at small organisations: their mail to us is then
 * refused, while mail to them is not affected. Only public IPv4 addresses are looked up.
 */
export const dnsblCheck: Check = {
  name: 'dnsbl',
  async run(context: CheckContext): Promise<Finding[]> {
    const zones = [
      ...new Set(
        (context.dnsblZones ?? [])
          .map((z) =>
            z
              .trim()
              .toLowerCase()
              .replace(/^\.+|\.+$/g, ''),
          )
          .filter((z) => z !== ''),
      ),
    ];
    if (zones.length === 0) return [];
    const servers = await context.facts.mailServers();
    // One lookup per address, named after its most preferred MX host.
    const hostOf = new Map<string, string>();
    for (const s of servers)
      if (
        ipaddr.IPv4.isValidFourPartDecimal(s.address) &&
        nonPublicRange(s.address) === undefined &&
        !hostOf.has(s.address)
      )
        hostOf.set(s.address, s.host);
    const targets = [...hostOf];
    if (targets.length === 0) return [];
    const probes = await Promise.all(
      targets.flatMap(([address, host]) =>
        zones.map(async (zone): Promise<Probe> => {
          const name = `${address.split('.').reverse().join('.')}.${zone}`;
          return { host, address, zone, name, listing: await lookUp(context.dns, name) };
        }),
      ),
    );
    const findings: Finding[] = [];
    for (const probe of probes) {
      if (probe.listing.kind === 'undetermined') findings.push(probe.listing.finding);
      if (probe.listing.kind === 'listed') findings.push(listed(probe, probe.listing));
    }
    for (const zone of zones) {
      const inZone = probes.filter((p) => p.zone === zone);
      const refused = inZone.filter((p) => p.listing.kind === 'refused');
      if (refused.length > 0) findings.push(refusedBy(context, zone, refused));
      const unexpected = inZone.filter((p) => p.listing.kind === 'unexpected');
      if (unexpected.length > 0) findings.push(unexpectedFrom(context, zone, unexpected));
    }
    const cleanZones = zones.filter((zone) => probes.every((p) => p.zone !== zone || p.listing.kind === 'clean'));
    if (!probes.some((p) => p.listing.kind === 'listed') && cleanZones.length > 0) {
      findings.push(
        finding({
          id: 'dnsbl.ok',
          status: 'pass',
          subject: context.domain,
          summary: `No MX address of ${context.domain} (${targets.map(([a]) => a).join(', ')}) is listed in ${cleanZones.join(', ')}.`,
          evidence: { addresses: targets.map(([address]) => address), zones: cleanZones },
          ref: 'RFC 5782 §2.1',
        }),
      );
    }
    return findings;
  },
};

async function lookUp(dns: DnsLookups, name: string): Promise<Listing> {
  const outcome = await dns.recursive(name, 'A');
  const failed = inconclusive(outcome, name);
  // A blocklist that does not answer says nothing about the partner's own DNS: its own id keeps it
  // from unsettling the DNS verdicts of the sender matrix.
  if (failed) {
    return {
      kind: 'undetermined',
      finding: finding({
        ...failed,
        id: 'dnsbl.lookup-failed',
        remedy:
          "Nothing for the partner to do: the blocklist could not be asked through our resolver. Blocklists such as Spamhaus refuse queries that come through large public resolvers; point mxops at a resolver of your own (MXOPS_RESOLVER), or look the addresses up on the blocklist's website.",
      }),
    };
  }
  if (!outcome.ok || outcome.reply.rcode === 'NXDOMAIN') return { kind: 'clean' };
  const codes = recordValues(outcome.reply.answers, 'A');
  if (codes.length === 0) return { kind: 'clean' };
  // Spamhaus answers 127.255.255.252-255 for queries it will not serve (public resolvers, too many queries).
  if (codes.some((c) => c.startsWith('127.255.255.'))) return { kind: 'refused', codes };
  if (!codes.every((c) => c.startsWith('127.'))) return { kind: 'unexpected', codes };
  // RFC 5782 §2.1: the TXT record at the same name says why, often with a lookup URL.
  const reasons = txtRecords(await dns.recursive(name, 'TXT'));
  return { kind: 'listed', codes, reasons };
}

function listed(probe: Probe, listing: Extract<Listing, { kind: 'listed' }>): Finding {
  return finding({
    id: 'dnsbl.listed',
    status: 'warn',
    subject: probe.address,
    summary: `MX address ${probe.address} (${probe.host}) is listed in ${probe.zone} (${listing.codes.join(', ')}): if this host also sends the domain's outgoing mail, receivers that use the list refuse it.`,
    evidence: {
      mxHost: probe.host,
      address: probe.address,
      zone: probe.zone,
      query: probe.name,
      codes: [...listing.codes],
      reasons: [...listing.reasons],
    },
    remedy: `Find out why on the list's own lookup page${listing.reasons.length > 0 ? ' (see the reason in the evidence)' : ''}, fix the cause (a compromised account, an open relay, a misconfigured sender), then request delisting from ${probe.zone}.`,
    ref: 'RFC 5782 §2.1',
  });
}

function refusedBy(context: CheckContext, zone: string, probes: readonly Probe[]): Finding {
  const codes = [...new Set(probes.flatMap((p) => (p.listing.kind === 'refused' ? p.listing.codes : [])))];
  return finding({
    id: 'dnsbl.refused',
    status: 'error',
    subject: zone,
    summary: `${zone} refused to answer through our resolver (${codes.join(', ')}), so listings there could not be checked.`,
    evidence: { zone, codes, resolver: context.dns.settings.resolver.host, addresses: probes.map((p) => p.address) },
    remedy: `Query ${zone} through a resolver of your own rather than a public one (Spamhaus blocks public resolvers), or use the list's keyed query service, and point mxops at it.`,
    ref: 'https://www.spamhaus.org/news/article/807/using-our-public-mirrors-check-your-return-codes-now',
  });
}

function unexpectedFrom(context: CheckContext, zone: string, probes: readonly Probe[]): Finding {
  const codes = [...new Set(probes.flatMap((p) => (p.listing.kind === 'unexpected' ? p.listing.codes : [])))];
  return finding({
    id: 'dnsbl.unexpected-answer',
    status: 'error',
    subject: zone,
    summary: `${zone} answered with addresses outside 127.0.0.0/8 (${codes.join(', ')}), which no DNSBL uses; the list is gone or the resolver rewrites answers, so its listings could not be checked.`,
    evidence: { zone, codes, resolver: context.dns.settings.resolver.host, addresses: probes.map((p) => p.address) },
    remedy: `Check that ${zone} still exists and that the resolver does not redirect NXDOMAIN answers; remove the zone from the configuration if the list has closed.`,
    ref: 'RFC 5782 §2.1',
  });
}
