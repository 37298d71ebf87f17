import { describe, expect, it } from 'vitest';
import { replySizeCheck } from '../../src/diagnosis/checks/reply-size.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import type { Behaviour, ZoneRecord } from '../support/dns-test-server.js';
import type { FakeServer, ZoneDnsClient } from '../support/zone-dns-client.js';
import { checkContext, delegatedZone, ids, only, RESOLVER, type ContextOptions } from '../support/check-context.js';
import { AppError } from '../../src/errors.js';
import { manyMx } from '../fixtures/zones.js';

const DOMAIN = 'partner.test';
const NS1 = { host: `ns1.${DOMAIN}`, address: '127.0.0.11' };
const NS2 = { host: `ns2.${DOMAIN}`, address: '127.0.0.12' };
const HOSTER_NS = { host: 'ns.hoster.test', address: '127.0.0.21' };
const label = (ns: { host: string; address: string }): string => `${ns.host} (${ns.address})`;

// Wire sizes counted from RFC 1035 §4.1, not from the encoder: dns-packet compresses no names.
const HEADER_BYTES = 12;
/** A length byte and the characters of each label, then the root's zero byte (§3.1). */
const nameBytes = (name: string): number => name.split('.').reduce((n, l) => n + 1 + l.length, 1);
/** QNAME, QTYPE, QCLASS (§4.1.2). */
const questionBytes = (name: string): number => nameBytes(name) + 4;
/** NAME, TYPE, CLASS, TTL, RDLENGTH, then RDATA (§4.1.3). */
const recordBytes = (owner: string, rdata: number): number => nameBytes(owner) + 2 + 2 + 4 + 2 + rdata;
const mxBytes = (owner: string, exchange: string): number => recordBytes(owner, 2 + nameBytes(exchange));
const txtBytes = (owner: string, text: string): number => recordBytes(owner, 1 + text.length);

/** An exchange name of 57 wire bytes, as manyMx() makes them: each MX record for partner.test is 83 bytes. */
const bigMxHost = (i: number): string =>
  `inbound-filter-${String(i).padStart(2, '0')}.scanning-service-cluster.${DOMAIN}`;

interface World {
  /** Extra records at partner.test (served by ns1 and ns2, or only `nameservers`). */
  readonly records: ZoneRecord[];
  readonly nameservers?: readonly { host: string; address: string }[];
  readonly behaviour?: Readonly<Record<string, Behaviour>>;
  readonly hosterRecords?: ZoneRecord[];
  readonly wrap?: ContextOptions['wrap'];
}

/** partner.test delegated to its nameservers; hoster.test, where MX hosts may live, to ns.hoster.test. */
function setup({ records, nameservers = [NS1], behaviour = {}, hosterRecords = [], wrap }: World): {
  client: ZoneDnsClient;
  run: () => Promise<Finding[]>;
} {
  const partner = delegatedZone(DOMAIN, Object.fromEntries(nameservers.map((ns) => [ns.host, ns.address])), records);
  const hoster = delegatedZone('hoster.test', { [HOSTER_NS.host]: HOSTER_NS.address }, hosterRecords);
  const servers: Record<string, FakeServer> = {
    [RESOLVER]: { zones: [partner, hoster] },
    [HOSTER_NS.address]: { zones: [hoster] },
  };
  for (const ns of nameservers)
    servers[ns.address] = { zones: [partner], ...(behaviour[ns.address] ? { behaviour: behaviour[ns.address] } : {}) };
  const { client, context } = checkContext(servers, { domain: DOMAIN, ...(wrap ? { wrap } : {}) });
  return { client, run: () => replySizeCheck.run(context) };
}

async function run(world: World): Promise<Finding[]> {
  return setup(world).run();
}

function ofQtype(findings: readonly Finding[], id: string, qtype: string): Finding[] {
  return findings.filter((f) => f.id === id && f.evidence.qtype === qtype);
}

