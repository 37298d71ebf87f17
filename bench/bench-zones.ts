/** The benchmark's domain: 3 nameservers, 2 MX hosts, SPF with an include, DMARC, forward-confirmed PTRs. */
import type { Zone } from '../test/support/dns-test-server.js';
import { soa, zone } from '../test/fixtures/zones.js';

export const DOMAIN = 'bench.test';
export const RESOLVER = '127.0.0.30';
export const NAMESERVERS = ['127.0.0.31', '127.0.0.32', '127.0.0.33'];

/**
 * The benchmark's zones with the two MX hosts at `mxAddresses` (in one /24, whose reverse zone
 * holds their PTRs): made-up public ones for the DNS-only benches, loopback ones where real SMTP
 * servers listen (round-trips.ts).
 */
export function benchZones(mxAddresses: readonly [string, string]): Zone[] {
  const reverseZone = `${mxAddresses[0].split('.').slice(0, 3).reverse().join('.')}.in-addr.arpa`;
  return [
    zone(DOMAIN, [
      soa(),
      ...NAMESERVERS.map((_, i) => ({ name: '@', type: 'NS', data: `ns${i + 1}` })),
      ...NAMESERVERS.map((address, i) => ({ name: `ns${i + 1}`, type: 'A', data: address })),
      ...mxAddresses.map((_, i) => ({
        name: '@',
        type: 'MX',
        data: { preference: 10 * (i + 1), exchange: `mx${i + 1}.${DOMAIN}` },
      })),
      ...mxAddresses.map((address, i) => ({ name: `mx${i + 1}`, type: 'A', data: address })),
      { name: '@', type: 'TXT', data: 'v=spf1 mx include:_spf.bench.test -all' },
      { name: '_spf', type: 'TXT', data: 'v=spf1 ip4:11.22.41.0/24 -all' },
      { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:dmarc@bench.test' },
    ]),
    zone(reverseZone, [
      soa(),
      { name: '@', type: 'NS', data: `ns1.${DOMAIN}.` },
      ...mxAddresses.map((address, i) => ({
        name: address.split('.')[3] ?? '',
        type: 'PTR',
        data: `mx${i + 1}.${DOMAIN}.`,
      })),
    ]),
    zone('test', [soa()]),
  ];
}

export const BENCH_ZONES: Zone[] = benchZones(['11.22.40.1', '11.22.40.2']);

/** The resolver first, then the authoritative servers. */
export const BENCH_SERVERS = [RESOLVER, ...NAMESERVERS];
