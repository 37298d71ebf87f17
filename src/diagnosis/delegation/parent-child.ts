import { digCommand } from '../dig-command.js';
import { FLAG_DAY_UDP_SIZE } from '../dns-lookups.js';
import type { Authority, DomainFacts } from '../domain-facts.js';
import type { DnsReply } from '../dns-port.js';
import { sameName } from '../domain-name.js';
import { finding, type Finding } from '../finding.js';
import type { NameserverHealth } from './nameserver-health.js';
import { isWithin } from './walk.js';

/**
 * Parent and child must tell the same story (RFC 1034 §4.2.2, RFC 2181 §5.4.1): resolvers start
 * from the parent's NS set and glue, then prefer the child's. Where they differ, some resolvers ask
 * servers the zone owner no longer looks after, or addresses that moved.
 */
export async function parentChildFindings(
  facts: DomainFacts,
  authority: Authority,
  answering: readonly NameserverHealth[],
): Promise<Finding[]> {
  const { dns } = facts;
  const referral = authority.delegation.ok ? authority.delegation.referral : undefined;
  const child = answering[0];
  if (!referral || !child) return [];
  const ask = (name: string, type: 'NS' | 'A') =>
    dns.query({
      server: child.server.server,
      name,
      type,
      transport: 'udp',
      edns: { udpSize: FLAG_DAY_UDP_SIZE },
      recursionDesired: false,
    });
  const childLabel = `${child.server.host} (${child.server.address})`;
  const parentLabel = `${referral.parentServer.host} (${referral.parentServer.address})`;
  const findings: Finding[] = [];

  const ns = await ask(authority.zone, 'NS');
  if (ns.ok && ns.reply.rcode === 'NOERROR' && ns.reply.flags.aa) {
    const childNs = [
      ...new Set(
        ns.reply.answers.flatMap((r) =>
          r.type === 'NS' && sameName(r.name, authority.zone) ? [r.value.toLowerCase()] : [],
        ),
      ),
    ].sort();
    const parentNs = [...referral.nsHosts].sort();
    const onlyParent = parentNs.filter((h) => !childNs.includes(h));
    const onlyChild = childNs.filter((h) => !parentNs.includes(h));
    if (childNs.length > 0 && onlyParent.length + onlyChild.length > 0) {
      // Resolvers that trust the zone's own NS set (RFC 2181 §5.4.1) ask these too: they must answer.
      const childOnly = await childOnlyHealth(facts, authority.zone, onlyChild, ns.reply);
      const failing = childOnly.filter((h) => h.state !== 'authoritative');
      const parentName = referral.parentZone === '.' ? 'the root' : referral.parentZone;
      findings.push(
        finding({
          id: 'dns.delegation-mismatch',
          status: 'warn',
          subject: authority.zone,
          summary:
            `The parent zone ${parentName} delegates ${authority.zone} to ${parentNs.join(', ')}, but the zone itself lists ${childNs.join(', ')}: resolvers start from the parent's set and many then use the zone's, so servers on one side only are asked by some resolvers and not others` +
            (failing.length > 0
              ? `, and ${failing.map((h) => `${h.server.host} (${h.server.address})`).join(', ')} ${failing.length === 1 ? 'does' : 'do'} not answer for the zone.`
              : '.'),
          evidence: {
            parent: parentLabel,
            parentNs,
            child: childLabel,
            childNs,
            onlyAtParent: onlyParent,
            onlyInZone: onlyChild,
            onlyInZoneAnswers: childOnly.map((h) => ({
              server: `${h.server.host} (${h.server.address})`,
              state: h.state,
            })),
            dig: [digCommand(referral.reply.query), digCommand(ns.reply.query)],
          },
          remedy: `Make the NS records at the registrar (the parent zone) and in ${authority.zone} the same set.`,
          ref: 'RFC 1034 §4.2.2; RFC 2181 §5.4.1',
        }),
      );
    }
  }

  // Glue matters only for NS hosts inside the zone: the parent has no other way to say where they are.
  const inZone = [
    ...new Set(
      referral.glue.filter((g) => !g.address.includes(':') && isWithin(g.host, authority.zone)).map((g) => g.host),
    ),
  ];
  const glueChecks = await Promise.all(
    inZone.map(async (host) => {
      const outcome = await ask(host, 'A');
      if (!outcome.ok || outcome.reply.rcode !== 'NOERROR' || !outcome.reply.flags.aa) return undefined;
      const inChild = outcome.reply.answers
        .flatMap((r) => (r.type === 'A' && sameName(r.name, host) ? [r.value] : []))
        .sort();
      const glued = referral.glue
        .filter((g) => sameName(g.host, host) && !g.address.includes(':'))
        .map((g) => g.address)
        .sort();
      return inChild.join(' ') === glued.join(' ')
        ? undefined
        : { host, glue: glued, zone: inChild, dig: digCommand(outcome.reply.query) };
    }),
  );
  for (const differs of glueChecks) {
    if (!differs) continue;
    findings.push(
      finding({
        id: 'dns.glue-mismatch',
        status: 'warn',
        subject: differs.host,
        summary: `The parent's glue says ${differs.host} is at ${differs.glue.join(', ')}, but ${authority.zone} says ${differs.zone.length > 0 ? differs.zone.join(', ') : 'it has no address'}: resolvers that use the glue ask the old address.`,
        evidence: {
          host: differs.host,
          glue: differs.glue,
          inZone: differs.zone,
          parent: parentLabel,
          dig: [digCommand(referral.reply.query), differs.dig],
        },
        remedy: `Update the glue (host record) for ${differs.host} at the registrar to match the A record in ${authority.zone}.`,
        ref: 'RFC 1034 §4.2.1; RFC 9471',
      }),
    );
  }
  return findings;
}

/** How the nameservers only the zone lists answer: their addresses from the NS answer, else looked up from their own zone. */
async function childOnlyHealth(
  facts: DomainFacts,
  zone: string,
  hosts: readonly string[],
  nsReply: DnsReply,
): Promise<NameserverHealth[]> {
  const servers = await Promise.all(
    hosts.map(async (host) => {
      const sent = nsReply.additionals.flatMap((r) => (r.type === 'A' && sameName(r.name, host) ? [r.value] : []));
      const addresses = sent.length > 0 ? sent : (await facts.walker.addresses(host)).ipv4;
      return addresses
        .filter((address) => facts.dns.heldBackRange(address) === undefined)
        .map((address) => ({ host, address, server: facts.dns.authoritative(address) }));
    }),
  );
  return Promise.all(servers.flat().map((server) => facts.nameserverHealth(zone, server)));
}