const mx = (preference: number, exchange: string): ZoneRecord => ({
  name: '@',
  type: 'MX',
  data: { preference, exchange },
});
const smallMx = [mx(10, `mx1.${DOMAIN}`), { name: 'mx1', type: 'A', data: '11.22.33.10' }];
/** Four 60-character TXT tokens at the apex: the ANY answer grows past 512, the MX answer stays small. */
const TOKENS = Array.from({ length: 4 }, (_, i) => `site-verification-${i}=${'x'.repeat(40)}`);
const bloatedApex = [...smallMx, ...TOKENS.map((data) => ({ name: '@', type: 'TXT', data }))];

/** The apex records every ANY answer for partner.test with one nameserver starts with: SOA and NS. */
const APEX_BYTES =
  recordBytes(DOMAIN, nameBytes(NS1.host) + nameBytes(`hostmaster.${DOMAIN}`) + 20) +
  recordBytes(DOMAIN, nameBytes(NS1.host));

describe('reply-size check: dns.answer-over-512', () => {
  it('fails an MX answer that ends past byte 512, with the evidence a reader can check', async () => {
    const findings = await run({ records: manyMx(6, DOMAIN) });
    // 12 header + 18 question + 6 x 83 (14 owner + 10 + 2 preference + 57 exchange) = 528.
    const answerEnd = HEADER_BYTES + questionBytes(DOMAIN) + 6 * mxBytes(DOMAIN, bigMxHost(0));
    expect(answerEnd).toBe(528);
    const [over, ...more] = ofQtype(findings, 'dns.answer-over-512', 'MX');
    expect(more).toHaveLength(0);
    expect(over).toMatchObject({
      status: 'fail',
      subject: `MX ${DOMAIN} at ${label(NS1)}`,
      ref: 'RFC 1035 §4.2.1; qmail 1.03 dns.c',
    });
    expect(over?.summary).toContain(`ends at byte ${answerEnd}`);
    expect(over?.remedy).toContain('MX host names');
    expect(over?.evidence).toEqual({
      server: label(NS1),
      qtype: 'MX',
      qname: DOMAIN,
      // Without EDNS the server sends only the header and question, with TC set.
      classicSize: HEADER_BYTES + questionBytes(DOMAIN),
      tc: true,
      // The answer fits in EDNS 1232: a resolver needs no TCP for it.
      ednsTc: false,
      size: answerEnd,
      answerEnd,
      // The same question through our resolver (which here serves the zone itself): what dig on an admin's machine shows.
      resolver: '127.0.0.1',
      resolverSize: answerEnd,
      resolverAnswerEnd: answerEnd,
      dig: [
        `dig +noedns +ignore +norecurse MX ${DOMAIN} @${NS1.address}`,
        `dig +noedns +tcp +norecurse MX ${DOMAIN} @${NS1.address}`,
        `dig +noedns +tcp MX ${DOMAIN} @127.0.0.1`,
      ],
    });
  });

  it('fails an ANY answer that ends past byte 512 and points at RFC 8482', async () => {
    const findings = await run({ records: bloatedApex });
    const answerEnd =
      HEADER_BYTES +
      questionBytes(DOMAIN) +
      APEX_BYTES +
      mxBytes(DOMAIN, `mx1.${DOMAIN}`) +
      TOKENS.reduce((n, t) => n + txtBytes(DOMAIN, t), 0);
    expect(answerEnd).toBe(30 + 87 + 42 + 44 + 4 * 85);
    const over = only(findings, 'dns.answer-over-512');
    expect(over.evidence).toMatchObject({ qtype: 'ANY', qname: DOMAIN, answerEnd, size: answerEnd, tc: true });
    expect(over.remedy).toContain('RFC 8482');
    expect(ids(findings)).toEqual(['dns.answer-over-512', 'dns.truncated']);
  });

  it("fails the A answer of an MX host in another zone, asked of that zone's own nameserver", async () => {
    const addresses = Array.from({ length: 16 }, (_, i) => ({ name: 'mx1', type: 'A', data: `11.22.40.${i + 1}` }));
    const { client, run: check } = setup({ records: [mx(10, 'mx1.hoster.test')], hosterRecords: addresses });
    const findings = await check();
    // 12 header + 21 question + 16 x 31 (17 owner + 10 + 4 address) = 529.
    const answerEnd = HEADER_BYTES + questionBytes('mx1.hoster.test') + 16 * recordBytes('mx1.hoster.test', 4);
    expect(answerEnd).toBe(529);
    expect(ids(findings)).toEqual(['dns.answer-over-512', 'dns.truncated']);
    const over = only(findings, 'dns.answer-over-512');
    expect(over.subject).toBe(`A mx1.hoster.test at ${label(HOSTER_NS)}`);
    expect(over.evidence).toMatchObject({
      server: label(HOSTER_NS),
      qtype: 'A',
      qname: 'mx1.hoster.test',
      answerEnd,
      size: answerEnd,
      tc: true,
    });
    expect(over.remedy).toContain('fewer or shorter addresses');
    const probedAt = new Set(
      client.asked.filter((q) => q.type === 'A' && q.name === 'mx1.hoster.test').map((q) => q.server.host),
    );
    expect(probedAt).toEqual(new Set([HOSTER_NS.address]));
  });

  it.each([
    // 5 x 83 + one MX record of (24 + 17 + n) bytes for an n-character first label: 486 + n.
    [26, 512, false],
    [27, 513, true],
  ])(
    'with a %i-character host label the MX answer ends at byte %i: finding %s',
    async (length, answerEnd, reported) => {
      const last = `${'x'.repeat(length)}.${DOMAIN}`;
      expect(HEADER_BYTES + questionBytes(DOMAIN) + 5 * mxBytes(DOMAIN, bigMxHost(0)) + mxBytes(DOMAIN, last)).toBe(
        answerEnd,
      );
      const findings = await run({ records: [...manyMx(5, DOMAIN), mx(99, last)] });
      const over = ofQtype(findings, 'dns.answer-over-512', 'MX');
      expect(over.map((f) => f.evidence.answerEnd)).toEqual(reported ? [answerEnd] : []);
      expect(ofQtype(findings, 'dns.truncated', 'MX')).toHaveLength(reported ? 1 : 0);
    },
  );
});

