import * as packet from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { ednsCheck } from '../../src/diagnosis/checks/edns.js';
import type { DnsClient, DnsQuery, DnsReply } from '../../src/diagnosis/dns-port.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { AppError } from '../../src/errors.js';
import { decodeReply } from '../../src/net/dns-wire.js';
import type { FakeServer } from '../support/zone-dns-client.js';
import { checkContext, delegatedZone, ids, only, RESOLVER } from '../support/check-context.js';

const DOMAIN = 'partner.test';
const NS1 = { host: `ns1.${DOMAIN}`, address: '127.0.0.11' };
const NS2 = { host: `ns2.${DOMAIN}`, address: '127.0.0.12' };
const label = (ns: { host: string; address: string }): string => `${ns.host} (${ns.address})`;
const ZONE = delegatedZone(DOMAIN, { [NS1.host]: NS1.address, [NS2.host]: NS2.address });

/**
 * How a nameserver of partner.test treats EDNS, beyond what the test server's Behaviour offers:
 * built here on the wire, encoded with dns-packet and decoded by the real decoder.
 */
type Style =
  /** RFC 6891: OPT in every EDNS reply, BADVERS for version 1, unknown options and flags not echoed. */
  | 'compliant'
  /** An old server without EDNS: FORMERR without OPT (RFC 6891 §7). */
  | 'formerr'
  /** Version 1 answered as if it were 0; unknown options and flags echoed back. */
  | 'sloppy'
  /** BADVERS, but claims version 1 in its own OPT. */
  | 'badvers-v1'
  /** A firewall that drops queries carrying EDNS options. */
  | 'drops-options'
  /** Answers EDNS queries as if they were plain ones: no OPT record in the reply. */
  | 'no-opt'
  /** Not authoritative: REFUSED to everything. */
  | 'refused';

const RCODE = { NOERROR: 0, FORMERR: 1, REFUSED: 5 } as const;

interface Opt {
  readonly extendedRcode?: number;
  readonly version?: number;
  readonly flags?: number;
  readonly optionCodes?: readonly number[];
}

function encodeReply(query: DnsQuery, rcode: number, answer: boolean, opt: Opt | undefined): DnsReply {
  const optRecord = opt && {
    type: 'OPT',
    name: '.',
    udpPayloadSize: 1232,
    extendedRcode: opt.extendedRcode ?? 0,
    ednsVersion: opt.version ?? 0,
    flags: opt.flags ?? 0,
    options: (opt.optionCodes ?? []).map((code) => ({ code, data: Buffer.alloc(0) })),
  };
  const soa: packet.Answer = {
    name: DOMAIN,
    type: 'SOA',
    ttl: 300,
    class: 'IN',
    data: {
      mname: NS1.host,
      rname: `hostmaster.${DOMAIN}`,
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minimum: 300,
    },
  };
  const wire = packet.encode({
    type: 'response',
    id: 1,
    flags: (rcode === RCODE.REFUSED ? 0 : packet.AUTHORITATIVE_ANSWER) | rcode,
    questions: [{ name: query.name, type: query.type as packet.RecordType }],
    answers: answer ? [soa] : [],
    additionals: optRecord ? [optRecord as unknown as packet.Answer] : [],
  });
  return { ...decodeReply(wire), query, rttMs: 1 };
}

function answer(style: Style, query: DnsQuery): DnsReply {
  const edns = query.edns;
  if (style === 'refused') return encodeReply(query, RCODE.REFUSED, false, undefined);
  if (!edns) return encodeReply(query, RCODE.NOERROR, true, undefined);
  const version = edns.version ?? 0;
  switch (style) {
    case 'compliant':
      // BADVERS is 16: extended rcode 1 in the OPT record, 0 in the header (RFC 6891 §6.1.3).
      return version > 0
        ? encodeReply(query, RCODE.NOERROR, false, { extendedRcode: 1 })
        : encodeReply(query, RCODE.NOERROR, true, {});
    case 'formerr':
      return encodeReply(query, RCODE.FORMERR, false, undefined);
    case 'sloppy':
      return encodeReply(query, RCODE.NOERROR, true, { flags: edns.flags ?? 0, optionCodes: edns.optionCodes ?? [] });
    case 'badvers-v1':
      return version > 0
        ? encodeReply(query, RCODE.NOERROR, false, { extendedRcode: 1, version: 1 })
        : encodeReply(query, RCODE.NOERROR, true, {});
    case 'no-opt':
      return encodeReply(query, RCODE.NOERROR, true, undefined);
    case 'drops-options':
      if ((edns.optionCodes ?? []).length > 0) throw new AppError('DNS_TIMEOUT', 'no answer (test firewall)');
      return answer('compliant', query);
  }
}

