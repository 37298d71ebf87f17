import { describe, expect, it } from 'vitest';
import { dnsblCheck } from '../../src/diagnosis/checks/dnsbl.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import type { Zone, ZoneRecord } from '../support/dns-test-server.js';
import type { ZoneDnsClient } from '../support/zone-dns-client.js';
import { checkContext, ids, only, RESOLVER } from '../support/check-context.js';
import { soa, zone } from '../fixtures/zones.js';

const DOMAIN = 'partner.test';

/** mx1 at 11.22.33.10, mx2 at 11.22.33.11 and, sharing mx1's address, mx3. */
const MAIL: ZoneRecord[] = [
  { name: '@', type: 'MX', data: { preference: 10, exchange: 'mx1.partner.test' } },
  { name: '@', type: 'MX', data: { preference: 20, exchange: 'mx2.partner.test' } },
  { name: '@', type: 'MX', data: { preference: 30, exchange: 'mx3.partner.test' } },
  { name: 'mx1', type: 'A', data: '11.22.33.10' },
  { name: 'mx2', type: 'A', data: '11.22.33.11' },
  { name: 'mx3', type: 'A', data: '11.22.33.10' },
];

/** A DNSBL zone; `entries` maps an address to the A records (and TXT reason) listed for it. */
function blocklist(origin: string, entries: Record<string, { codes: string[]; reason?: string }> = {}): Zone {
  return zone(origin, [
    soa(),
    ...Object.entries(entries).flatMap(([address, { codes, reason }]) => {
      const name = address.split('.').reverse().join('.');
      return [
        ...codes.map((data) => ({ name, type: 'A', data })),
        ...(reason ? [{ name, type: 'TXT', data: reason }] : []),
      ];
    }),
  ]);
}

function setup(
  mail: ZoneRecord[],
  lists: Zone[],
  dnsblZones: readonly string[] | undefined,
): { client: ZoneDnsClient; run: () => Promise<Finding[]> } {
  const { client, context } = checkContext(
    { [RESOLVER]: { zones: [zone(DOMAIN, [soa(), ...mail]), ...lists] } },
    { domain: DOMAIN },
  );
  return { client, run: () => dnsblCheck.run({ ...context, dnsblZones }) };
}

describe('dnsbl check', () => {
  it.each([undefined, [], ['  ', '.']])('does nothing when no zones are configured (%j)', async (zones) => {
    const { client, run } = setup(MAIL, [blocklist('bl.test')], zones);
    expect(await run()).toEqual([]);
    expect(client.asked).toEqual([]);
  });

  it('passes when no list has the addresses, asking each address once per zone with reversed octets', async () => {
    const { client, run } = setup(MAIL, [blocklist('bl.test'), blocklist('other.test')], ['bl.test', 'Other.Test.']);
    const findings = await run();
    expect(ids(findings)).toEqual(['dnsbl.ok']);
    expect(only(findings, 'dnsbl.ok')).toMatchObject({
      status: 'pass',
      subject: DOMAIN,
      evidence: { addresses: ['11.22.33.10', '11.22.33.11'], zones: ['bl.test', 'other.test'] },
    });
    const listQueries = client.asked.filter((q) => q.name.endsWith('bl.test') || q.name.endsWith('other.test'));
    expect(listQueries.map((q) => `${q.type} ${q.name}`).sort()).toEqual([
      'A 10.33.22.11.bl.test',
      'A 10.33.22.11.other.test',
      'A 11.33.22.11.bl.test',
      'A 11.33.22.11.other.test',
    ]);
  });

  it('warns dnsbl.listed with the return codes and the TXT reason, and does not pass', async () => {
    const lists = [
      blocklist('bl.test', {
        '11.22.33.11': {
          codes: ['127.0.0.2', '127.0.0.4'],
          reason: 'Listed: see https://bl.test/lookup?ip=11.22.33.11',
        },
      }),
      blocklist('other.test'),
    ];
    const findings = await setup(MAIL, lists, ['bl.test', 'other.test']).run();
    expect(ids(findings)).toEqual(['dnsbl.listed']);
    const listed = only(findings, 'dnsbl.listed');
    expect(listed).toMatchObject({
      status: 'warn',
      subject: '11.22.33.11',
      evidence: {
        mxHost: 'mx2.partner.test',
        zone: 'bl.test',
        query: '11.33.22.11.bl.test',
        codes: ['127.0.0.2', '127.0.0.4'],
        reasons: ['Listed: see https://bl.test/lookup?ip=11.22.33.11'],
      },
    });
    expect(listed.summary).toContain('outgoing mail');
  });

  it('names an address shared by several MX hosts after the most preferred one', async () => {
    const findings = await setup(
      MAIL,
      [blocklist('bl.test', { '11.22.33.10': { codes: ['127.0.0.2'] } })],
      ['bl.test'],
    ).run();
    expect(only(findings, 'dnsbl.listed').evidence).toMatchObject({
      address: '11.22.33.10',
      mxHost: 'mx1.partner.test',
    });
  });

  it('reports 127.255.255.x as dnsbl.refused once per zone, never as listed, and still passes the zones that answered', async () => {
    const refusing = blocklist('zen.bl.test', {
      '11.22.33.10': { codes: ['127.255.255.254'] },
      '11.22.33.11': { codes: ['127.255.255.254'] },
    });
    const findings = await setup(MAIL, [refusing, blocklist('other.test')], ['zen.bl.test', 'other.test']).run();
    expect(ids(findings)).toEqual(['dnsbl.ok', 'dnsbl.refused']);
    expect(only(findings, 'dnsbl.refused')).toMatchObject({
      status: 'error',
      subject: 'zen.bl.test',
      evidence: { codes: ['127.255.255.254'], resolver: RESOLVER, addresses: ['11.22.33.10', '11.22.33.11'] },
    });
    expect(only(findings, 'dnsbl.ok').evidence).toMatchObject({ zones: ['other.test'] });
  });

  it('reports an answer outside 127/8 as dnsbl.unexpected-answer', async () => {
    const hijacked = blocklist('gone.test', { '11.22.33.10': { codes: ['198.51.100.7'] } });
    const findings = await setup(MAIL, [hijacked], ['gone.test']).run();
    expect(ids(findings)).toEqual(['dnsbl.unexpected-answer']);
    expect(only(findings, 'dnsbl.unexpected-answer')).toMatchObject({
      status: 'error',
      subject: 'gone.test',
      evidence: { codes: ['198.51.100.7'] },
    });
  });

  it('reports a zone that cannot be asked as a lookup error, not as clean', async () => {
    const findings = await setup(MAIL, [], ['unserved.test']).run();
    expect(ids(findings)).toEqual(['dnsbl.lookup-failed', 'dnsbl.lookup-failed']);
    expect(findings.map((f) => f.subject).sort()).toEqual(['10.33.22.11.unserved.test', '11.33.22.11.unserved.test']);
  });

  it('looks up only public IPv4 addresses', async () => {
    const mail: ZoneRecord[] = [
      { name: '@', type: 'MX', data: { preference: 10, exchange: 'mx1.partner.test' } },
      { name: 'mx1', type: 'A', data: '10.1.2.3' },
      { name: 'mx1', type: 'AAAA', data: '2a00:1450::25' },
    ];
    const { client, run } = setup(mail, [blocklist('bl.test')], ['bl.test']);
    expect(await run()).toEqual([]);
    expect(client.asked.some((q) => q.name.endsWith('bl.test'))).toBe(false);
  });
});
