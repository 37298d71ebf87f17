import { describe, expect, it } from 'vitest';
import { nameserversCheck } from '../../src/diagnosis/checks/nameservers.js';
import type { DnsClient } from '../../src/diagnosis/dns-port.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { AppError } from '../../src/errors.js';
import type { Behaviour, Zone, ZoneRecord } from '../support/dns-test-server.js';
import type { FakeServer } from '../support/zone-dns-client.js';
import { checkContext, delegatedZone, ids, only, RESOLVER, type ContextOptions } from '../support/check-context.js';
import { soa, zone } from '../fixtures/zones.js';

const DOMAIN = 'partner.test';
const NS1 = { host: `ns1.${DOMAIN}`, address: '127.0.0.11' };
const NS2 = { host: `ns2.${DOMAIN}`, address: '127.0.0.12' };
const label = (ns: { host: string; address: string }): string => `${ns.host} (${ns.address})`;
const DELEGATION = { [NS1.host]: NS1.address, [NS2.host]: NS2.address };

const mx = (preference: number, exchange: string): ZoneRecord => ({
  name: '@',
  type: 'MX',
  data: { preference, exchange },
});
const MAIL = [mx(10, `mx1.${DOMAIN}`), { name: 'mx1', type: 'A', data: '11.22.33.10' }];

interface Served {
  readonly zones?: readonly Zone[];
  readonly behaviour?: Behaviour;
}

/**
 * The resolver knows `published`; ns1 and ns2 serve it too unless `served` says otherwise
 * (other zones, a behaviour, or nothing at all when the address is left out).
 */
async function run(
  published: Zone,
  served: Readonly<Record<string, Served | 'absent'>> = {},
  options: Partial<ContextOptions> = {},
): Promise<Finding[]> {
  const servers: Record<string, FakeServer> = { [RESOLVER]: { zones: [published] } };
  for (const ns of [NS1, NS2]) {
    const spec = served[ns.address] ?? {};
    if (spec !== 'absent')
      servers[ns.address] = {
        zones: spec.zones ?? [published],
        ...(spec.behaviour ? { behaviour: spec.behaviour } : {}),
      };
  }
  const { context } = checkContext(servers, { domain: DOMAIN, ...options });
  return nameserversCheck.run(context);
}

describe('nameservers check: healthy', () => {
  it('passes dns.nameservers-ok listing every nameserver address', async () => {
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL));
    expect(ids(findings)).toEqual(['dns.nameservers-ok']);
    const ok = only(findings, 'dns.nameservers-ok');
    expect(ok).toMatchObject({ status: 'pass', subject: DOMAIN });
    expect(ok.summary).toBe(
      `All 2 nameserver addresses of ${DOMAIN} answer authoritatively and agree on the SOA serial and the MX set.`,
    );
    expect(ok.evidence).toEqual({ nameservers: [label(NS1), label(NS2)] });
  });

  it('checks the enclosing zone of a name below the apex', async () => {
    const published = delegatedZone(DOMAIN, DELEGATION, [
      ...MAIL,
      { name: 'mail', type: 'MX', data: { preference: 10, exchange: `mx1.${DOMAIN}` } },
    ]);
    const { context } = checkContext(
      {
        [RESOLVER]: { zones: [published] },
        [NS1.address]: { zones: [published] },
        [NS2.address]: { zones: [published] },
      },
      { domain: `mail.${DOMAIN}` },
    );
    const findings = await nameserversCheck.run(context);
    expect(ids(findings)).toEqual(['dns.nameservers-ok']);
    expect(only(findings, 'dns.nameservers-ok').subject).toBe(DOMAIN);
  });
});