/** ns1 and ns2 behave as `styles` says (a Style built here, or a zone-client server such as `edns: 'drop'`). */
async function run(styles: Readonly<Record<string, Style | FakeServer>>): Promise<Finding[]> {
  const zoneServers: Record<string, FakeServer> = { [RESOLVER]: { zones: [ZONE] } };
  const wireStyles = new Map<string, Style>();
  for (const [address, style] of Object.entries(styles)) {
    if (typeof style === 'string') wireStyles.set(address, style);
    else zoneServers[address] = style;
  }
  const wrap = (client: DnsClient): DnsClient => ({
    async query(query, options) {
      const style = wireStyles.get(query.server.host);
      return style ? answer(style, query) : client.query(query, options);
    },
  });
  const { context } = checkContext(zoneServers, { domain: DOMAIN, wrap });
  return ednsCheck.run(context);
}

const dig = (version: number, address = NS1.address, extra = ''): string =>
  `dig +edns=${version} +bufsize=1232${extra} +ignore +norecurse SOA ${DOMAIN} @${address}`;
const OPTION = ' +ednsopt=100';
const FLAG = ' +ednsflags=0x80';

describe('edns check', () => {
  it('passes dns.edns-ok when every server handles EDNS as RFC 6891 requires', async () => {
    const findings = await run({ [NS1.address]: 'compliant', [NS2.address]: 'compliant' });
    expect(ids(findings)).toEqual(['dns.edns-ok']);
    const ok = only(findings, 'dns.edns-ok');
    expect(ok).toMatchObject({ status: 'pass', subject: DOMAIN });
    expect(ok.summary).toContain(`All 2 nameserver addresses of ${DOMAIN}`);
  });

  it('warns dns.edns-noncompliant for a server that drops EDNS queries while another answers them, and only for that server', async () => {
    const findings = await run({
      [NS1.address]: 'compliant',
      [NS2.address]: { zones: [ZONE], behaviour: { edns: 'drop' } },
    });
    expect(ids(findings)).toEqual(['dns.edns-noncompliant']);
    const dropped = only(findings, 'dns.edns-noncompliant');
    // Resolvers take a server that drops their queries for dead and ask ns1: slower, not failed.
    expect(dropped).toMatchObject({ status: 'warn', subject: label(NS2), evidence: { dropsEdns: true } });
    expect(dropped.summary).toBe(
      `${label(NS2)} answers plain queries but drops some EDNS queries: resolvers time out on it and ask another of the zone's nameservers, so lookups are slower; should the others fail, they fail too.`,
    );
    expect(dropped.evidence.problems).toEqual([
      { probe: 'edns', problem: 'does not answer (DNS_TIMEOUT)', dig: dig(0, NS2.address) },
      { probe: 'edns version 1', problem: 'does not answer (DNS_TIMEOUT)', dig: dig(1, NS2.address) },
      { probe: 'unknown EDNS option', problem: 'does not answer (DNS_TIMEOUT)', dig: dig(0, NS2.address, OPTION) },
      { probe: 'unknown EDNS flag', problem: 'does not answer (DNS_TIMEOUT)', dig: dig(0, NS2.address, FLAG) },
    ]);
  });

  it('fails dns.edns-noncompliant when every nameserver drops EDNS queries', async () => {
    const findings = await run({
      [NS1.address]: { zones: [ZONE], behaviour: { edns: 'drop' } },
      [NS2.address]: { zones: [ZONE], behaviour: { edns: 'drop' } },
    });
    expect(findings.map((f) => [f.id, f.status, f.subject])).toEqual([
      ['dns.edns-noncompliant', 'fail', label(NS1)],
      ['dns.edns-noncompliant', 'fail', label(NS2)],
    ]);
    expect(findings[0]?.summary).toBe(
      `${label(NS1)} answers plain queries but drops some EDNS queries; since DNS Flag Day 2019 resolvers no longer work around that, so lookups time out.`,
    );
  });

  it('fails a server that drops only the queries carrying an EDNS option', async () => {
    const findings = await run({ [NS1.address]: 'drops-options' });
    const dropped = only(findings, 'dns.edns-noncompliant');
    expect(dropped.status).toBe('fail');
    expect(dropped.evidence.problems).toEqual([
      { probe: 'unknown EDNS option', problem: 'does not answer (DNS_TIMEOUT)', dig: dig(0, NS1.address, OPTION) },
    ]);
  });

  it('only warns about FORMERR without OPT (a server without EDNS, which resolvers work around), saying FORMERR for each probe', async () => {
    const findings = await run({ [NS1.address]: 'formerr' });
    expect(ids(findings)).toEqual(['dns.edns-noncompliant']);
    const formerr = only(findings, 'dns.edns-noncompliant');
    expect(formerr.status).toBe('warn');
    expect(formerr.summary).toBe(
      `${label(NS1)} mishandles EDNS: it answers a plain EDNS query with FORMERR; answers EDNS version 1 with FORMERR instead of BADVERS; ` +
        'answers a query with an unknown EDNS option with FORMERR; answers a query with an unknown EDNS flag with FORMERR.',
    );
  });

  it.each<[Style, string[]]>([
    [
      'sloppy',
      [
        'answers EDNS version 1 with NOERROR instead of BADVERS',
        'echoes an unknown EDNS option back',
        'echoes an unknown EDNS flag back',
      ],
    ],
    ['badvers-v1', ['answers BADVERS claiming EDNS version 1 instead of 0']],
    [
      'no-opt',
      ['leaves the OPT record out of its EDNS replies', 'answers EDNS version 1 with NOERROR instead of BADVERS'],
    ],
  ])('warns dns.edns-noncompliant for a %s server, listing each problem', async (style, problems) => {
    const findings = await run({ [NS1.address]: style });
    expect(ids(findings)).toEqual(['dns.edns-noncompliant']);
    const sloppy = only(findings, 'dns.edns-noncompliant');
    expect(sloppy).toMatchObject({
      status: 'warn',
      subject: label(NS1),
      ref: 'RFC 6891 §6-7; https://www.dnsflagday.net/2019/',
    });
    expect(sloppy.summary).toBe(`${label(NS1)} mishandles EDNS: it ${problems.join('; ')}.`);
    expect((sloppy.evidence.problems as readonly { problem: string }[]).map((p) => p.problem)).toEqual(problems);
  });

  it('gives the dig command that repeats each problem query', async () => {
    const findings = await run({ [NS1.address]: 'sloppy' });
    const problems = only(findings, 'dns.edns-noncompliant').evidence.problems;
    expect(problems).toContainEqual({
      probe: 'edns version 1',
      problem: 'answers EDNS version 1 with NOERROR instead of BADVERS',
      dig: dig(1),
    });
  });

  it('leaves a server that refuses plain queries to the nameservers check', async () => {
    const findings = await run({ [NS1.address]: 'compliant', [NS2.address]: 'refused' });
    expect(findings.filter((f) => f.id === 'dns.edns-noncompliant')).toEqual([]);
  });

  it('claims no pass for servers it could not probe', async () => {
    expect(await run({ [NS1.address]: 'refused' })).toEqual([]);
  });

  it('reports nothing when the zone has no nameserver to probe', async () => {
    const { context } = checkContext({ [RESOLVER]: { zones: [delegatedZone(DOMAIN, {})] } }, { domain: DOMAIN });
    expect(await ednsCheck.run(context)).toEqual([]);
  });
});
