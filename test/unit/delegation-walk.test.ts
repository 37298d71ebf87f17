/**
 * The delegation walk over a parent and a child of our own: the parent (127.0.0.50, standing in for
 * the root as the root hint) delegates partner.test with glue; the child's servers answer, or not.
 * The resolver (127.0.0.1) is absent unless a test gives it zones: the walk must not need it.
 */
import { describe, expect, it } from 'vitest';
import { nameserversCheck } from '../../src/diagnosis/checks/nameservers.js';
import type { Zone, ZoneRecord } from '../support/dns-test-server.js';
import type { FakeServer } from '../support/zone-dns-client.js';
import { checkContext, delegatedZone, ids, only, RESOLVER } from '../support/check-context.js';
import { loopbackLookup } from '../support/loopback-lookup.js';
import { DnsLookups } from '../../src/diagnosis/dns-lookups.js';
import { DomainFacts } from '../../src/diagnosis/domain-facts.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { createZoneDnsClient } from '../support/zone-dns-client.js';

const DOMAIN = 'partner.test';
const PARENT = '127.0.0.50';
const NS1 = { host: `ns1.${DOMAIN}`, address: '127.0.0.11' };
const NS2 = { host: `ns2.${DOMAIN}`, address: '127.0.0.12' };
const label = (ns: { host: string; address: string }): string => `${ns.host} (${ns.address})`;

/** The parent zone `test`: SOA, its own NS, and the delegation of partner.test with glue (or other `records`). */
function parentZone(records: readonly ZoneRecord[] = delegationOf([NS1, NS2])): Zone {
  return {
    origin: 'test',
    records: [
      {
        name: '@',
        type: 'SOA',
        data: {
          mname: 'ns.test.',
          rname: 'hostmaster.test.',
          serial: 1,
          refresh: 3600,
          retry: 600,
          expire: 604800,
          minimum: 300,
        },
      },
      { name: '@', type: 'NS', data: 'ns.test.' },
      { name: 'ns', type: 'A', data: PARENT },
      ...records,
    ],
  };
}

function delegationOf(servers: readonly { host: string; address: string }[], zone = DOMAIN): ZoneRecord[] {
  return [
    ...servers.map((s) => ({ name: `${zone}.`, type: 'NS', data: `${s.host}.` })),
    ...servers.map((s) => ({ name: `${s.host}.`, type: 'A', data: s.address })),
  ];
}

const CHILD = delegatedZone(DOMAIN, { [NS1.host]: NS1.address, [NS2.host]: NS2.address }, [
  { name: '@', type: 'MX', data: { preference: 10, exchange: `mx.${DOMAIN}` } },
]);

function run(servers: Record<string, FakeServer>) {
  const { context, client } = checkContext(
    { [PARENT]: { zones: [parentZone()] }, ...servers },
    { domain: DOMAIN, root: PARENT },
  );
  return { client, findings: nameserversCheck.run(context), authority: context.facts.authority(DOMAIN) };
}

describe('delegation walk', () => {
  it('reads the NS set and glue from the parent and asks each delegated address directly', async () => {
    const { findings, authority, client } = run({
      [NS1.address]: { zones: [CHILD] },
      [NS2.address]: { zones: [CHILD] },
    });
    expect(ids(await findings)).toEqual(['dns.nameservers-ok']);
    const found = await authority;
    expect(found).toMatchObject({ zone: DOMAIN, source: 'delegation', nsHosts: [NS1.host, NS2.host] });
    expect(found.delegation).toMatchObject({ ok: true, referral: { parentZone: '.', zone: DOMAIN, glue: [NS1, NS2] } });
    expect(client.asked.some((q) => q.server.host === RESOLVER)).toBe(false);
  });

  it('fails dns.nameservers-unreachable when no delegated address answers, whatever the resolver does', async () => {
    const { findings } = run({});
    const all = await findings;
    expect(ids(all)).toEqual(['dns.nameservers-unreachable']);
    expect(only(all, 'dns.nameservers-unreachable').summary).toContain(
      `${label(NS1)} timed out over UDP and TCP; ${label(NS2)} timed out over UDP and TCP`,
    );
  });

  it('fails dns.not-delegated when the parent says the name does not exist', async () => {
    const { findings } = run({ [PARENT]: { zones: [parentZone([])] } });
    const all = await findings;
    expect(ids(all)).toEqual(['dns.not-delegated']);
    expect(only(all, 'dns.not-delegated')).toMatchObject({
      status: 'fail',
      evidence: { zone: 'the root', dig: [`dig +edns=0 +bufsize=1232 +ignore +norecurse NS ${DOMAIN} @${PARENT}`] },
    });
  });

  it('warns dns.delegation-mismatch when the zone lists other nameservers than the parent', async () => {
    const ns3 = { host: `ns3.${DOMAIN}`, address: '127.0.0.13' };
    const child = delegatedZone(DOMAIN, { [NS1.host]: NS1.address, [ns3.host]: ns3.address });
    const { findings } = run({ [NS1.address]: { zones: [child] }, [NS2.address]: { zones: [child] } });
    const mismatch = only(await findings, 'dns.delegation-mismatch');
    expect(mismatch).toMatchObject({
      status: 'warn',
      evidence: {
        parentNs: [NS1.host, NS2.host],
        childNs: [NS1.host, ns3.host],
        onlyAtParent: [NS2.host],
        onlyInZone: [ns3.host],
        onlyInZoneAnswers: [{ server: label(ns3), state: 'unreachable' }],
      },
    });
    // Resolvers that take the zone's own NS set ask ns3 too, and nothing answers there.
    expect(mismatch.summary).toMatch(/, and ns3\.partner\.test \(127\.0\.0\.13\) does not answer for the zone\.$/);
  });

  it('warns dns.glue-mismatch when the parent glue and the zone disagree on a nameserver address', async () => {
    const moved = delegatedZone(DOMAIN, { [NS1.host]: '127.0.0.19', [NS2.host]: NS2.address });
    const { findings } = run({ [NS1.address]: { zones: [moved] }, [NS2.address]: { zones: [moved] } });
    const glue = only(await findings, 'dns.glue-mismatch');
    expect(glue).toMatchObject({ subject: NS1.host, evidence: { glue: [NS1.address], inZone: ['127.0.0.19'] } });
  });

  it('warns dns.single-nameserver for a zone with one nameserver', async () => {
    const single = delegatedZone(DOMAIN, { [NS1.host]: NS1.address });
    const { findings } = run({
      [PARENT]: { zones: [parentZone(delegationOf([NS1]))] },
      [NS1.address]: { zones: [single] },
    });
    expect(ids(await findings)).toEqual(['dns.single-nameserver']);
  });

  it('resolves a glue-less nameserver in another zone through that zone, and gives up on one that only its own zone could name', async () => {
    const other = { host: 'ns.dns-host.test', address: '127.0.0.21' };
    const hosting: Zone = delegatedZone('dns-host.test', { [other.host]: other.address });
    const parent = parentZone([
      { name: `${DOMAIN}.`, type: 'NS', data: `${other.host}.` },
      { name: `${DOMAIN}.`, type: 'NS', data: `ns9.${DOMAIN}.` },
      ...delegationOf([other], 'dns-host.test'),
    ]);
    const child = delegatedZone(DOMAIN, { [other.host]: null, [`ns9.${DOMAIN}`]: null });
    const { findings, authority } = run({
      [PARENT]: { zones: [parent] },
      [other.address]: { zones: [hosting, child] },
    });
    expect((await authority).servers).toEqual([
      { host: other.host, address: other.address, server: { host: other.address, port: 53 } },
    ]);
    expect(ids(await findings)).toContain('dns.ns-unresolvable');
  });
});

