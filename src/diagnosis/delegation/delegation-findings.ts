import { digCommand } from '../dig-command.js';
import type { DnsQuery } from '../dns-port.js';
import type { Authority } from '../domain-facts.js';
import { finding, type Finding } from '../finding.js';
import { failureWord, type NameserverHealth } from './nameserver-health.js';

const label = (s: { host: string; address: string }): string => `${s.host} (${s.address})`;

/** What the walk itself showed: a name the parent does not delegate, a parent that does not answer, or a root we cannot reach. */
export function delegationFindings(domain: string, authority: Authority): Finding[] {
  const { delegation } = authority;
  const findings: Finding[] = [];
  if (!delegation.ok) {
    const asked = delegation.outcomes.map((o) => (o.ok ? o.reply.query : o.query));
    if (delegation.reason === 'nxdomain') {
      findings.push(
        finding({
          id: 'dns.not-delegated',
          status: 'fail',
          subject: domain,
          summary: `The servers of ${zoneName(delegation.zone)} say ${domain} does not exist (NXDOMAIN): it is not registered or its delegation was removed, so no mail can reach it.`,
          evidence: { zone: zoneName(delegation.zone), path: [...delegation.path], dig: asked.map(digCommand) },
          remedy: `Check the registration of ${domain} and the NS records at the registrar.`,
          ref: 'RFC 1034 §4.3.2',
        }),
      );
    } else if (delegation.reason === 'level') {
      findings.push(
        finding({
          id: 'dns.parent-unreachable',
          status: 'error',
          subject: domain,
          summary: `No server of ${zoneName(delegation.zone)} gave a usable answer, so the delegation of ${domain} could not be read from its parent.`,
          evidence: {
            zone: zoneName(delegation.zone),
            path: [...delegation.path],
            answers: delegation.outcomes.map(failureWord),
            dig: asked.map(digCommand),
          },
          remedy: 'Re-run the check; if it persists, the parent zone has a problem of its own.',
          ref: 'RFC 1034 §5.3.3',
        }),
      );
    } else if (authority.source === 'resolver') {
      findings.push(
        finding({
          id: 'dns.root-unreachable',
          status: 'info',
          subject: domain,
          summary: `No root server answered from here, so the nameservers of ${domain} were found through our resolver, not read from the parent's delegation.`,
          evidence: { answers: delegation.outcomes.map(failureWord), dig: asked.slice(0, 2).map(digCommand) },
          remedy:
            'Allow outbound DNS (UDP and TCP port 53) from mxops, or point MXOPS_ROOT_HINTS at root servers it can reach.',
          ref: 'RFC 1034 §5.3.3',
        }),
      );
    }
  }
  if (authority.nsHosts.length === 0 && (delegation.ok || authority.source === 'resolver')) {
    findings.push(
      finding({
        id: 'dns.no-nameservers',
        status: 'fail',
        subject: domain,
        summary: `No NS records were found for ${domain} or an enclosing zone, so its authoritative servers could not be checked.`,
        evidence: { zone: authority.zone, rcode: authority.nsOutcome?.ok ? authority.nsOutcome.reply.rcode : null },
        remedy: 'Check that the domain is registered and delegated to working nameservers.',
        ref: 'RFC 1034 §4.2.1',
      }),
    );
  }
  if (authority.nsHosts.length === 1) {
    findings.push(
      finding({
        id: 'dns.single-nameserver',
        status: 'warn',
        subject: authority.zone,
        summary: `${authority.zone} has a single nameserver (${authority.nsHosts[0]}): when it is down or unreachable, nobody can resolve the domain and mail is deferred.`,
        evidence: { nameservers: [...authority.nsHosts] },
        remedy: 'Add at least one more nameserver, on another network, and list it at the zone and at the registrar.',
        ref: 'RFC 1034 §4.1; RFC 2182 §5',
      }),
    );
  }
  if (authority.ipv6NotAsked.length > 0) {
    findings.push(
      finding({
        id: 'dns.ipv6-not-tested',
        status: 'info',
        subject: authority.zone,
        summary: `${authority.ipv6NotAsked.length} IPv6 nameserver address${authority.ipv6NotAsked.length === 1 ? '' : 'es'} of ${authority.zone} ${authority.ipv6NotAsked.length === 1 ? 'was' : 'were'} not asked: mxops asks nameservers over IPv4 only for now, so nothing is known about ${authority.ipv6NotAsked.map(label).join(', ')}.`,
        evidence: { addresses: authority.ipv6NotAsked.map(label) },
        ref: 'RFC 3901',
      }),
    );
  }
  for (const held of authority.notPublic) {
    findings.push(
      finding({
        id: 'dns.nameserver-not-public',
        status: 'error',
        subject: label(held),
        summary: `${label(held)} is listed as a nameserver of ${authority.zone}, but ${held.address} is a ${held.range} address, so it was not asked (no one on the internet can reach it either).`,
        evidence: { server: label(held), range: held.range, zone: authority.zone },
        remedy: `Give ${held.host} a public address (the glue at the parent and the A record), or remove it from the NS records. MXOPS_ALLOW_PRIVATE_TARGETS=true or --allow-private asks such addresses (test beds, internal DNS).`,
        ref: 'RFC 6890',
      }),
    );
  }
  return findings;
}

