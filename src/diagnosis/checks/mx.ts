import { nonPublicRange } from '../address-scope.js';
import type { Check, CheckContext } from '../check.js';
import type { HostAddresses, MxRecord } from '../domain-facts.js';
import { isIpAddress } from '../domain-name.js';
import { finding, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';
import { resolverFindings } from '../resolver-findings.js';

/** The MX set: none, null, mixed null, and per host CNAME targets, IP literals, resolution and address scope. */
export const mxCheck: Check = {
  name: 'mx',
  async run({ domain, facts, dns }: CheckContext): Promise<Finding[]> {
    const mxSet = await facts.mx();
    const { outcome, records } = mxSet;
    const ours = await resolverFindings(domain, mxSet, dns);
    const failed = inconclusive(outcome, domain);
    if (failed) {
      // Our resolver down: that finding says all there is. Their nameservers down: theirs does.
      if (ours.length > 0) return ours;
      return [(await nameserversExplain(facts, domain)) ? notChecked(domain, failed) : failed];
    }
    if (outcome.ok && outcome.reply.rcode === 'NXDOMAIN') {
      return [
        finding({
          id: 'mx.none',
          status: 'fail',
          subject: domain,
          summary: `${domain} does not exist in DNS (NXDOMAIN), so no mail can be delivered to it.`,
          evidence: { qtype: 'MX', rcode: 'NXDOMAIN' },
          remedy: `Check the spelling; if the domain is right, its zone is not published (is the delegation in place at the registry?).`,
          ref: 'RFC 5321 §5.1',
        }),
      ];
    }
    if (records.length === 0)
      return [...ours, ...checkImplicitMx(domain, await facts.addresses(domain), dns.settings.allowPrivateTargets)];

    const isNull = (r: MxRecord): boolean => r.exchange === '' || r.exchange === '.';
    const nulls = records.filter(isNull);
    const evidence = { records: records.map(formatMx) };
    if (nulls.length > 0 && nulls.length === records.length) {
      return [
        ...ours,
        finding({
          id: 'mx.null',
          status: 'warn',
          subject: domain,
          summary: `${domain} publishes a null MX: it declares that it accepts no mail at all.`,
          evidence,
          remedy: 'If this domain should receive mail, replace the null MX ("0 .") with the real mail servers.',
          ref: 'RFC 7505 §3',
        }),
      ];
    }
    const findings: Finding[] = [...ours];
    if (nulls.length > 0) {
      findings.push(
        finding({
          id: 'mx.null-mixed',
          status: 'fail',
          subject: domain,
          summary: `${domain} mixes a null MX with real MX records, which RFC 7505 forbids; senders may treat the domain as accepting no mail.`,
          evidence,
          remedy:
            'Remove the null MX record ("0 .") and keep the real mail servers, or remove those if the domain takes no mail.',
          ref: 'RFC 7505 §3',
        }),
      );
    }
    const named = records.filter((r) => !isNull(r)).sort((a, b) => a.preference - b.preference);
    const hosts = named.slice(0, facts.limits.maxHosts);
    if (named.length > hosts.length) findings.push(tooMany(domain, named.length, hosts.length));
    const perHost = await Promise.all(
      hosts.map(async (mx) =>
        checkHost(
          mx,
          isIpAddress(mx.exchange) ? undefined : await facts.addresses(mx.exchange),
          dns.settings.allowPrivateTargets,
        ),
      ),
    );
    findings.push(...perHost.flatMap((h) => h.findings));

    const unresolvable = perHost.filter((h) => h.unresolvable);
    if (unresolvable.length > 0) {
      const all = unresolvable.length === hosts.length;
      findings.push(
        finding({
          id: 'mx.unresolvable',
          status: all ? 'fail' : 'warn',
          subject: domain,
          summary: all
            ? `None of the MX hosts of ${domain} has an address, so no mail can be delivered.`
            : `${unresolvable.length} of ${hosts.length} MX hosts of ${domain} have no address; senders skip them after a wasted lookup.`,
          evidence: { hosts: unresolvable.map((h) => h.host) },
          remedy:
            'Publish A (and AAAA) records for every MX host, or remove the MX records that point at names without addresses.',
          ref: 'RFC 5321 §5.1',
        }),
      );
    }
    const ipv6Only = perHost.filter((h) => h.ipv6Only);
    if (ipv6Only.length > 0) {
      const all = ipv6Only.length === hosts.length;
      findings.push(
        finding({
          id: 'mx.ipv6-only',
          status: all ? 'fail' : 'warn',
          subject: domain,
          summary: all
            ? `Every MX host of ${domain} has only IPv6 addresses; senders that look up A records only (qmail) or have no IPv6 cannot deliver at all.`
            : `${ipv6Only.length} of ${hosts.length} MX hosts of ${domain} have only IPv6 addresses; IPv4-only senders skip them.`,
          evidence: { hosts: Object.fromEntries(ipv6Only.map((h) => [h.host, h.addresses])) },
          remedy: 'Give every MX host an A record, or list at least one MX host with an IPv4 address.',
          ref: 'RFC 5321 §5.1; qmail-remote.c (A lookups only)',
        }),
      );
    }
    // Our resolver's trouble is ours: it does not keep a sound MX set from passing.
    if (!findings.some((f) => f.status !== 'pass' && f.status !== 'info' && !ours.includes(f))) {
      findings.push(
        finding({
          id: 'mx.ok',
          status: 'pass',
          subject: domain,
          // Private addresses pass only when allowed (a test bed, internal mail): then "public" would be untrue.
          summary: `${hosts.length} MX host${hosts.length === 1 ? '' : 's'}, ${hosts.length === 1 ? 'with' : 'each with'} ${findings.some((f) => f.id === 'mx.private-address') ? 'an address' : 'a public address'}.`,
          evidence: {
            records: records.map(formatMx),
            addresses: Object.fromEntries(perHost.map((h) => [h.host, h.addresses])),
          },
        }),
      );
    }
    return findings;
  },
};

/** Whether the domain's nameservers are known not to answer for it: then an unanswered MX lookup is theirs, reported there. */
async function nameserversExplain(facts: CheckContext['facts'], domain: string): Promise<boolean> {
  const authority = await facts.authority(domain);
  if (authority.servers.length === 0) return false;
  const health = await Promise.all(authority.servers.map((server) => facts.nameserverHealth(authority.zone, server)));
  return health.every((h) => h.state !== 'authoritative');
}

function notChecked(domain: string, failed: Finding): Finding {
  return finding({
    id: 'mx.not-checked',
    status: 'skipped',
    subject: domain,
    summary: `The MX set of ${domain} could not be read: none of its nameservers answers for it (see the nameserver findings).`,
    evidence: failed.evidence,
    ref: 'RFC 5321 §5.1',
  });
}

/** Real MTAs bound their fan-out (Postfix smtp_mx_address_limit 5); so does the diagnosis (MXOPS_MAX_MX_HOSTS). */
function tooMany(domain: string, total: number, kept: number): Finding {
  return finding({
    id: 'mx.too-many',
    status: 'warn',
    subject: domain,
    summary: `${domain} has ${total} MX hosts; only the ${kept} most preferred were looked at (senders try a few at most: Postfix 5 addresses per delivery).`,
    evidence: { total, checked: kept },
    remedy:
      'Publish a handful of MX hosts; senders never reach the rest, and the answer grows past what old resolvers take.',
    ref: 'RFC 5321 §5.1; Postfix smtp_mx_address_limit',
  });
}

function formatMx(r: MxRecord): string {
  return `${r.preference} ${r.exchange || '.'}`;
}

interface HostResult {
  readonly host: string;
  readonly addresses: string[];
  readonly unresolvable: boolean;
  readonly ipv6Only: boolean;
  readonly findings: Finding[];
}

function checkHost(mx: MxRecord, resolved: HostAddresses | undefined, allowPrivate: boolean): HostResult {
  const host = mx.exchange;
  if (!resolved) {
    return {
      host,
      addresses: [],
      unresolvable: false,
      ipv6Only: false,
      findings: [
        finding({
          id: 'mx.ip-literal',
          status: 'fail',
          subject: host,
          summary: `The MX record "${formatMx(mx)}" names an IP address where a host name must be; Exim rejects it and Postfix skips it.`,
          evidence: { record: formatMx(mx) },
          remedy: `Give the server a name (e.g. mx1.<domain> with an A record for ${host}) and point the MX at that name.`,
          ref: 'RFC 5321 §5.1; RFC 1035 §3.3.9',
        }),
      ],
    };
  }
  const findings: Finding[] = [];
  for (const outcome of [resolved.a, resolved.aaaa]) {
    const failed = inconclusive(outcome, host);
    if (failed) findings.push(failed);
  }
  const aKnown = !inconclusive(resolved.a, host);
  const aaaaKnown = !inconclusive(resolved.aaaa, host);
  if (resolved.cnameTarget) {
    findings.push(
      finding({
        id: 'mx.cname-target',
        status: 'warn',
        subject: host,
        summary: `The MX host ${host} is an alias (CNAME to ${resolved.cnameTarget}); MX targets must be the canonical name, and strict senders refuse it.`,
        evidence: { record: formatMx(mx), cname: resolved.cnameTarget },
        remedy: `Point the MX record at ${resolved.cnameTarget} directly, or give ${host} its own A/AAAA records.`,
        ref: 'RFC 2181 §10.3; RFC 5321 §5.1',
      }),
    );
  }
  const addresses = [...resolved.ipv4, ...resolved.ipv6];
  const unresolvable = aKnown && aaaaKnown && addresses.length === 0;
  const ipv6Only = aKnown && resolved.ipv4.length === 0 && resolved.ipv6.length > 0;
  findings.push(...privateAddressFindings(host, addresses, formatMx(mx), allowPrivate));
  return { host, addresses, unresolvable, ipv6Only, findings };
}

function checkImplicitMx(domain: string, resolved: HostAddresses, allowPrivate: boolean): Finding[] {
  const addresses = [...resolved.ipv4, ...resolved.ipv6];
  const lookupFailures = [resolved.a, resolved.aaaa].flatMap((o) => inconclusive(o, domain) ?? []);
  if (addresses.length === 0 && lookupFailures.length > 0) return lookupFailures;
  const implicit = addresses.length > 0;
  return [
    finding({
      id: 'mx.none',
      status: implicit ? 'warn' : 'fail',
      subject: domain,
      summary: implicit
        ? `${domain} has no MX record; senders fall back to its own address (implicit MX), which is rarely a mail server.`
        : `${domain} has no MX record and no address, so no mail can be delivered to it.`,
      evidence: { qtype: 'MX', answers: 0, implicitMxAddresses: addresses },
      remedy: implicit
        ? `Publish an MX record naming the mail server of ${domain}, or a null MX ("0 .") if it takes no mail.`
        : `Publish an MX record naming the mail server of ${domain}.`,
      ref: 'RFC 5321 §5.1',
    }),
    ...lookupFailures,
    ...privateAddressFindings(domain, addresses, 'implicit MX', allowPrivate),
  ];
}

/**
 * A private, loopback or reserved address no sender on the internet can reach: a failure, except
 * where private targets are allowed (a test bed, an internal mail server), where it is the point.
 */
function privateAddressFindings(host: string, addresses: readonly string[], via: string, allowed: boolean): Finding[] {
  return addresses.flatMap((address) => {
    const range = nonPublicRange(address);
    if (!range) return [];
    return [
      finding({
        id: 'mx.private-address',
        status: allowed ? 'info' : 'fail',
        subject: host,
        summary: allowed
          ? `The mail host ${host} resolves to ${address}, a ${range} address: fine here (private targets are allowed), unreachable from the internet.`
          : `The mail host ${host} resolves to ${address}, a ${range} address that senders on the internet cannot reach.`,
        evidence: { via, address, range },
        remedy: allowed
          ? ''
          : `Publish the public address of ${host}; keep internal addresses in an internal view of the zone.`,
        ref: range === 'private' ? 'RFC 1918' : 'RFC 6890',
      }),
    ];
  });
}