describe('reply-size check: truncation, big replies and TCP', () => {
  it('warns dns.truncated for a reply that does not fit in 512 bytes without EDNS', async () => {
    const findings = await run({ records: manyMx(6, DOMAIN) });
    const [truncated] = ofQtype(findings, 'dns.truncated', 'MX');
    expect(truncated).toMatchObject({ status: 'warn', subject: `MX ${DOMAIN} at ${label(NS1)}` });
    expect(truncated?.summary).toContain('the 528-byte reply');
    expect(truncated?.evidence).toMatchObject({
      tc: true,
      classicSize: 30,
      size: 528,
      dig: [`dig +noedns +ignore +norecurse MX ${DOMAIN} @${NS1.address}`],
    });
  });

  it('warns dns.reply-over-1232 for a reply past the Flag Day EDNS size, but not for one under it', async () => {
    // 30 + 15 x 83 = 1275; 30 + 14 x 83 = 1192.
    const over = ofQtype(await run({ records: manyMx(15, DOMAIN) }), 'dns.reply-over-1232', 'MX');
    expect(over).toHaveLength(1);
    expect(over[0]).toMatchObject({
      status: 'warn',
      evidence: {
        size: 1275,
        resolverSize: 1275,
        dig: [
          `dig +edns=0 +bufsize=1232 +ignore +norecurse MX ${DOMAIN} @${NS1.address}`,
          `dig +noedns +tcp MX ${DOMAIN} @127.0.0.1`,
        ],
      },
    });
    expect(over[0]?.summary).toContain('is 1275 bytes');
    expect(ofQtype(await run({ records: manyMx(14, DOMAIN) }), 'dns.reply-over-1232', 'MX')).toEqual([]);
  });

  it('fails dns.tcp-unavailable when a reply needs TCP, naming those queries', async () => {
    const findings = await run({ records: manyMx(6, DOMAIN), behaviour: { [NS1.address]: { tcp: false } } });
    const tcp = only(findings, 'dns.tcp-unavailable');
    expect(tcp).toMatchObject({ status: 'fail', subject: label(NS1), ref: 'RFC 7766 §5; RFC 5966' });
    expect(tcp.evidence).toEqual({
      server: label(NS1),
      error: 'DNS_CONNECTION_REFUSED',
      detail: 'connection refused (fake server)',
      queriesNeedingTcp: [`ANY ${DOMAIN}`, `MX ${DOMAIN}`],
      dig: `dig +noedns +tcp +norecurse ANY ${DOMAIN} @${NS1.address}`,
    });
    // The EDNS reply still measures the answer: 528 bytes, then the 11-byte OPT record.
    expect(ofQtype(findings, 'dns.answer-over-512', 'MX')[0]?.evidence).toMatchObject({
      answerEnd: 528,
      size: 539,
      tc: true,
    });
  });

  it('only warns dns.tcp-unavailable when no reply needs TCP', async () => {
    const findings = await run({ records: smallMx, behaviour: { [NS1.address]: { tcp: false } } });
    expect(ids(findings)).toEqual(['dns.tcp-unavailable']);
    expect(only(findings, 'dns.tcp-unavailable')).toMatchObject({
      status: 'warn',
      evidence: { queriesNeedingTcp: [] },
    });
  });

  it('says nothing delivered the reply whole when it is truncated, over 1232 bytes and TCP is closed', async () => {
    const findings = await run({ records: manyMx(15, DOMAIN), behaviour: { [NS1.address]: { tcp: false } } });
    const [truncated] = ofQtype(findings, 'dns.truncated', 'MX');
    expect(truncated?.summary).toContain('neither TCP nor EDNS delivered it whole');
    expect(truncated?.evidence).toMatchObject({ tc: true, size: null, answerEnd: null });
    expect(ofQtype(findings, 'dns.answer-over-512', 'MX')).toEqual([]);
    expect(only(findings, 'dns.tcp-unavailable').status).toBe('fail');
  });

  it('measures answerEnd from the plain UDP reply of a server that ignores the 512-byte limit (and has neither TCP nor EDNS)', async () => {
    const findings = await run({
      records: manyMx(6, DOMAIN),
      behaviour: { [NS1.address]: { ignoreUdpLimit: true, tcp: false, edns: 'drop' } },
    });
    const [over] = ofQtype(findings, 'dns.answer-over-512', 'MX');
    expect(over?.evidence).toMatchObject({ classicSize: 528, tc: false, size: 528, answerEnd: 528 });
    expect(findings.filter((f) => f.id === 'dns.truncated')).toEqual([]);
    expect(only(findings, 'dns.tcp-unavailable').status).toBe('warn');
  });

  it('finds nothing wrong with ANY at a server that answers it minimally (RFC 8482)', async () => {
    const findings = await run({ records: bloatedApex, behaviour: { [NS1.address]: { minimalAny: true } } });
    expect(ids(findings)).toEqual(['dns.reply-sizes-ok']);
    const measurements = only(findings, 'dns.reply-sizes-ok').evidence.measurements;
    // One HINFO record: 14 owner + 10 + 1 + "RFC8482" + 1 + "".
    const hinfo = HEADER_BYTES + questionBytes(DOMAIN) + recordBytes(DOMAIN, 1 + 7 + 1);
    expect(measurements).toContainEqual({
      server: label(NS1),
      qtype: 'ANY',
      qname: DOMAIN,
      classicSize: hinfo,
      tc: false,
      ednsTc: false,
      size: hinfo,
      answerEnd: hinfo,
    });
  });

  it('leaves a nameserver that does not answer at all to the nameservers check, never calling its TCP broken', async () => {
    const { client, run: check } = setup({
      records: smallMx,
      nameservers: [NS1, NS2],
      behaviour: { [NS2.address]: { silent: true } },
    });
    const findings = await check();
    expect(ids(findings)).toEqual(['dns.reply-sizes-ok']);
    expect(JSON.stringify(findings[0]?.evidence)).not.toContain(NS2.address);
    expect(client.asked.some((q) => q.server.host === NS2.address && q.transport === 'tcp')).toBe(true);
  });

  it('calls TCP broken only when every TCP query to the server fails, asked twice', async () => {
    let asked = 0;
    const { run: check } = setup({
      records: smallMx,
      nameservers: [NS1, NS2],
      // The first TCP query for MX at ns1 is lost; the retry gets through.
      wrap: (client) => ({
        query: (query, options) =>
          query.transport === 'tcp' && query.type === 'MX' && query.server.host === NS1.address && asked++ === 0
            ? Promise.reject(new AppError('DNS_TIMEOUT', 'lost'))
            : client.query(query, options),
      }),
    });
    expect(ids(await check())).toEqual(['dns.reply-sizes-ok']);
    expect(asked).toBe(2);
  });
});

