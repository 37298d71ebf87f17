import type { Check, CheckContext } from '../check.js';
import { digCommand } from '../dig-command.js';
import { FLAG_DAY_UDP_SIZE, type DnsLookups, type QueryOutcome } from '../dns-lookups.js';
import type { EdnsSettings } from '../dns-port.js';
import type { AuthoritativeServer } from '../authoritative-server.js';
import { finding, type Finding } from '../finding.js';

/** An option code and a flag bit no server knows, which RFC 6891 §6.1.2 and §6.1.4 say to ignore. */
const UNKNOWN_OPTION_CODE = 100;
const UNKNOWN_FLAG = 0x0080;

interface EdnsProbe {
  readonly name: string;
  readonly edns: EdnsSettings;
  /** What a compliant server does, or undefined when it does. */
  judge(reply: Extract<QueryOutcome, { ok: true }>['reply']): string | undefined;
}

/** The DNS Flag Day 2019 compliance probes (https://www.dnsflagday.net/2019/), less the DNSSEC ones. */
const PROBES: readonly EdnsProbe[] = [
  {
    name: 'edns',
    edns: { udpSize: FLAG_DAY_UDP_SIZE },
    judge: (reply) =>
      reply.rcode !== 'NOERROR'
        ? `answers a plain EDNS query with ${reply.rcode}`
        : !reply.edns
          ? 'leaves the OPT record out of its EDNS replies'
          : undefined,
  },
  {
    name: 'edns version 1',
    edns: { udpSize: FLAG_DAY_UDP_SIZE, version: 1 },
    judge: (reply) =>
      reply.rcode !== 'BADVERS'
        ? `answers EDNS version 1 with ${reply.rcode} instead of BADVERS`
        : reply.edns?.version !== 0
          ? `answers BADVERS claiming EDNS version ${reply.edns?.version ?? 'none'} instead of 0`
          : undefined,
  },
  {
    name: 'unknown EDNS option',
    edns: { udpSize: FLAG_DAY_UDP_SIZE, optionCodes: [UNKNOWN_OPTION_CODE] },
    judge: (reply) =>
      reply.rcode !== 'NOERROR'
        ? `answers a query with an unknown EDNS option with ${reply.rcode}`
        : reply.edns?.optionCodes.includes(UNKNOWN_OPTION_CODE)
          ? 'echoes an unknown EDNS option back'
          : undefined,
  },
  {
    name: 'unknown EDNS flag',
    edns: { udpSize: FLAG_DAY_UDP_SIZE, flags: UNKNOWN_FLAG },
    judge: (reply) =>
      reply.rcode !== 'NOERROR'
        ? `answers a query with an unknown EDNS flag with ${reply.rcode}`
        : reply.edns && (reply.edns.flags & UNKNOWN_FLAG) !== 0
          ? 'echoes an unknown EDNS flag back'
          : undefined,
  },
];

export const ednsCheck: Check = {
  name: 'edns',
  async run({ domain, facts, dns }: CheckContext): Promise<Finding[]> {
    const authority = await facts.authority(domain);
    const perServer = await Promise.all(authority.servers.map((server) => probeServer(dns, authority.zone, server)));
    const probed = perServer.filter((result) => result !== 'not probed');
    const findings = withOthersAnswering(
      probed.filter((result): result is Finding => result !== 'compliant'),
      probed.length,
    );
    if (probed.length > 0 && findings.length === 0) {
      findings.push(
        finding({
          id: 'dns.edns-ok',
          status: 'pass',
          subject: authority.zone,
          summary: `All ${probed.length} nameserver addresses of ${authority.zone} that answered handle EDNS as RFC 6891 requires (plain, version 1, unknown option, unknown flag).`,
        }),
      );
    }
    return findings;
  },
};

/**
 * A server that drops EDNS queries looks dead to a resolver, which then asks the zone's other
 * servers (RFC 1035 §7.2): while one of them answers EDNS, lookups are slower, not failed, so the
 * finding is a warning. Only when none does is it a failure.
 */
function withOthersAnswering(findings: readonly Finding[], probed: number): Finding[] {
  const dropping = findings.filter((f) => f.evidence.dropsEdns === true).length;
  if (dropping === 0 || dropping === probed) return [...findings];
  return findings.map((f) =>
    f.evidence.dropsEdns === true
      ? finding({
          ...f,
          status: 'warn',
          summary: `${f.subject} answers plain queries but drops some EDNS queries: resolvers time out on it and ask another of the zone's nameservers, so lookups are slower; should the others fail, they fail too.`,
        })
      : f,
  );
}

/** The finding for a server that mishandles EDNS, or what else became of it. */
async function probeServer(
  dns: DnsLookups,
  zone: string,
  server: AuthoritativeServer,
): Promise<Finding | 'compliant' | 'not probed'> {
  const base = { server: server.server, name: zone, type: 'SOA', transport: 'udp', recursionDesired: false } as const;
  const [plain, ...outcomes] = await Promise.all([
    dns.query({ ...base, edns: false }),
    ...PROBES.map((probe) => dns.query({ ...base, edns: probe.edns })),
  ]);
  // A server that does not answer plain queries is the nameservers check's to report.
  if (!plain?.ok || plain.reply.rcode !== 'NOERROR') return 'not probed';
  const problems = PROBES.flatMap((probe, i) => {
    const outcome = outcomes[i];
    if (!outcome) return [];
    if (!outcome.ok)
      return [
        {
          probe: probe.name,
          problem: `does not answer (${outcome.error.code})`,
          dropped: true,
          dig: digCommand(outcome.query),
        },
      ];
    const problem = probe.judge(outcome.reply);
    return problem ? [{ probe: probe.name, problem, dropped: false, dig: digCommand(outcome.reply.query) }] : [];
  });
  if (problems.length === 0) return 'compliant';
  const label = `${server.host} (${server.address})`;
  const drops = problems.some((p) => p.dropped);
  return finding({
    id: 'dns.edns-noncompliant',
    status: drops ? 'fail' : 'warn',
    subject: label,
    summary: drops
      ? `${label} answers plain queries but drops some EDNS queries; since DNS Flag Day 2019 resolvers no longer work around that, so lookups time out.`
      : `${label} mishandles EDNS: it ${problems.map((p) => p.problem).join('; ')}.`,
    evidence: {
      server: label,
      dropsEdns: drops,
      problems: problems.map(({ probe, problem, dig }) => ({ probe, problem, dig })),
    },
    remedy:
      'Upgrade the nameserver software, and make sure no firewall or load balancer drops DNS packets that carry an OPT record.',
    ref: 'RFC 6891 §6-7; https://www.dnsflagday.net/2019/',
  });
}
