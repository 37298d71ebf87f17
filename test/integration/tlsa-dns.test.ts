import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daneCheck } from '../../src/diagnosis/checks/dane.js';
import { formatRecord } from '../../src/diagnosis/dns-port.js';
import type { SmtpProber } from '../../src/diagnosis/smtp-port.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { checkContext, ids, RESOLVER } from '../support/check-context.js';
import { certificateInfo, MX1_CERT, OPENSSL_DIGESTS as D, TEST_CA_CERT } from '../fixtures/tls-certificates.js';
import { soa, zone } from '../fixtures/zones.js';

const TLSA = {
  name: '_25._tcp.mx1',
  type: 'TLSA',
  data: { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.from(D.mx1.spkiSha256, 'hex') },
};
const fixture = zone('partner.test', [
  soa(),
  { name: '@', type: 'MX', data: { preference: 10, exchange: 'mx1.partner.test' } },
  { name: 'mx1', type: 'A', data: '11.22.33.10' },
  TLSA,
]);

describe('TLSA through the wire codec', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  beforeAll(async () => {
    network = await startDnsServers([{ address: '127.0.0.31', zones: [fixture], behaviour: { authenticData: true } }]);
  });
  afterAll(() => network.close());

  it('decodes TLSA records and sees AD only when asked with DO', async () => {
    const client = createDnsClient();
    const base = {
      server: { host: '127.0.0.31', port: network.port },
      name: '_25._tcp.mx1.partner.test',
      type: 'TLSA',
      transport: 'udp',
    } as const;
    const secure = await client.query(
      { ...base, edns: { udpSize: 1232, dnssecOk: true } },
      { timeoutMs: 400, retries: 0 },
    );
    expect(secure.flags.ad).toBe(true);
    expect(secure.answers).toEqual([
      {
        type: 'TLSA',
        name: '_25._tcp.mx1.partner.test',
        ttl: 300,
        usage: 3,
        selector: 1,
        matchingType: 1,
        certificateData: D.mx1.spkiSha256,
      },
    ]);
    expect(formatRecord(secure.answers[0]!)).toBe(`_25._tcp.mx1.partner.test. 300 IN TLSA 3 1 1 ${D.mx1.spkiSha256}`);
    const plain = await client.query({ ...base, edns: { udpSize: 1232 } }, { timeoutMs: 400, retries: 0 });
    expect(plain.flags.ad).toBe(false);
  });

  it.each([
    [true, ['dane.match']],
    [false, ['dane.unvalidated']],
  ] as const)('dane check over fixture zones, authenticData %s', async (authenticData, expected) => {
    const { context } = checkContext(
      { [RESOLVER]: { zones: [fixture], behaviour: { authenticData } } },
      { domain: 'partner.test' },
    );
    const prober: SmtpProber = {
      probe: async (request) => ({
        request,
        refusedByPolicy: undefined,
        connect: { ok: true, ms: 1 },
        banner: undefined,
        ehlo: { code: 250, lines: [], ms: 1 },
        helo: undefined,
        extensions: { STARTTLS: '' },
        starttls: undefined,
        ehloAfterTls: undefined,
        mail: undefined,
        rcpt: undefined,
        abort: undefined,
        transcript: [],
        totalMs: 1,
        tls: {
          ok: true,
          protocol: 'TLSv1.3',
          cipher: undefined,
          error: undefined,
          chain: [certificateInfo(MX1_CERT), certificateInfo(TEST_CA_CERT)],
          trusted: false,
          trustError: undefined,
          nameMatches: true,
          ms: 1,
        },
      }),
    };
    expect(ids(await daneCheck.run({ ...context, smtp: { prober, port: 25, heloName: 'mxops.test' } }))).toEqual(
      expected,
    );
  });
});
