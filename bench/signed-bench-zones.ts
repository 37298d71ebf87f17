/**
 * bench.test signed, as a typical signed domain sits in the DNS: the same records as bench-zones.ts
 * (3 nameservers, 2 MX hosts, SPF with an include, DMARC), signed with ECDSAP256SHA256 and NSEC3 by
 * dnssec-signzone, under a signed TLD `test.` under a signed root, each with its own server, so the
 * walk meets two referrals and the chain of trust three zones. The reverse zone stays unsigned.
 *
 * Every public address the check sees is a forwarder that holds each answer for the bench's delay
 * (delayed-forwarders.ts); behind them four Knot servers: the root, the TLD, bench.test's three
 * nameservers (one Knot), and the resolver, which answers from every zone as a warm cache would.
 */
import type { Zone, ZoneRecord } from '../test/support/dns-test-server.js';
import { signZone } from '../test/support/dnssec-zone.js';
import type { KnotZone } from '../test/support/knot-server.js';
import { BENCH_ZONES, DOMAIN, NAMESERVERS, RESOLVER } from './bench-zones.js';

export const ROOT = '127.0.0.34';
export const TLD = '127.0.0.35';

/** A Knot server behind forwarders: the public addresses the check asks, and the zones it serves. */
export interface SignedBenchServer {
  /** Loopback address Knot listens on; only the forwarders ask it. */
  readonly upstream: string;
  readonly publicAddresses: readonly string[];
  readonly zones: readonly KnotZone[];
}

export interface SignedBench {
  readonly servers: readonly SignedBenchServer[];
  /** The root KSK's DNSKEY line: the trust anchor. */
  readonly anchor: string;
}

const [domainZone, reverseZone] = BENCH_ZONES as [Zone, Zone];

export function signedBench(): SignedBench {
  const domain = signZone({ origin: DOMAIN, body: zoneText(domainZone), nsec3: true });
  const tld = signZone({
    origin: 'test',
    body: [
      '@ SOA ns.nic.test. hostmaster.nic.test. 1 3600 600 604800 300',
      '@ NS ns.nic.test.',
      `ns.nic.test. A ${TLD}`,
      ...NAMESERVERS.flatMap((address, i) => [
        `${DOMAIN}. NS ns${i + 1}.${DOMAIN}.`,
        `ns${i + 1}.${DOMAIN}. A ${address}`,
      ]),
    ].join('\n'),
    childDs: domain.ds,
    nsec3: true,
  });
  const root = signZone({
    origin: '.',
    body: [
      '@ SOA a.root.test. hostmaster.root.test. 1 3600 600 604800 300',
      '@ NS a.root.test.',
      `a.root.test. A ${ROOT}`,
      'test. NS ns.nic.test.',
      `ns.nic.test. A ${TLD}`,
      // Unsigned: the reverse zone's delegation carries no DS.
      `${reverseZone.origin}. NS ns1.${DOMAIN}.`,
    ].join('\n'),
    childDs: tld.ds,
  });
  const reverse: KnotZone = { origin: reverseZone.origin, zoneText: `$TTL 300\n${zoneText(reverseZone)}` };
  const rootZone: KnotZone = { origin: '.', zoneText: root.text };
  const tldZone: KnotZone = { origin: 'test', zoneText: tld.text };
  const domainZoneText: KnotZone = { origin: DOMAIN, zoneText: domain.text };
  return {
    anchor: root.kskLine,
    servers: [
      { upstream: '127.0.100.34', publicAddresses: [ROOT], zones: [rootZone] },
      { upstream: '127.0.100.35', publicAddresses: [TLD], zones: [tldZone] },
      { upstream: '127.0.100.31', publicAddresses: NAMESERVERS, zones: [domainZoneText, reverse] },
      { upstream: '127.0.100.30', publicAddresses: [RESOLVER], zones: [rootZone, tldZone, domainZoneText, reverse] },
    ],
  };
}

/** A fixture zone (test/support's records) as master-file text. */
function zoneText(zone: Zone): string {
  return [`$ORIGIN ${zone.origin}.`, ...zone.records.map(recordText)].join('\n');
}

function recordText(record: ZoneRecord): string {
  const absolute = (name: string): string => (name.endsWith('.') ? name : `${name}.`);
  const data = record.data as Record<string, unknown> | string;
  switch (record.type) {
    case 'SOA': {
      const soa = data as Record<string, string | number>;
      return `${record.name} SOA ${String(soa.mname)} ${String(soa.rname)} ${[soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum].join(' ')}`;
    }
    case 'MX': {
      const mx = data as { preference: number; exchange: string };
      return `${record.name} MX ${mx.preference} ${absolute(mx.exchange)}`;
    }
    case 'TXT':
      return `${record.name} TXT "${String(data)}"`;
    case 'A':
    case 'AAAA':
    case 'NS':
    case 'PTR':
    case 'CNAME':
      return `${record.name} ${record.type} ${String(data)}`;
    default:
      throw new Error(`no master-file form for ${record.type} in the bench zones`);
  }
}