describe('IPv6 nameserver addresses', () => {
  it('says an IPv6 address was not tested, never that it is unreachable, and sends it nothing', async () => {
    const v6 = { host: NS1.host, address: '2001:db8::53' };
    const parent = parentZone([...delegationOf([NS1, NS2]), { name: `${NS1.host}.`, type: 'AAAA', data: v6.address }]);
    const { findings, client } = run({
      [PARENT]: { zones: [parent] },
      [NS1.address]: { zones: [CHILD] },
      [NS2.address]: { zones: [CHILD] },
    });
    const all = await findings;
    expect(ids(all)).toEqual(['dns.ipv6-not-tested', 'dns.nameservers-ok']);
    expect(only(all, 'dns.ipv6-not-tested')).toMatchObject({ status: 'info', evidence: { addresses: [label(v6)] } });
    expect(client.asked.some((q) => q.server.host === v6.address)).toBe(false);
  });
});

describe('addresses we must not ask', () => {
  it('does not send a packet to a private or broadcast nameserver address learned from the parent, and says so', async () => {
    const hostile = [
      { host: 'ns1.partner.test', address: '10.1.2.3' },
      { host: 'ns2.partner.test', address: '255.255.255.255' },
    ];
    const client = createZoneDnsClient({ [PARENT]: { zones: [parentZone(delegationOf(hostile))] } });
    const dns = new DnsLookups(
      client,
      loopbackLookup(RESOLVER, 53, 100, {
        rootHints: [{ host: 'root.test', address: PARENT }],
        allowPrivateTargets: false,
      }),
    );
    const context = {
      domain: DOMAIN,
      target: parseCheckTarget(DOMAIN),
      smtp: undefined,
      dns,
      facts: new DomainFacts(DOMAIN, dns),
    };
    const findings = await nameserversCheck.run(context);
    expect(ids(findings)).toEqual(['dns.nameserver-not-public', 'dns.nameserver-not-public']);
    expect(findings.map((f) => f.evidence.range).sort()).toEqual(['broadcast', 'private']);
    expect(client.asked.map((q) => q.server.host).filter((host) => host !== PARENT)).toEqual([]);
  });

  it('stops sending once the check has used its query budget, and counts what it held back', async () => {
    const client = createZoneDnsClient({
      [PARENT]: { zones: [parentZone()] },
      [NS1.address]: { zones: [CHILD] },
      [NS2.address]: { zones: [CHILD] },
    });
    const dns = new DnsLookups(
      client,
      loopbackLookup(RESOLVER, 53, 100, { rootHints: [{ host: 'root.test', address: PARENT }], maxQueries: 3 }),
    );
    const context = {
      domain: DOMAIN,
      target: parseCheckTarget(DOMAIN),
      smtp: undefined,
      dns,
      facts: new DomainFacts(DOMAIN, dns),
    };
    await nameserversCheck.run(context);
    expect(client.asked).toHaveLength(3);
    expect(dns.queriesOverBudget).toBeGreaterThan(0);
  });
});
