import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsClient } from '../../src/net/dns-client.js';
import type { DnsQuery } from '../../src/diagnosis/dns-port.js';
import { isAppError } from '../../src/errors.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { manyMx, soa, zone } from '../fixtures/zones.js';

const ORIGIN = 'big.test';
const fixture = zone(ORIGIN, [
  soa(),
  { name: '@', type: 'NS', data: 'ns1' },
  ...manyMx(12, ORIGIN),
  { name: 'ns1', type: 'A', data: '127.0.0.21' },
]);

describe('DNS client against servers on loopback', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  const client = createDnsClient();
  // Every server asked with these options answers: the time-out only bounds a hang. A tight one
  // (400 ms) failed under load, where a stalled event loop sees the time-out before the answer.
  const options = { timeoutMs: 10_000, retries: 0 };
  const ask = (host: string, overrides: Partial<DnsQuery> = {}): DnsQuery => ({
    server: { host, port: network.port },
    name: ORIGIN,
    type: 'MX',
    transport: 'udp',
    edns: false,
    ...overrides,
  });

  beforeAll(async () => {
    network = await startDnsServers([
      { address: '127.0.0.21', zones: [fixture] },
      { address: '127.0.0.22', zones: [fixture], behaviour: { tcp: false } },
      { address: '127.0.0.23', zones: [fixture], behaviour: { silent: true } },
      { address: '127.0.0.24', zones: [fixture], behaviour: { ignoreUdpLimit: true } },
    ]);
  });
  afterAll(() => network.close());

  it('sees TC on a no-EDNS UDP reply that does not fit, then the whole answer over TCP', async () => {
    const udp = await client.query(ask('127.0.0.21'), options);
    expect(udp.flags.tc).toBe(true);
    expect(udp.answers).toHaveLength(0);
    expect(udp.size).toBeLessThanOrEqual(512);

    const tcp = await client.query(ask('127.0.0.21', { transport: 'tcp' }), options);
    expect(tcp.flags.tc).toBe(false);
    expect(tcp.flags.aa).toBe(true);
    expect(tcp.answers.filter((r) => r.type === 'MX')).toHaveLength(12);
    expect(tcp.answerEnd).toBeGreaterThan(512);
    expect(tcp.answerEnd).toBe(tcp.size); // no authority or additional records in this reply
    expect(tcp.rttMs).toBeGreaterThan(0);
  });

  it('gets the whole answer over UDP with EDNS 1232 and reads the OPT record back', async () => {
    const reply = await client.query(ask('127.0.0.21', { edns: { udpSize: 1232 } }), options);
    expect(reply.flags.tc).toBe(false);
    expect(reply.edns?.udpSize).toBe(1232);
    expect(reply.answers).toHaveLength(12);
    expect(reply.answerEnd).toBeLessThan(reply.size); // the OPT record follows the answers
  });

  it('returns rcodes as results: NXDOMAIN with the SOA, and BADVERS for EDNS version 1', async () => {
    const nx = await client.query(ask('127.0.0.21', { name: `nothing.${ORIGIN}`, type: 'A' }), options);
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authorities[0]?.type).toBe('SOA');
    const badvers = await client.query(
      ask('127.0.0.21', { type: 'SOA', edns: { udpSize: 1232, version: 1 } }),
      options,
    );
    expect(badvers.rcode).toBe('BADVERS');
  });

  it('measures the answer end of an oversized reply sent without truncation', async () => {
    const reply = await client.query(ask('127.0.0.24'), options);
    expect(reply.flags.tc).toBe(false);
    expect(reply.size).toBeGreaterThan(512);
    expect(reply.answerEnd).toBe(reply.size);
  });

  it('types transport failures: refused TCP and silence', async () => {
    const refused = await client.query(ask('127.0.0.22', { transport: 'tcp' }), options).catch((e: unknown) => e);
    expect(isAppError(refused, 'DNS_CONNECTION_REFUSED')).toBe(true);
    const silent = await client.query(ask('127.0.0.23'), { timeoutMs: 150, retries: 1 }).catch((e: unknown) => e);
    expect(isAppError(silent, 'DNS_TIMEOUT')).toBe(true);
    expect(network.servers[2]?.queries).toHaveLength(2); // the retry went out
  });
});
