/**
 * DNS for slash-burst.ts: `count` customer domains (burst01.test, burst02.test, ...) that all
 * hand their mail to one provider zone, burst-mail.test, each to its own MX host on its own
 * loopback address (mx01.burst-mail.test on 127.0.2.12, ...), as many small domains hosted by one
 * provider do. The smtpDomainDns idea (test/fixtures/smtp-domain.ts) widened to many domains: one
 * resolver and one authoritative server that know every zone, forward-confirmed PTRs, SPF,
 * DMARC and TLS-RPT. No `_mta-sts` record anywhere, so the bot never fetches a policy over HTTPS.
 *
 * One provider zone lets one wildcard certificate (*.burst-mail.test) fit every MX host.
 */
import type { ServerSpec, ZoneRecord } from '../test/support/dns-test-server.js';
import { soa, zone } from '../test/fixtures/zones.js';

export const RESOLVER = '127.0.2.1';
export const NAMESERVER = '127.0.2.2';
export const MAIL_ZONE = 'burst-mail.test';
/** The name on the MX hosts' certificate. */
export const MX_CERT_NAME = `*.${MAIL_ZONE}`;
const REVERSE_ZONE = '2.0.127.in-addr.arpa';
/** warmup.test's MX host takes .10, solo.test's .11; the burst domains take .12 upwards. */
const FIRST_HOST = 10;
export const MAX_DOMAINS = 254 - FIRST_HOST - 2;

export interface BurstDomain {
  readonly domain: string;
  readonly mxHost: string;
  readonly address: string;
}

/**
 * burst01.test ... (zero-padded to the width of `count`), plus two domains checked alone before
 * the burst: warmup.test (the bot's first check) and solo.test (one check on a warm, idle bot).
 */
export function burstDomains(count: number): { warmup: BurstDomain; solo: BurstDomain; domains: BurstDomain[] } {
  if (!Number.isInteger(count) || count < 1 || count > MAX_DOMAINS) throw new Error(`domains: 1 to ${MAX_DOMAINS}`);
  const width = Math.max(2, String(count).length);
  const host = (label: string, octet: number, domain: string): BurstDomain => ({
    domain,
    mxHost: `${label}.${MAIL_ZONE}`,
    address: `127.0.2.${octet}`,
  });
  return {
    warmup: host('mx-warmup', FIRST_HOST, 'warmup.test'),
    solo: host('mx-solo', FIRST_HOST + 1, 'solo.test'),
    domains: Array.from({ length: count }, (_, i) => {
      const n = String(i + 1).padStart(width, '0');
      return host(`mx${n}`, FIRST_HOST + 2 + i, `burst${n}.test`);
    }),
  };
}

function customerZone(d: BurstDomain): ZoneRecord[] {
  return [
    soa(),
    { name: '@', type: 'NS', data: 'ns1' },
    { name: 'ns1', type: 'A', data: NAMESERVER },
    { name: '@', type: 'MX', data: { preference: 10, exchange: d.mxHost } },
    { name: '@', type: 'TXT', data: 'v=spf1 mx -all' },
    { name: '_dmarc', type: 'TXT', data: `v=DMARC1; p=reject; rua=mailto:dmarc@${d.domain}` },
    { name: '_smtp._tls', type: 'TXT', data: `v=TLSRPTv1; rua=mailto:tls-reports@${d.domain}` },
  ];
}

/** The resolver first, then the authoritative server; both serve every zone. */
export function burstDnsServers(all: readonly BurstDomain[]): ServerSpec[] {
  const hostLabel = (d: BurstDomain): string => d.mxHost.slice(0, -(MAIL_ZONE.length + 1));
  const zones = [
    ...all.map((d) => zone(d.domain, customerZone(d))),
    zone(MAIL_ZONE, [
      soa(),
      { name: '@', type: 'NS', data: 'ns1' },
      { name: 'ns1', type: 'A', data: NAMESERVER },
      ...all.map((d) => ({ name: hostLabel(d), type: 'A', data: d.address })),
    ]),
    zone(REVERSE_ZONE, [
      soa(),
      { name: '@', type: 'NS', data: `ns1.${MAIL_ZONE}.` },
      ...all.map((d) => ({ name: d.address.split('.')[3] ?? '', type: 'PTR', data: `${d.mxHost}.` })),
    ]),
    zone('test', [soa()]),
  ];
  return [
    { address: RESOLVER, zones },
    { address: NAMESERVER, zones },
  ];
}
