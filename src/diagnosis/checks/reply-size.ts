import type { Check, CheckContext } from '../check.js';
import { digCommand } from '../dig-command.js';
import { FLAG_DAY_UDP_SIZE } from '../dns-lookups.js';
import { formatServer, type QueryType } from '../dns-port.js';
import type { Authority } from '../domain-facts.js';
import { finding, type Evidence, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';
import type { DnsReply } from '../dns-port.js';
import {
  CLASSIC_UDP_LIMIT,
  classicTruncated,
  ednsTruncated,
  fullReply,
  probeSizes,
  resolverReply,
  tcpFailed,
  type SizeProbe,
} from '../size-probe.js';

/**
 * The founding failure (DOMAIN.md §1): the queries a qmail-family sender makes (ANY and MX for the
 * domain, A for each MX host) asked of every authoritative server the way legacy and modern senders
 * ask, measuring where the answer section ends, the reply size, truncation and TCP fallback.
 */
export const replySizeCheck: Check = {
  name: 'reply-size',
  async run(context: CheckContext): Promise<Finding[]> {
    const [probes, throughResolver] = await Promise.all([runProbes(context), resolverReplies(context)]);
    const findings = probes.flatMap((probe) => judgeProbe(probe, throughResolver.get(`${probe.type} ${probe.name}`)));
    findings.push(...judgeTcp(probes));
    if (probes.length > 0 && !findings.some((f) => f.status !== 'pass' && f.status !== 'info')) {
      findings.push(
        finding({
          id: 'dns.reply-sizes-ok',
          status: 'pass',
          subject: context.domain,
          summary: `Every ANY, MX and MX-host A answer fits in ${CLASSIC_UDP_LIMIT} bytes at all ${new Set(probes.map((p) => p.server.address)).size} authoritative servers, and TCP works.`,
          evidence: { measurements: probes.map(measurement) },
        }),
      );
    }
    return findings;
  },
};

/**
 * Every probe of a server that answers for its zone. A dead or lame server's time-outs are the
 * nameservers check's to report (once, by name), not one "could not tell" per query here.
 */
async function runProbes({ domain, facts, dns }: CheckContext): Promise<SizeProbe[]> {
  const probeAll = async (authority: Authority, name: string, type: QueryType): Promise<SizeProbe[]> => {
    const probed = await Promise.all(
      authority.servers.map(async (server) => {
        const [probe, health] = await Promise.all([
          probeSizes(dns, server, name, type),
          facts.nameserverHealth(authority.zone, server),
        ]);
        return health.state === 'authoritative' ? [probe] : [];
      }),
    );
    return probed.flat();
  };
  // The domain's probes and the MX hosts' probes each start as soon as what they need is known.
  const domainProbes = facts
    .authority(domain)
    .then((authority) => Promise.all([probeAll(authority, domain, 'ANY'), probeAll(authority, domain, 'MX')]));
  const hostProbes = facts.mx().then(async ({ records }) => {
    const hosts = records.length === 0 ? [] : (await facts.mxHosts()).hosts.map((r) => r.exchange);
    return Promise.all(hosts.map(async (host) => probeAll(await facts.authority(host), host, 'A')));
  });
  const groups = await Promise.all([domainProbes, hostProbes]);
  return groups.flat(2);
}

/** The domain's ANY and MX replies as our resolver gives them, by "TYPE name": the figures `dig` shows an admin. */
async function resolverReplies({
  domain,
  dns,
}: CheckContext): Promise<Map<string, { readonly reply: DnsReply; readonly dig: string }>> {
  const asked = await Promise.all(
    (['ANY', 'MX'] as const).map(async (type) => {
      const reply = await resolverReply(dns, domain, type);
      return reply ? ([`${type} ${domain}`, { reply, dig: digCommand(reply.query) }] as const) : undefined;
    }),
  );
  return new Map(asked.filter((entry) => entry !== undefined));
}

function serverLabel(probe: SizeProbe): string {
  return `${probe.server.host} (${probe.server.address})`;
}

function measurement(probe: SizeProbe) {
  const full = fullReply(probe);
  return {
    server: serverLabel(probe),
    qtype: probe.type,
    qname: probe.name,
    classicSize: probe.classic.ok ? probe.classic.reply.size : null,
    tc: classicTruncated(probe),
    ednsTc: ednsTruncated(probe),
    size: full?.size ?? null,
    answerEnd: full?.answerEnd ?? null,
  };
}

function judgeProbe(
  probe: SizeProbe,
  throughResolver: { readonly reply: DnsReply; readonly dig: string } | undefined,
): Finding[] {
  const subject = `${probe.type} ${probe.name} at ${serverLabel(probe)}`;
  const failed = inconclusive(probe.classic, subject);
  if (failed) return [failed];
  const full = fullReply(probe);
  const resolverFacts: Evidence = throughResolver
    ? {
        resolver: formatServer(throughResolver.reply.query.server),
        resolverSize: throughResolver.reply.size,
        resolverAnswerEnd: throughResolver.reply.answerEnd,
      }
    : {};
  // The resolver's figure is reproduced with its own command, after the authoritative server's.
  const viaResolver = throughResolver ? [throughResolver.dig] : [];
  const facts = { ...measurement(probe), ...resolverFacts };
  const classicQuery = probe.classic.ok ? probe.classic.reply.query : probe.classic.query;
  const tcpQuery = probe.tcp.ok ? probe.tcp.reply.query : probe.tcp.query;
  const findings: Finding[] = [];

  if (full && full.answerEnd > CLASSIC_UDP_LIMIT) {
    findings.push(
      finding({
        id: 'dns.answer-over-512',
        status: 'fail',
        subject,
        summary: `The ${probe.type} answer for ${probe.name} ends at byte ${full.answerEnd}, past the ${CLASSIC_UDP_LIMIT} bytes a qmail-family sender reads, so those senders defer the mail and bounce it after a week.`,
        evidence: { ...facts, dig: [digCommand(classicQuery), digCommand(tcpQuery), ...viaResolver] },
        remedy:
          probe.type === 'ANY'
            ? `Answer ANY queries minimally (RFC 8482), or shrink the RRsets at ${probe.name} (TXT verification tokens that are no longer needed); the sender should apply the oversize-DNS patch or move to notqmail 1.09+.`
            : `Shorten the ${probe.type} RRset of ${probe.name} (fewer or shorter ${probe.type === 'MX' ? 'MX host names' : 'addresses'}) below ${CLASSIC_UDP_LIMIT} bytes; the sender should apply the oversize-DNS patch or move to notqmail 1.09+.`,
        ref: 'RFC 1035 §4.2.1; qmail 1.03 dns.c',
      }),
    );
  }
  if (classicTruncated(probe)) {
    findings.push(
      finding({
        id: 'dns.truncated',
        status: 'warn',
        subject,
        summary: full
          ? `Asked without EDNS, the ${full.size}-byte reply does not fit in ${CLASSIC_UDP_LIMIT} bytes and comes back truncated (TC); a resolver without EDNS must retry over TCP.`
          : `Asked without EDNS, the reply comes back truncated (TC), and neither TCP nor EDNS delivered it whole.`,
        evidence: { ...facts, dig: [digCommand(classicQuery)] },
        remedy: 'Keep TCP/53 open at every authoritative server (RFC 7766) and keep answers small enough for UDP.',
        ref: 'RFC 1035 §4.2.1; RFC 7766 §5',
      }),
    );
  }
  if (full && full.size > FLAG_DAY_UDP_SIZE) {
    findings.push(
      finding({
        id: 'dns.reply-over-1232',
        status: 'warn',
        subject,
        summary: `The ${probe.type} reply for ${probe.name} is ${full.size} bytes, over the ${FLAG_DAY_UDP_SIZE}-byte EDNS size resolvers use since DNS Flag Day 2020, so every lookup needs TCP.`,
        evidence: {
          ...facts,
          dig: [digCommand(probe.flagDay.ok ? probe.flagDay.reply.query : probe.flagDay.query), ...viaResolver],
        },
        remedy: `Shrink the ${probe.type} RRset below ${FLAG_DAY_UDP_SIZE} bytes, and keep TCP/53 open.`,
        ref: 'https://www.dnsflagday.net/2020/; RFC 7766',
      }),
    );
  }
  return findings;
}

/** One finding per server whose TCP failed: a failure, if any reply from it needs TCP. */
function judgeTcp(probes: readonly SizeProbe[]): Finding[] {
  const byServer = new Map<string, SizeProbe[]>();
  for (const probe of probes)
    byServer.set(probe.server.address, [...(byServer.get(probe.server.address) ?? []), probe]);
  return [...byServer.values()].flatMap((serverProbes) => {
    const broken = serverProbes.filter(tcpFailed);
    const first = broken[0];
    if (!first || first.tcp.ok) return [];
    // TCP answered other queries in this run: these failures (each asked twice) are time-outs, not a dead TCP/53.
    if (serverProbes.some((p) => p.tcp.ok))
      return broken.flatMap((p) =>
        [inconclusive(p.tcp, `${p.type} ${p.name} at ${serverLabel(p)}`)].filter((f): f is Finding => f !== undefined),
      );
    const needTcp = serverProbes.filter((p) => classicTruncated(p) || ednsTruncated(p));
    const everyone = needTcp.some(ednsTruncated);
    return [
      finding({
        id: 'dns.tcp-unavailable',
        status: needTcp.length > 0 ? 'fail' : 'warn',
        subject: serverLabel(first),
        summary:
          needTcp.length > 0
            ? `${serverLabel(first)} does not answer over TCP/53, yet its ${needTcp.map((p) => `${p.type} ${p.name}`).join(', ')} replies need TCP: ${
                everyone
                  ? 'they do not fit in 1232 bytes even with EDNS, so every resolver gets a temporary failure'
                  : 'resolvers that send no EDNS get a temporary failure (resolvers with EDNS get the answer over UDP)'
              }.`
            : `${serverLabel(first)} does not answer over TCP/53; any answer that grows past the UDP size will fail.`,
        evidence: {
          server: serverLabel(first),
          error: first.tcp.error.code,
          detail: first.tcp.error.message,
          queriesNeedingTcp: needTcp.map((p) => `${p.type} ${p.name}`),
          dig: digCommand(first.tcp.query),
        },
        remedy:
          'Allow TCP/53 to every authoritative server in the firewall and the server configuration; RFC 7766 makes TCP support mandatory.',
        ref: 'RFC 7766 §5; RFC 5966',
      }),
    ];
  });
}
