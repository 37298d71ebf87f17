/**
 * Self-test of the Knot harness: the real Knot DNS server on loopback, asked by our own client.
 * Skipped only where knotd is not installed; .ci/run installs it, so CI always runs this.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsQuery } from '../../src/diagnosis/dns-port.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { type RunningKnot, knotAvailable, startKnot } from '../support/knot-server.js';
import { skipWithout } from '../support/required-tool.js';

const ORIGIN = 'big.test';
const MX_COUNT = 20;
const ADDRESS = '127.0.0.41';

/** 20 MX records with long names: about 730 bytes of answer, well past a 512-byte reply. */
const zoneText = [
  `$ORIGIN ${ORIGIN}.`,
  '$TTL 300',
  '@ SOA ns1 hostmaster 2026112601 3600 600 604800 300',
  '@ NS ns1',
  `ns1 A ${ADDRESS}`,
  ...Array.from(
    { length: MX_COUNT },
    (_, i) => `@ MX ${10 + i} inbound-filter-${String(i).padStart(2, '0')}.scanning-service-cluster`,
  ),
].join('\n');

const skip = skipWithout('Knot DNS (knotd)', await knotAvailable());

describe.skipIf(skip)('Knot DNS on loopback', () => {
  let knot: RunningKnot;
  const client = createDnsClient();
  const options = { timeoutMs: 2_000, retries: 1 };
  const ask = (overrides: Partial<DnsQuery> = {}): DnsQuery => ({
    server: { host: knot.address, port: knot.port },
    name: ORIGIN,
    type: 'MX',
    transport: 'udp',
    edns: false,
    ...overrides,
  });

  beforeAll(async () => {
    knot = await startKnot({ address: ADDRESS, zones: [{ origin: ORIGIN, zoneText }] });
  });
  afterAll(async () => {
    await knot?.stop();
  });

  it('truncates a no-EDNS UDP MX answer that does not fit in 512 bytes', async () => {
    const udp = await client.query(ask(), options);
    expect(udp.rcode).toBe('NOERROR');
    expect(udp.flags.aa).toBe(true);
    expect(udp.flags.tc).toBe(true);
    expect(udp.size).toBeLessThanOrEqual(512);
  });

  it('sends all 20 MX records over TCP, the answer section ending past byte 512', async () => {
    const tcp = await client.query(ask({ transport: 'tcp' }), options);
    expect(tcp.rcode).toBe('NOERROR');
    expect(tcp.flags.tc).toBe(false);
    expect(tcp.flags.aa).toBe(true);
    const mx = tcp.answers.filter((r) => r.type === 'MX');
    expect(mx).toHaveLength(MX_COUNT);
    expect(mx.map((r) => r.exchange).sort()).toContain(`inbound-filter-19.scanning-service-cluster.${ORIGIN}`);
    expect(tcp.answerEnd).toBeGreaterThan(512);
    expect(tcp.complete).toBe(true);
  });
});