describe('reply-size check: all well', () => {
  it('passes dns.reply-sizes-ok with every measurement at every server', async () => {
    const findings = await run({ records: smallMx, nameservers: [NS1, NS2] });
    expect(ids(findings)).toEqual(['dns.reply-sizes-ok']);
    const ok = only(findings, 'dns.reply-sizes-ok');
    expect(ok).toMatchObject({ status: 'pass', subject: DOMAIN });
    expect(ok.summary).toBe(
      'Every ANY, MX and MX-host A answer fits in 512 bytes at all 2 authoritative servers, and TCP works.',
    );
    const measurements = ok.evidence.measurements;
    expect(measurements).toHaveLength(6);
    const mxSize = HEADER_BYTES + questionBytes(DOMAIN) + mxBytes(DOMAIN, `mx1.${DOMAIN}`);
    expect(mxSize).toBe(74);
    expect(measurements).toContainEqual({
      server: label(NS2),
      qtype: 'MX',
      qname: DOMAIN,
      classicSize: mxSize,
      tc: false,
      ednsTc: false,
      size: mxSize,
      answerEnd: mxSize,
    });
    const aSize = HEADER_BYTES + questionBytes(`mx1.${DOMAIN}`) + recordBytes(`mx1.${DOMAIN}`, 4);
    expect(measurements).toContainEqual({
      server: label(NS1),
      qtype: 'A',
      qname: `mx1.${DOMAIN}`,
      classicSize: aSize,
      tc: false,
      ednsTc: false,
      size: aSize,
      answerEnd: aSize,
    });
  });

  it("measures where the answer section ends, not the whole message: a NODATA reply's SOA comes after it", async () => {
    const findings = await run({
      records: [mx(10, `mx1.${DOMAIN}`), { name: 'mx1', type: 'AAAA', data: '2a00:1450::25' }],
    });
    const measurements = only(findings, 'dns.reply-sizes-ok').evidence.measurements;
    const answerEnd = HEADER_BYTES + questionBytes(`mx1.${DOMAIN}`);
    const size = answerEnd + recordBytes(DOMAIN, nameBytes(NS1.host) + nameBytes(`hostmaster.${DOMAIN}`) + 20);
    expect([answerEnd, size]).toEqual([34, 121]);
    expect(measurements).toContainEqual({
      server: label(NS1),
      qtype: 'A',
      qname: `mx1.${DOMAIN}`,
      classicSize: size,
      tc: false,
      ednsTc: false,
      size,
      answerEnd,
    });
  });

  it('reports nothing when there is no nameserver to probe', async () => {
    const findings = await run({ records: smallMx, nameservers: [] });
    expect(findings).toEqual([]);
  });
});