describe('nameservers check: lame delegation', () => {
  it('warns about a server that answers REFUSED with AA clear while the other answers', async () => {
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), {
      [NS2.address]: { behaviour: { lame: true } },
    });
    expect(ids(findings)).toEqual(['dns.lame-delegation']);
    const lame = only(findings, 'dns.lame-delegation');
    expect(lame).toMatchObject({ status: 'warn', subject: label(NS2), ref: 'RFC 1912 §2.8' });
    expect(lame.summary).toContain('(REFUSED, AA not set)');
    expect(lame.evidence).toEqual({
      server: label(NS2),
      zone: DOMAIN,
      rcode: 'REFUSED',
      aa: false,
      dig: `dig +noedns +ignore +norecurse SOA ${DOMAIN} @${NS2.address}`,
    });
    expect(lame.remedy).toContain(`remove ${NS2.host}`);
  });

  it('fails a server that answers NOERROR but without the AA bit', async () => {
    const notAuthoritative = (client: DnsClient): DnsClient => ({
      async query(query, options) {
        const reply = await client.query(query, options);
        return query.server.host === NS1.address ? { ...reply, flags: { ...reply.flags, aa: false } } : reply;
      },
    });
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), {}, { wrap: notAuthoritative });
    expect(ids(findings)).toEqual(['dns.lame-delegation']);
    const lame = only(findings, 'dns.lame-delegation');
    expect(lame.subject).toBe(label(NS1));
    expect(lame.summary).toContain('(NOERROR, AA not set)');
    expect(lame.evidence).toMatchObject({ rcode: 'NOERROR', aa: false });
  });

  it('fails a server that serves only the parent zone (no SOA for the zone in its answer)', async () => {
    const published = delegatedZone(DOMAIN, DELEGATION, MAIL);
    const findings = await run(published, { [NS2.address]: { zones: [zone('test', [soa()])] } });
    expect(ids(findings)).toEqual(['dns.lame-delegation']);
    const lame = only(findings, 'dns.lame-delegation');
    expect(lame.summary).toContain('(NXDOMAIN)');
    expect(lame.evidence).toMatchObject({ rcode: 'NXDOMAIN', aa: true });
  });

  it('fails every server when none is authoritative: REFUSED from both', async () => {
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), {
      [NS1.address]: { behaviour: { lame: true } },
      [NS2.address]: { behaviour: { lame: true } },
    });
    expect(ids(findings)).toEqual(['dns.lame-delegation', 'dns.lame-delegation']);
    expect(findings.every((f) => f.status === 'fail')).toBe(true);
    expect(findings[0]?.summary).toContain('no other nameserver does: no resolver can look up partner.test');
  });

  it('reports a server that does not answer as unreachable (a warning while the other answers), not as lame', async () => {
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), { [NS2.address]: 'absent' });
    expect(ids(findings)).toEqual(['dns.nameserver-unreachable']);
    expect(only(findings, 'dns.nameserver-unreachable')).toMatchObject({
      status: 'warn',
      subject: label(NS2),
      evidence: {
        server: label(NS2),
        udp: 'timed out',
        edns: 'timed out',
        tcp: 'timed out',
        dig: [
          `dig +noedns +ignore +norecurse SOA ${DOMAIN} @${NS2.address}`,
          `dig +noedns +tcp +norecurse SOA ${DOMAIN} @${NS2.address}`,
        ],
      },
    });
  });

  it('fails dns.nameservers-unreachable, naming each server, when no delegated address answers at all', async () => {
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), {
      [NS1.address]: 'absent',
      [NS2.address]: 'absent',
    });
    expect(ids(findings)).toEqual(['dns.nameservers-unreachable']);
    const dead = only(findings, 'dns.nameservers-unreachable');
    expect(dead).toMatchObject({ status: 'fail', subject: DOMAIN });
    expect(dead.summary).toBe(
      `No nameserver of ${DOMAIN} answers: ${label(NS1)} timed out over UDP and TCP; ${label(NS2)} timed out over UDP and TCP. No resolver can look up ${DOMAIN}, so every sender defers mail and bounces it when its retry time runs out.`,
    );
  });
});