/**
 * Dead and lame servers. With none of them answering for the zone, no resolver can look the domain
 * up: every sender defers, then bounces. With some answering, resolvers retry the others (slower).
 */
export function reachabilityFindings(
  domain: string,
  authority: Authority,
  health: readonly NameserverHealth[],
): Finding[] {
  const dead = health.filter((h) => h.state === 'unreachable');
  const lame = health.filter((h) => h.state === 'lame');
  const noneAnswers = health.length > 0 && dead.length + lame.length === health.length;
  const parent = authority.delegation.ok ? authority.delegation.referral?.parentZone : undefined;
  // The root's delegations are not the registrar's: under the root the parent is a TLD, named as such.
  const nsRecords = `the NS records in the zone and at ${parent && parent !== '.' ? `the parent zone ${parent} (through the registrar)` : 'the registrar'}`;
  const findings: Finding[] = [];
  if (dead.length > 0 && dead.length === health.length) {
    findings.push(
      finding({
        id: 'dns.nameservers-unreachable',
        status: 'fail',
        subject: authority.zone,
        summary: `No nameserver of ${authority.zone} answers: ${dead.map((h) => `${label(h.server)} ${deadHow(h)}`).join('; ')}. No resolver can look up ${domain}, so every sender defers mail and bounces it when its retry time runs out.`,
        evidence: { zone: authority.zone, servers: dead.map(deadEvidence), dig: dead.flatMap(digs) },
        remedy: `Bring the nameservers back, or move the zone to servers that answer and update ${nsRecords}.`,
        ref: 'RFC 1034 §4.2; RFC 5321 §4.5.4.1',
      }),
    );
  } else {
    for (const h of dead) {
      findings.push(
        finding({
          id: 'dns.nameserver-unreachable',
          status: 'warn',
          subject: label(h.server),
          summary: `${label(h.server)} is a nameserver of ${authority.zone} but does not answer (${deadHow(h)}); resolvers fall back to the others, after a time-out.`,
          evidence: { ...deadEvidence(h), dig: digs(h) },
          remedy: `Bring ${h.server.host} back, or remove it from ${nsRecords}.`,
          ref: 'RFC 1034 §4.2; RFC 2182 §3',
        }),
      );
    }
  }
  for (const h of lame) {
    const reply = h.reply;
    const answer = reply ? `${reply.rcode}${reply.flags.aa ? '' : ', AA not set'}` : 'no answer';
    findings.push(
      finding({
        id: 'dns.lame-delegation',
        status: noneAnswers ? 'fail' : 'warn',
        subject: label(h.server),
        summary: noneAnswers
          ? `${label(h.server)} is delegated ${authority.zone} but does not answer for it authoritatively (${answer}), and no other nameserver does: no resolver can look up ${domain}, so every sender defers, then bounces.`
          : `${label(h.server)} is listed as a nameserver of ${authority.zone} but does not answer for it authoritatively (${answer}); resolvers that ask it first get an error and retry elsewhere.`,
        evidence: {
          server: label(h.server),
          zone: authority.zone,
          rcode: reply?.rcode ?? null,
          aa: reply?.flags.aa ?? false,
          dig: reply ? digCommand(reply.query) : digs(h),
        },
        remedy: `Load the zone ${authority.zone} on ${h.server.host}, or remove ${h.server.host} from ${nsRecords}.`,
        ref: 'RFC 1912 §2.8',
      }),
    );
  }
  return findings;
}

/** "timed out over UDP and TCP", "UDP timed out, TCP connection refused". */
function deadHow(h: NameserverHealth): string {
  const udp = failureWord(h.udp);
  const tcp = failureWord(h.tcp);
  return udp === tcp ? `${udp} over UDP and TCP` : `UDP ${udp}, TCP ${tcp}`;
}

function deadEvidence(h: NameserverHealth) {
  return { server: label(h.server), udp: failureWord(h.udp), edns: failureWord(h.edns), tcp: failureWord(h.tcp) };
}

function digs(h: NameserverHealth): string[] {
  return [h.udp, h.tcp].map((o): DnsQuery => (o.ok ? o.reply.query : o.query)).map(digCommand);
}

function zoneName(zone: string): string {
  return zone === '.' ? 'the root' : zone;
}
