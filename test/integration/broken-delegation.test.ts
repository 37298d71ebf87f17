/**
 * diagnose() against a delegation that is broken at the partner's side (DOMAIN.md §2b), over real
 * sockets on loopback: a parent server for the zone `test` stands in for the root (the root hint),
 * delegates each partner domain with glue, and the partner's own servers answer, lamely, or not at
 * all. The recursive resolvers know every zone, as a working resolver would, except where a case
 * needs them to fail for the broken zone (as a real one does when the zone's servers are broken).
 */
import { systemClock } from '../../src/clock.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { DEFAULT_MAX_QUERIES, type LookupSettings } from '../../src/diagnosis/dns-lookups.js';
import type { MailServerLimits } from '../../src/diagnosis/mail-server-limits.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { verdictSentence } from '../../src/diagnosis/verdict-sentence.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { delegatedZone } from '../support/check-context.js';
import {
  startDnsServers,
  type Behaviour,
  type ServerSpec,
  type Zone,
  type ZoneRecord,
} from '../support/dns-test-server.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

/**
 * One query's time-out. Long enough that a loaded machine (the suite runs with the other core
 * busy) never mistakes a slow loopback answer for a dead server; the dead-server case asserts the
 * run costs about one of these, not one per server or per query.
 */
const TIMEOUT_MS = 1000;

const PARENT = '127.0.61.10';
/** Knows every zone. */
const RESOLVER = '127.0.61.1';
/** Still chasing dead.test's dead servers: no answer for that zone within our time-out. */
const STALLING_RESOLVER = '127.0.61.2';
/** Has given up on the zones whose servers are lame, cut or unreachable: SERVFAIL. */
const SERVFAIL_RESOLVER = '127.0.61.3';
/** Addresses where nothing listens. */
const NOTHING = '127.0.61.250';
const NOTHING_EITHER = '127.0.61.251';

type Ns = { readonly host: string; readonly address: string };
const label = (ns: Ns): string => `${ns.host} (${ns.address})`;

interface Partner {
  readonly domain: string;
  /** What the parent delegates to (NS and glue). */
  readonly delegated: readonly Ns[];
  /** The zone as its servers serve it. */
  readonly zone: Zone;
  /** Servers to start for the zone, with their behaviour; delegated addresses missing here have nothing listening. */
  readonly servers: readonly { readonly address: string; readonly behaviour?: Behaviour }[];
}

const ns = (n: number, domain: string, address: string): Ns => ({ host: `ns${n}.${domain}`, address });
const nsMap = (servers: readonly Ns[]): Record<string, string> =>
  Object.fromEntries(servers.map((s) => [s.host, s.address]));