describe('nameservers check: servers that disagree', () => {
  it('warns dns.ns-inconsistent when the SOA serials differ', async () => {
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), {
      [NS2.address]: { zones: [delegatedZone(DOMAIN, DELEGATION, MAIL, 2026010100)] },
    });
    expect(ids(findings)).toEqual(['dns.ns-inconsistent']);
    const inconsistent = only(findings, 'dns.ns-inconsistent');
    expect(inconsistent).toMatchObject({ status: 'warn', subject: DOMAIN });
    expect(inconsistent.summary).toContain('different SOA serials');
    expect(inconsistent.evidence).toEqual({
      serials: { '2026112601': [label(NS1)], '2026010100': [label(NS2)] },
      mxSets: { [`10 mx1.${DOMAIN}`]: [label(NS1), label(NS2)] },
    });
  });

  it('warns dns.ns-inconsistent when the MX sets differ, and says so first', async () => {
    const stale = delegatedZone(DOMAIN, DELEGATION, [...MAIL, mx(20, `OLD-MX.${DOMAIN}`)], 2026010100);
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), { [NS2.address]: { zones: [stale] } });
    expect(ids(findings)).toEqual(['dns.ns-inconsistent']);
    const inconsistent = only(findings, 'dns.ns-inconsistent');
    expect(inconsistent.summary).toContain(`different MX sets for ${DOMAIN}`);
    expect(inconsistent.evidence.mxSets).toEqual({
      [`10 mx1.${DOMAIN}`]: [label(NS1)],
      [`10 mx1.${DOMAIN}, 20 old-mx.${DOMAIN}`]: [label(NS2)],
    });
  });

  it('sees the same MX set in a different order and case as consistent', async () => {
    const reordered = delegatedZone(DOMAIN, DELEGATION, [mx(20, `MX2.${DOMAIN}`), ...MAIL]);
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, [...MAIL, mx(20, `mx2.${DOMAIN}`)]), {
      [NS2.address]: { zones: [reordered] },
    });
    expect(ids(findings)).toEqual(['dns.nameservers-ok']);
  });
});

describe('nameservers check: the delegation itself', () => {
  it('warns dns.ns-unresolvable when some NS hosts have no address, and checks the rest', async () => {
    const findings = await run(delegatedZone(DOMAIN, { [NS1.host]: NS1.address, [`ns-gone.${DOMAIN}`]: null }, MAIL));
    expect(ids(findings)).toEqual(['dns.ns-unresolvable']);
    const unresolvable = only(findings, 'dns.ns-unresolvable');
    expect(unresolvable).toMatchObject({ status: 'warn', subject: DOMAIN });
    expect(unresolvable.summary).toContain('1 of 2 nameservers');
    expect(unresolvable.evidence).toEqual({
      unresolved: [`ns-gone.${DOMAIN}`],
      nameservers: [NS1.host, `ns-gone.${DOMAIN}`],
    });
  });

  it('fails dns.ns-unresolvable when no NS host has an address', async () => {
    const findings = await run(delegatedZone(DOMAIN, { [NS1.host]: null, [NS2.host]: null }, MAIL));
    expect(ids(findings)).toEqual(['dns.ns-unresolvable']);
    const unresolvable = only(findings, 'dns.ns-unresolvable');
    expect(unresolvable.status).toBe('fail');
    expect(unresolvable.summary).toContain('2 of 2 nameservers');
  });

  it('reports an NS host whose address lookup times out as a time-out, not as a host without an address', async () => {
    // The NS answer carries no addresses here (as from a server that sends none), so ns2's A is looked up, and times out.
    const slowAddress = (client: DnsClient): DnsClient => ({
      query: async (query, options) => {
        if (query.type === 'A' && query.name === NS2.host) throw new AppError('DNS_TIMEOUT', 'no answer in 100 ms');
        const reply = await client.query(query, options);
        return query.type === 'NS' ? { ...reply, additionals: [] } : reply;
      },
    });
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), {}, { wrap: slowAddress });
    expect(ids(findings)).toEqual(['dns.timeout']);
    expect(only(findings, 'dns.timeout')).toMatchObject({
      status: 'error',
      subject: NS2.host,
      evidence: { qtype: 'A', qname: NS2.host },
    });
  });

  it('fails dns.no-nameservers when neither the domain nor an enclosing zone has NS records', async () => {
    const findings = await run(zone(DOMAIN, [soa(), ...MAIL]));
    expect(ids(findings)).toEqual(['dns.no-nameservers']);
    expect(only(findings, 'dns.no-nameservers')).toMatchObject({
      status: 'fail',
      subject: DOMAIN,
      evidence: { zone: DOMAIN },
    });
  });

  it('reports an NS lookup that times out as dns.timeout only', async () => {
    const findings = await run(delegatedZone(DOMAIN, DELEGATION, MAIL), {}, { resolver: '127.0.0.9' });
    expect(ids(findings)).toEqual(['dns.timeout']);
    expect(only(findings, 'dns.timeout')).toMatchObject({
      subject: DOMAIN,
      evidence: { qtype: 'NS', server: '127.0.0.9' },
    });
  });
});
