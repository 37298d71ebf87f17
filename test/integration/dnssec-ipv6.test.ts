/**
 * DNSSEC through nameservers reachable only over IPv6, on loopback (::1): the delegation walk and
 * the validator must ask them for DNSKEY, DS and the mail RRsets as they ask IPv4 servers (RFC
 * 3596: AAAA glue and addresses are as good as A). Three shapes: a zone whose only glue is AAAA
 * (its DNSKEY and MX come over IPv6), a child of that zone (its DS comes over IPv6, its DNSKEY over
 * IPv4), and a zone delegated without glue to a nameserver that has only an AAAA record. Every
 * verdict is checked against a validating Unbound with the same anchor.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnssecCheck } from '../../src/diagnosis/checks/dnssec.js';
import { mxCheck } from '../../src/diagnosis/checks/mx.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import {
  delegationTo,
  dnssecFindingsOf,
  mxopsSays,
  startDnssecBed,
  type DnssecBed,
} from '../support/dnssec-test-bed.js';
import { bindToolsAvailable, signZone } from '../support/dnssec-zone.js';
import { KNOT_START_TIMEOUT_MS, knotAvailable } from '../support/knot-server.js';
import { skipWithout } from '../support/required-tool.js';
import { unboundAvailable } from '../support/unbound-server.js';

const ROOT = '127.0.74.1';
const KNOT = '127.0.74.2';
const RESOLVER = '127.0.74.3';
const IPV6_ONLY = '::1';

const mail = (prefix: string): string[] => [`@ MX 10 mx1`, `mx1 A 11.22.74.${prefix}`];

const DOMAINS = ['v6glue.test', 'partner.v6glue.test', 'v6only.test'] as const;
type Domain = (typeof DOMAINS)[number];

/** Whether this machine has ::1 (a container may run with IPv6 off). */
async function ipv6LoopbackAvailable(): Promise<boolean> {
  const socket = dgram.createSocket('udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, IPV6_ONLY, () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

const skip = skipWithout(
  "Knot, BIND's dnssec-signzone, Unbound and IPv6 on loopback (::1)",
  (await knotAvailable()) && bindToolsAvailable() && unboundAvailable() && (await ipv6LoopbackAvailable()),
);

describe.skipIf(skip)('DNSSEC through nameservers reachable only over IPv6', () => {
  let bed: DnssecBed;
  const reports = new Map<Domain, DiagnosisReport>();

  beforeAll(async () => {
    const child = signZone({
      origin: 'partner.v6glue.test',
      body: ['@ SOA ns hostmaster 1 3600 600 604800 300', '@ NS ns', `ns A ${KNOT}`, ...mail('2')].join('\n'),
    });
    const glued = signZone({
      origin: 'v6glue.test',
      body: [
        '@ SOA ns hostmaster 1 3600 600 604800 300',
        '@ NS ns',
        `ns AAAA ${IPV6_ONLY}`,
        // v6only.test's nameserver: the root holds no address for it, unlike ns.v6glue.test's glue.
        `ns6 AAAA ${IPV6_ONLY}`,
        ...mail('1'),
        ...delegationTo('partner.v6glue.test', KNOT),
      ].join('\n'),
      childDs: child.ds,
    });
    const glueless = signZone({
      origin: 'v6only.test',
      body: ['@ SOA ns6.v6glue.test. hostmaster 1 3600 600 604800 300', '@ NS ns6.v6glue.test.', ...mail('3')].join(
        '\n',
      ),
    });
    bed = await startDnssecBed({
      root: ROOT,
      resolver: RESOLVER,
      delegations: [
        ...delegationTo('v6glue.test', IPV6_ONLY, glued.ds),
        // No glue: ns6.v6glue.test is out of the zone, and its only address is AAAA ::1 in v6glue.test.
        'v6only.test. NS ns6.v6glue.test.',
        glueless.ds,
      ],
      servers: [
        {
          address: IPV6_ONLY,
          zones: [
            { origin: 'v6glue.test', zoneText: glued.text },
            { origin: 'v6only.test', zoneText: glueless.text },
          ],
        },
        { address: KNOT, zones: [{ origin: 'partner.v6glue.test', zoneText: child.text }] },
      ],
      stubs: { 'v6glue.test': IPV6_ONLY, 'v6only.test': IPV6_ONLY, 'partner.v6glue.test': KNOT },
    });
    for (const domain of DOMAINS) reports.set(domain, await bed.diagnose(domain, [mxCheck, dnssecCheck]));
  }, 3 * KNOT_START_TIMEOUT_MS);

  afterAll(async () => {
    await bed?.stop();
  });

  const report = (domain: Domain): DiagnosisReport => reports.get(domain) as DiagnosisReport;

  it.each(DOMAINS)('%s: mxops says secure, and so does a validating Unbound', async (domain) => {
    expect(mxopsSays(report(domain), `MX ${domain}`), dnssecFindingsOf(report(domain))).toBe('secure');
    expect(await bed.unboundSays(domain)).toBe('secure');
  });

  it('fetches DNSKEY from the IPv6-only servers and DS from an IPv6-only parent, as the chain in the evidence shows', () => {
    const chainOf = (domain: Domain) =>
      report(domain).findings.find((f) => f.id === 'dnssec.secure')?.evidence.chain as {
        zone: string;
        server?: string;
      }[];
    expect(chainOf('v6glue.test')).toEqual([
      expect.objectContaining({ zone: '.', server: expect.stringContaining(ROOT) }),
      expect.objectContaining({ zone: 'v6glue.test', server: expect.stringContaining(IPV6_ONLY) }),
    ]);
    expect(chainOf('partner.v6glue.test').map((l) => l.zone)).toEqual(['.', 'v6glue.test', 'partner.v6glue.test']);
    expect(chainOf('partner.v6glue.test')[2]?.server).toContain(KNOT);
    expect(chainOf('v6only.test')[1]).toMatchObject({
      zone: 'v6only.test',
      server: expect.stringContaining(IPV6_ONLY),
    });
  });
});
