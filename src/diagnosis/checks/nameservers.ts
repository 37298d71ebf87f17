import type { Check, CheckContext } from '../check.js';
import { digCommand } from '../dig-command.js';
import { FLAG_DAY_UDP_SIZE, type QueryOutcome } from '../dns-lookups.js';
import type { AuthoritativeServer } from '../domain-facts.js';
import { sameName } from '../domain-name.js';
import { finding, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';

/** Rcodes with which a delegated server admits it does not serve the zone. */
const LAME_RCODES = new Set(['REFUSED', 'SERVFAIL', 'NOTAUTH', 'NOTIMP']);

interface ServerView {
  readonly server: AuthoritativeServer;
  readonly soa: QueryOutcome;
  readonly mx: QueryOutcome;
}

/** The delegation: NS hosts that resolve, servers that answer authoritatively, and agree with each other. */
export const nameserversCheck: Check = {
  name: 'nameservers',
  async run({ domain, facts, dns }: CheckContext): Promise<Finding[]> {
    const authority = await facts.authority(domain);
    const failed = inconclusive(authority.nsOutcome, domain);
    if (failed) return [failed];
    const findings: Finding[] = [];
    if (authority.nsHosts.length === 0) {
      return [
        finding({
          id: 'dns.no-nameservers',
          status: 'fail',
          subject: domain,
          summary: `No NS records were found for ${domain} or an enclosing zone, so its authoritative servers could not be checked.`,
          evidence: { zone: authority.zone, rcode: authority.nsOutcome.ok ? authority.nsOutcome.reply.rcode : null },
          remedy: 'Check that the domain is registered and delegated to working nameservers.',
          ref: 'RFC 1034 §4.2.1',
        }),
      ];
    }
    for (const host of authority.undeterminedHosts) findings.push(...[inconclusive(host.a, host.host)].filter((f): f is Finding => f !== undefined));
    if (authority.unresolvedHosts.length > 0) {
      findings.push(
        finding({
          id: 'dns.ns-unresolvable',
          status: authority.servers.length === 0 && authority.undeterminedHosts.length === 0 ? 'fail' : 'warn',
          subject: authority.zone,
          summary: `${authority.unresolvedHosts.length} of ${authority.nsHosts.length} nameservers of ${authority.zone} have no IPv4 address, so resolvers cannot ask them.`,
          evidence: { unresolved: [...authority.unresolvedHosts], nameservers: [...authority.nsHosts] },
          remedy: 'Publish A records for every NS host, or remove NS records that name hosts without addresses (at the registry too).',
          ref: 'RFC 1034 §4.2.2',
        }),
      );
    }
    const views = await Promise.all(
      authority.servers.map(async (server): Promise<ServerView> => {
        const base = { server: server.server, name: authority.zone, recursionDesired: false } as const;
        const [soa, mx] = await Promise.all([
          dns.query({ ...base, type: 'SOA', transport: 'udp', edns: false }),
          // The same query the size probe sends with EDNS, so it is asked only once.
          dns.query({ ...base, name: domain, type: 'MX', transport: 'udp', edns: { udpSize: FLAG_DAY_UDP_SIZE } }),
        ]);
        return { server, soa, mx };
      }),
    );
    const answering: ServerView[] = [];
    for (const view of views) {
      const label = `${view.server.host} (${view.server.address})`;
      const unanswered = inconclusive(view.soa, label);
      if (!view.soa.ok) {
        if (unanswered) findings.push(unanswered);
        continue;
      }
      const reply = view.soa.reply;
      const soa = reply.answers.find((r) => r.type === 'SOA');
      if (LAME_RCODES.has(reply.rcode) || !reply.flags.aa || !soa || !sameName(soa.name, authority.zone)) {
        findings.push(
          finding({
            id: 'dns.lame-delegation',
            status: 'fail',
            subject: label,
            summary: `${label} is listed as a nameserver of ${authority.zone} but does not answer for it authoritatively (${reply.rcode}${reply.flags.aa ? '' : ', AA not set'}).`,
            evidence: { server: label, zone: authority.zone, rcode: reply.rcode, aa: reply.flags.aa, dig: digCommand(reply.query) },
            remedy: `Load the zone ${authority.zone} on ${view.server.host}, or remove ${view.server.host} from the NS records at the zone and at the registry.`,
            ref: 'RFC 1912 §2.8',
          }),
        );
        continue;
      }
      answering.push(view);
    }
    findings.push(...compareServers(domain, authority.zone, answering));
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

function compareServers(domain: string, zone: string, views: readonly ServerView[]): Finding[] {
  const serials = new Map<string, string[]>();
  const mxSets = new Map<string, string[]>();
  for (const view of views) {
    const label = `${view.server.host} (${view.server.address})`;
    const soa = view.soa.ok ? view.soa.reply.answers.find((r) => r.type === 'SOA') : undefined;
    if (soa?.type === 'SOA') serials.set(String(soa.serial), [...(serials.get(String(soa.serial)) ?? []), label]);
    if (view.mx.ok && view.mx.reply.rcode === 'NOERROR' && !view.mx.reply.flags.tc) {
      const set = view.mx.reply.answers
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
      remedy: 'Check zone transfers (NOTIFY, AXFR/IXFR allowed from the primary) and that every server loads the same zone version.',
      ref: 'RFC 1996; RFC 1034 §4.3.5',
    }),
  ];
}
