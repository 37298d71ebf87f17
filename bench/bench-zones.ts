/** The benchmark's domain: 3 nameservers, 2 MX hosts, SPF with an include, DMARC, forward-confirmed PTRs. */
import type { Zone } from '../test/support/dns-test-server.js';
import { soa, zone } from '../test/fixtures/zones.js';

export const DOMAIN = 'bench.test';
export const RESOLVER = '127.0.0.30';
export const NAMESERVERS = ['127.0.0.31', '127.0.0.32', '127.0.0.33'];
const MX_ADDRESSES = ['11.22.40.1', '11.22.40.2'];

export const BENCH_ZONES: Zone[] = [
  zone(DOMAIN, [
    soa(),
    ...NAMESERVERS.map((_, i) => ({ name: '@', type: 'NS', data: `ns${i + 1}` })),
    ...NAMESERVERS.map((address, i) => ({ name: `ns${i + 1}`, type: 'A', data: address })),
    ...MX_ADDRESSES.map((_, i) => ({
      name: '@',
      type: 'MX',
      data: { preference: 10 * (i + 1), exchange: `mx${i + 1}.${DOMAIN}` },
    })),
    ...MX_ADDRESSES.map((address, i) => ({ name: `mx${i + 1}`, type: 'A', data: address })),
    { name: '@', type: 'TXT', data: 'v=spf1 mx include:_spf.bench.test -all' },
    { name: '_spf', type: 'TXT', data: 'v=spf1 ip4:11.22.41.0/24 -all' },
    { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:dmarc@bench.test' },
  ]),
  zone('40.22.11.in-addr.arpa', [
    soa(),
    { name: '@', type: 'NS', data: `ns1.${DOMAIN}.` },
    ...MX_ADDRESSES.map((_, i) => ({ name: String(i + 1), type: 'PTR', data: `mx${i + 1}.${DOMAIN}.` })),
  ]),
  zone('test', [soa()]),
];

/** The resolver first, then the authoritative servers. */
export const BENCH_SERVERS = [RESOLVER, ...NAMESERVERS];