const GOOD_POLICY: ZoneRecord[] = [
  { name: '@', type: 'TXT', data: 'v=spf1 mx -all' },
  { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=reject' },
];
// MX exchanges are written out in full: the test server makes only NS, CNAME and PTR targets absolute.
const mailRecords = (domain: string, address: string): ZoneRecord[] => [
  { name: '@', type: 'MX', data: { preference: 10, exchange: `mx1.${domain}` } },
  { name: 'mx1', type: 'A', data: address },
  ...GOOD_POLICY,
];

/** A partner whose zone lists the servers the parent delegates to, all serving it (unless `servers` says otherwise). */
function partner(
  domain: string,
  delegated: readonly Ns[],
  records: readonly ZoneRecord[],
  behaviours: readonly (Behaviour | null)[] = [],
): Partner {
  return {
    domain,
    delegated,
    zone: delegatedZone(domain, nsMap(delegated), records),
    // null: nothing listens at that address.
    servers: delegated.flatMap((s, i) =>
      behaviours[i] === null ? [] : [{ address: s.address, behaviour: behaviours[i] ?? {} }],
    ),
  };
}

// Two servers that never answer (asking them one after the other costs two time-outs) and an address where nothing listens.
const DEAD = partner(
  'dead.test',
  [ns(1, 'dead.test', '127.0.62.1'), ns(2, 'dead.test', '127.0.62.2'), ns(3, 'dead.test', '127.0.62.3')],
  mailRecords('dead.test', '11.22.62.10'),
  [{ silent: true }, { silent: true }, null],
);
const LAME = partner(
  'lame.test',
  [ns(1, 'lame.test', '127.0.63.1'), ns(2, 'lame.test', '127.0.63.2')],
  mailRecords('lame.test', '11.22.63.10'),
  [{ lame: true }, { lame: true }],
);
const HALF_LAME = partner(
  'halflame.test',
  [ns(1, 'halflame.test', '127.0.64.1'), ns(2, 'halflame.test', '127.0.64.2'), ns(3, 'halflame.test', '127.0.64.3')],
  mailRecords('halflame.test', '11.22.64.10'),
  [{ rcode: 'SERVFAIL' }, { noAuthority: true }, {}],
);
const MISMATCH_NS = [ns(1, 'mismatch.test', '127.0.65.1'), ns(2, 'mismatch.test', '127.0.65.2')];
const MISMATCH: Partner = {
  ...partner('mismatch.test', MISMATCH_NS, []),
  // The zone moved ns2 out for ns3; the registrar still delegates to ns2.
  zone: delegatedZone(
    'mismatch.test',
    nsMap([MISMATCH_NS[0]!, ns(3, 'mismatch.test', '127.0.65.9')]),
    mailRecords('mismatch.test', '11.22.65.10'),
  ),
};
const MOVED_NS = [ns(1, 'moved.test', '127.0.65.3'), ns(2, 'moved.test', '127.0.65.4')];
const MOVED: Partner = {
  ...partner('moved.test', MOVED_NS, []),
  // ns1 was renumbered in the zone; the glue at the parent still has the old address.
  zone: delegatedZone(
    'moved.test',
    { ...nsMap(MOVED_NS), [MOVED_NS[0]!.host]: '127.0.65.5' },
    mailRecords('moved.test', '11.22.65.11'),
  ),
};

/** `count` MX hosts, each with an A record; long names are like a filtering service's (about 45 bytes each). */
function mxHosts(count: number, domain: string, base: string, long = true): ZoneRecord[] {
  const name = (i: number): string =>
    long ? `relay-${String(i).padStart(2, '0')}.inbound-protection-cluster` : `mx-${String(i).padStart(2, '0')}`;
  return Array.from({ length: count }, (_, i): ZoneRecord[] => [
    { name: '@', type: 'MX', data: { preference: 10 + i, exchange: `${name(i)}.${domain}` } },
    { name: name(i), type: 'A', data: `${base}.${i + 1}` },
  ]).flat();
}

// 20 short MX hosts: about 800 bytes, which a server would send whole to an EDNS 1232 query; this one cuts at 512.
const CUT = partner(
  'cut.test',
  [ns(1, 'cut.test', '127.0.66.1')],
  [...mxHosts(20, 'cut.test', '11.22.66', false), ...GOOD_POLICY],
  [{ udpLimit: 512, tcp: 'reset' }],
);
// 12 MX hosts: about 900 bytes, over 512 without EDNS, inside the 1232 a Flag Day resolver asks for.
const NO_TCP = partner(
  'notcp.test',
  [ns(1, 'notcp.test', '127.0.67.1')],
  [...mxHosts(12, 'notcp.test', '11.22.67'), ...GOOD_POLICY],
  [{ tcp: false }],
);
const HEALTHY = partner(
  'healthy.test',
  [ns(1, 'healthy.test', '127.0.68.1'), ns(2, 'healthy.test', '127.0.68.2')],
  mailRecords('healthy.test', '11.22.68.10'),
);
const PRIVATE_NS = [
  { host: 'ns1.private-ns.test', address: '255.255.255.255' },
  { host: 'ns2.private-ns.test', address: '127.0.69.1' },
];
const PRIVATE = partner('private-ns.test', PRIVATE_NS, mailRecords('private-ns.test', '11.22.69.10'), [null, {}]);

const MANY_MX = 1000;
const manyHost = (i: number): string => `mx${String(i).padStart(4, '0')}.many.test`;
const MANY = partner(
  'many.test',
  [ns(1, 'many.test', '127.0.70.1'), ns(2, 'many.test', '127.0.70.2')],
  Array.from({ length: MANY_MX }, (_, i): ZoneRecord[] => [
    { name: '@', type: 'MX', data: { preference: i, exchange: manyHost(i) } },
    { name: `${manyHost(i)}.`, type: 'A', data: `11.22.${70 + Math.floor(i / 250)}.${(i % 250) + 1}` },
  ]).flat(),
);

const PARTNERS = [DEAD, LAME, HALF_LAME, MISMATCH, MOVED, CUT, NO_TCP, HEALTHY, PRIVATE, MANY];

const SOA = {
  mname: 'parent.test.',
  rname: 'hostmaster.test.',
  serial: 1,
  refresh: 3600,
  retry: 600,
  expire: 604800,
  minimum: 300,
};

/** The zone `test` at the parent: its own NS, and every partner's delegation with glue. */
const PARENT_ZONE: Zone = {
  origin: 'test',
  records: [
    { name: '@', type: 'SOA', data: SOA },
    { name: '@', type: 'NS', data: 'parent.test.' },
    { name: 'parent', type: 'A', data: PARENT },
    ...PARTNERS.flatMap((p) => [
      ...p.delegated.map((s) => ({ name: `${p.domain}.`, type: 'NS', data: `${s.host}.` })),
      ...p.delegated.map((s) => ({ name: `${s.host}.`, type: 'A', data: s.address })),
    ]),
  ],
};

/** What a resolver knows besides the partners: the root (so "is our resolver up?" gets an answer) and reverse DNS with no PTR records. */
const RESOLVER_ZONES: Zone[] = [
  {
    origin: '',
    records: [
      { name: '@', type: 'SOA', data: SOA },
      { name: '@', type: 'NS', data: 'parent.test.' },
    ],
  },
  {
    origin: 'in-addr.arpa',
    records: [
      { name: '@', type: 'SOA', data: SOA },
      { name: '@', type: 'NS', data: 'parent.test.' },
    ],
  },
  PARENT_ZONE,
  ...PARTNERS.map((p) => p.zone),
];

const SPECS: ServerSpec[] = [
  { address: PARENT, zones: [PARENT_ZONE] },
  { address: RESOLVER, zones: RESOLVER_ZONES },
  { address: STALLING_RESOLVER, zones: RESOLVER_ZONES, behaviour: { silent: true, onlyFor: [DEAD.domain] } },
  {
    address: SERVFAIL_RESOLVER,
    zones: RESOLVER_ZONES,
    behaviour: { rcode: 'SERVFAIL', onlyFor: [LAME.domain, CUT.domain, PRIVATE.domain] },
  },
  ...PARTNERS.flatMap((p) => p.servers.map((s) => ({ address: s.address, zones: [p.zone], behaviour: s.behaviour }))),
];

const DNS_FAMILIES = [
  'qmail-1.03',
  'notqmail-1.08',
  'notqmail-1.09',
  'musl-1.2.3',
  'no-edns-tcp-blocked',
  'flagday-2020-resolver',
  'validating-resolver',
  'postfix',
  'exim',
];

describe('diagnose() against a broken delegation on loopback', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;

  const lookup = (resolver: string, overrides: Partial<LookupSettings> = {}): LookupSettings =>
    loopbackLookup(resolver, network.port, TIMEOUT_MS, {
      rootHints: [{ host: 'parent.test', address: PARENT }],
      ...overrides,
    });
  const run = (domain: string, settings: LookupSettings, limits?: MailServerLimits): Promise<DiagnosisReport> =>
    diagnose(parseCheckTarget(domain), {
      dns: createDnsClient(),
      clock: systemClock,
      lookup: settings,
      dnsblZones: [],
      ...(limits ? { limits } : {}),
    });
  const withId = (report: DiagnosisReport, id: string): Finding[] => report.findings.filter((f) => f.id === id);
  const verdicts = (report: DiagnosisReport): Record<string, string> =>
    Object.fromEntries(report.senders.map((s) => [s.family, s.verdict]));
  const sender = (report: DiagnosisReport, family: string) => report.senders.find((s) => s.family === family);
  const server = (address: string) => network.servers.find((s) => s.address === address)!;

  beforeAll(async () => {
    network = await startDnsServers(SPECS);
  });
  afterAll(() => network?.close());

  it('fails dns.nameservers-unreachable when every delegated server is dead, fails every sender, and costs about one time-out', async () => {
    const report = await run(DEAD.domain, lookup(STALLING_RESOLVER));
    const [silent1, silent2, closed] = DEAD.delegated as [Ns, Ns, Ns];

    const [dead, ...more] = withId(report, 'dns.nameservers-unreachable');
    expect(more).toEqual([]);
    expect(dead).toMatchObject({ status: 'fail', subject: DEAD.domain });
    expect(dead?.summary).toContain(
      `${label(silent1)} timed out over UDP and TCP; ${label(silent2)} timed out over UDP and TCP`,
    );
    expect(dead?.summary).toContain(`${label(closed)} connection refused over UDP and TCP`);
    expect(dead?.evidence.servers).toEqual([
      { server: label(silent1), udp: 'timed out', edns: 'timed out', tcp: 'timed out' },
      { server: label(silent2), udp: 'timed out', edns: 'timed out', tcp: 'timed out' },
      { server: label(closed), udp: 'connection refused', edns: 'connection refused', tcp: 'connection refused' },
    ]);
    // Their side, not ours: the resolver stalls on dead.test but still answers for the root.
    expect(withId(report, 'resolver.unreachable')).toEqual([]);
    // Its time-outs for names in dead.test are the consequence, not "could not tell" about our resolver.
    expect(withId(report, 'dns.timeout')).toEqual([]);
    expect(withId(report, 'dns.not-checked').length).toBeGreaterThan(0);
    expect(withId(report, 'dns.not-checked').every((f) => f.status === 'skipped')).toBe(true);

    expect(verdicts(report)).toEqual(Object.fromEntries(DNS_FAMILIES.map((f) => [f, 'fail'])));
    expect(sender(report, 'qmail-1.03')?.expected).toContain('CNAME_lookup_failed_temporarily');
    expect(sender(report, 'postfix')?.expected).toContain('Host or domain name not found');
    expect(sender(report, 'exim')?.expected).toContain('host lookup did not complete');
    expect(report.senders.every((s) => s.because.includes('dns.nameservers-unreachable'))).toBe(true);

    const sentence = verdictSentence(report);
    expect(sentence.startsWith(`No one can deliver mail to ${DEAD.domain}`)).toBe(true);
    for (const s of DEAD.delegated) expect(sentence).toContain(label(s));

    // Dead servers are asked at once, not one after the other, and the stalled resolver is not waited on past one time-out.
    expect(report.durationMs, JSON.stringify(report.timings)).toBeLessThan(4 * TIMEOUT_MS);
  });

  it('fails dns.lame-delegation for each server when every one answers REFUSED, and every sender fails', async () => {
    const report = await run(LAME.domain, lookup(SERVFAIL_RESOLVER));
    const lame = withId(report, 'dns.lame-delegation');
    expect(lame.map((f) => f.subject).sort()).toEqual(LAME.delegated.map(label));
    for (const f of lame)
      expect(f).toMatchObject({ status: 'fail', evidence: { rcode: 'REFUSED', aa: false, zone: LAME.domain } });
    expect(withId(report, 'dns.nameservers-unreachable')).toEqual([]);
    expect(verdicts(report)).toEqual(Object.fromEntries(DNS_FAMILIES.map((f) => [f, 'fail'])));
    expect(verdictSentence(report)).toMatch(
      /^No one can deliver mail to lame\.test now: none of its nameservers answers for it \(.*ns1\.lame\.test \(127\.0\.63\.1\)/,
    );
  });

  it('warns dns.lame-delegation for a SERVFAIL server and one without AA while a third answers, and no sender fails', async () => {
    const report = await run(HALF_LAME.domain, lookup(RESOLVER));
    const [servfail, noAa] = HALF_LAME.delegated as [Ns, Ns, Ns];
    const lame = withId(report, 'dns.lame-delegation').sort((a, b) => a.subject.localeCompare(b.subject));
    expect(lame).toMatchObject([
      { status: 'warn', subject: label(servfail), evidence: { rcode: 'SERVFAIL', aa: false } },
      { status: 'warn', subject: label(noAa), evidence: { rcode: 'NOERROR', aa: false } },
    ]);
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(report.senders.filter((s) => s.verdict === 'fail')).toEqual([]);
    expect(verdictSentence(report)).not.toMatch(/^No one can deliver/);
  });

  it('warns dns.delegation-mismatch and dns.glue-mismatch when the parent and the zone disagree', async () => {
    const mismatch = withId(await run(MISMATCH.domain, lookup(RESOLVER)), 'dns.delegation-mismatch');
    expect(mismatch).toMatchObject([
      {
        status: 'warn',
        subject: MISMATCH.domain,
        evidence: {
          parent: `parent.test (${PARENT})`,
          parentNs: ['ns1.mismatch.test', 'ns2.mismatch.test'],
          childNs: ['ns1.mismatch.test', 'ns3.mismatch.test'],
          onlyAtParent: ['ns2.mismatch.test'],
          onlyInZone: ['ns3.mismatch.test'],
        },
      },
    ]);
    const moved = await run(MOVED.domain, lookup(RESOLVER));
    expect(withId(moved, 'dns.glue-mismatch')).toMatchObject([
      {
        status: 'warn',
        subject: 'ns1.moved.test',
        evidence: { glue: ['127.0.65.3'], inZone: ['127.0.65.5'], parent: `parent.test (${PARENT})` },
      },
    ]);
    expect(withId(moved, 'dns.delegation-mismatch')).toEqual([]);
  });

  it('fails the EDNS resolvers when the only nameserver cuts UDP at 512 bytes even with EDNS and resets TCP', async () => {
    const report = await run(CUT.domain, lookup(SERVFAIL_RESOLVER));
    const only = label(CUT.delegated[0]!);
    expect(withId(report, 'dns.truncated').find((f) => f.evidence.qtype === 'MX')).toMatchObject({
      evidence: { server: only, tc: true, ednsTc: true },
    });
    // TCP never delivered it, so the size stays unknown; it is not "over 1232" that breaks the resolvers.
    expect(withId(report, 'dns.reply-over-1232')).toEqual([]);
    expect(withId(report, 'dns.tcp-unavailable')).toMatchObject([
      { status: 'fail', subject: only, evidence: { server: only, error: 'DNS_CONNECTION_CLOSED' } },
    ]);
    for (const family of ['postfix', 'exim', 'notqmail-1.09', 'flagday-2020-resolver']) {
      expect(sender(report, family), family).toMatchObject({
        verdict: 'fail',
        because: expect.arrayContaining(['dns.truncated', 'dns.tcp-unavailable']),
      });
    }
    // The cause is named, not only the resolver's SERVFAIL.
    expect(report.findings.filter((f) => f.status === 'fail').map((f) => f.id)).toContain('dns.tcp-unavailable');
  });

  it('passes the EDNS resolvers when TCP is refused but the MX answer fits in 1232 bytes, and fails resolvers without EDNS', async () => {
    const report = await run(NO_TCP.domain, lookup(RESOLVER));
    const only = label(NO_TCP.delegated[0]!);
    const mx = withId(report, 'dns.truncated').find((f) => f.evidence.qtype === 'MX');
    expect(mx).toMatchObject({ evidence: { server: only, tc: true, ednsTc: false } });
    expect(mx?.evidence.size as number).toBeGreaterThan(512);
    expect(mx?.evidence.size as number).toBeLessThanOrEqual(1232);
    expect(withId(report, 'dns.reply-over-1232')).toEqual([]);
    expect(withId(report, 'dns.tcp-unavailable')).toMatchObject([
      { status: 'fail', subject: only, evidence: { error: 'DNS_CONNECTION_REFUSED' } },
    ]);
    expect(verdicts(report)).toMatchObject({
      'notqmail-1.09': 'ok',
      postfix: 'ok',
      exim: 'ok',
      'flagday-2020-resolver': 'ok',
      'no-edns-tcp-blocked': 'fail',
    });
  });

  it('blames our side, not the partner, when our resolver and the root hint are both unreachable', async () => {
    const report = await run(
      HEALTHY.domain,
      lookup(NOTHING, { rootHints: [{ host: 'parent.test', address: NOTHING_EITHER }] }),
    );
    expect(withId(report, 'resolver.unreachable')).toMatchObject([
      { status: 'error', subject: `${NOTHING}:${network.port}` },
    ]);
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(report.senders.filter((s) => s.verdict === 'fail')).toEqual([]);
    expect(verdictSentence(report)).toContain('on our side');
  });

  it('still measures the domain from its own servers when only our resolver is down', async () => {
    const report = await run(HEALTHY.domain, lookup(NOTHING));
    const ids = report.findings.map((f) => f.id);
    expect(ids).toContain('resolver.unreachable');
    expect(ids).toEqual(expect.arrayContaining(['dns.nameservers-ok', 'dns.reply-sizes-ok', 'dns.edns-ok']));
    // The MX set came from the zone's own servers and its host has a public address.
    expect(ids).toContain('mx.ok');
    expect(report.observations.answerSizes['MX healthy.test']?.answerEnd).toBeGreaterThan(12);
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([]);
  });

  it('asks neither a broadcast nor a loopback nameserver address the parent hands out, and says so', async () => {
    const listening = server('127.0.69.1');
    listening.queries.length = 0;
    const report = await run(PRIVATE.domain, lookup(SERVFAIL_RESOLVER, { allowPrivateTargets: false }));
    const held = withId(report, 'dns.nameserver-not-public').sort((a, b) => a.subject.localeCompare(b.subject));
    expect(held).toMatchObject([
      { status: 'error', subject: label(PRIVATE_NS[0]!), evidence: { range: 'broadcast' } },
      { status: 'error', subject: label(PRIVATE_NS[1]!), evidence: { range: 'loopback' } },
    ]);
    expect(listening.queries).toEqual([]);
  });

  it('bounds the work for 1,000 MX records: mx.too-many, the query budget kept, A look-ups for 20 hosts only', async () => {
    for (const s of network.servers) s.queries.length = 0;
    const report = await run(MANY.domain, lookup(RESOLVER), { maxHosts: 20, maxAddresses: 24 });
    expect(withId(report, 'mx.too-many')).toMatchObject([
      { status: 'warn', evidence: { total: MANY_MX, checked: 20 } },
    ]);
    expect(report.observations.records['many.test MX']).toHaveLength(MANY_MX);
    expect(report.queriesSent).toBeLessThanOrEqual(DEFAULT_MAX_QUERIES);
    expect(withId(report, 'dns.query-budget-exhausted')).toEqual([]);

    const hostA = network.servers.flatMap((s) =>
      s.queries.filter((q) => q.type === 'A' && /^mx\d{4}\.many\.test$/.test(q.name)),
    );
    const hosts = [...new Set(hostA.map((q) => q.name))].sort();
    expect(hosts).toEqual(Array.from({ length: 20 }, (_, i) => manyHost(i)));
    // 20 hosts x 3 servers (resolver, ns1, ns2) x 4 ways of asking (UDP, UDP+EDNS, TCP, a TCP retry).
    expect(hostA.length).toBeLessThanOrEqual(20 * 3 * 4);
    expect(report.durationMs).toBeLessThan(10 * TIMEOUT_MS);
  });
});
