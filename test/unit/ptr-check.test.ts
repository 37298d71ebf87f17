import { describe, expect, it } from 'vitest';
import { ptrCheck } from '../../src/diagnosis/checks/ptr.js';
import type { DnsClient } from '../../src/diagnosis/dns-port.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { AppError } from '../../src/errors.js';
import type { ZoneRecord } from '../support/dns-test-server.js';
import { checkContext, ids, only, RESOLVER, type ContextOptions } from '../support/check-context.js';
import { soa, zone } from '../fixtures/zones.js';

const DOMAIN = 'partner.test';
const MX_HOST = `mx1.${DOMAIN}`;
const V4 = '11.22.33.10';
const V4_REVERSE = '10.33.22.11.in-addr.arpa';
const V6 = '2a00:1450::25';
// 2a00:1450:0000:0000:0000:0000:0000:0025, nibble by nibble from the end (RFC 3596 §2.5).
const V6_REVERSE = '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5.4.1.0.0.a.2.ip6.arpa';

const mx = (exchange: string): ZoneRecord => ({ name: '@', type: 'MX', data: { preference: 10, exchange } });
const ptr = (reverse: string, target: string): ZoneRecord => ({ name: `${reverse}.`, type: 'PTR', data: `${target}.` });

/** partner.test with `records`; PTR records (absolute owners) go in the reverse zones, which exist but are otherwise empty. */
async function run(
  records: ZoneRecord[],
  reverse: ZoneRecord[] = [],
  options: Partial<ContextOptions> = {},
): Promise<Finding[]> {
  const zones = [
    zone(DOMAIN, [soa(), ...records]),
    zone('33.22.11.in-addr.arpa', [soa()]),
    zone('0.5.4.1.0.0.a.2.ip6.arpa', [soa()]),
  ].map((z) => ({
    ...z,
    records: [...z.records, ...reverse.filter((r) => r.name.endsWith(`.${z.origin}.`))],
  }));
  const { context } = checkContext({ [RESOLVER]: { zones } }, { domain: DOMAIN, ...options });
  return ptrCheck.run(context);
}

/** Makes the queries for `name` of type `type` time out. */
function timingOut(name: string, type: string): (client: DnsClient) => DnsClient {
  return (client) => ({
    query: (query, options) =>
      query.name === name && query.type === type
        ? Promise.reject(new AppError('DNS_TIMEOUT', 'no answer (test)'))
        : client.query(query, options),
  });
}

describe('ptr check', () => {
  it('passes ptr.ok when the PTR name resolves back to the address', async () => {
    const findings = await run([mx(MX_HOST), { name: 'mx1', type: 'A', data: V4 }], [ptr(V4_REVERSE, MX_HOST)]);
    expect(ids(findings)).toEqual(['ptr.ok']);
    const ok = only(findings, 'ptr.ok');
    expect(ok).toMatchObject({ status: 'pass', subject: DOMAIN, evidence: { addresses: [V4] } });
    expect(ok.summary).toBe('All 1 MX address has a PTR record that resolves back to the address.');
  });

  it('checks an IPv6 MX address under ip6.arpa', async () => {
    const findings = await run(
      [mx(MX_HOST), { name: 'mx1', type: 'A', data: V4 }, { name: 'mx1', type: 'AAAA', data: V6 }],
      [ptr(V4_REVERSE, MX_HOST), ptr(V6_REVERSE, MX_HOST)],
    );
    expect(ids(findings)).toEqual(['ptr.ok']);
    const ok = only(findings, 'ptr.ok');
    expect(ok.summary).toBe('All 2 MX addresses have a PTR record that resolves back to the address.');
    expect(ok.evidence.addresses).toEqual([V4, V6]);
  });

  it('warns ptr.missing for an address without a PTR record, naming the reverse name', async () => {
    const findings = await run([mx(MX_HOST), { name: 'mx1', type: 'AAAA', data: V6 }]);
    expect(ids(findings)).toEqual(['ptr.missing']);
    const missing = only(findings, 'ptr.missing');
    expect(missing).toMatchObject({ status: 'warn', subject: V6 });
    expect(missing.evidence).toEqual({ host: MX_HOST, address: V6, qname: V6_REVERSE, rcode: 'NXDOMAIN' });
    expect(missing.remedy).toContain(`set the PTR of ${V6} to ${MX_HOST}`);
  });

  it('warns ptr.mismatch when the PTR name does not resolve back', async () => {
    const findings = await run(
      [mx(MX_HOST), { name: 'mx1', type: 'A', data: V4 }, { name: 'other', type: 'A', data: '11.22.33.99' }],
      [ptr(V4_REVERSE, `other.${DOMAIN}`)],
    );
    expect(ids(findings)).toEqual(['ptr.mismatch']);
    const mismatch = only(findings, 'ptr.mismatch');
    expect(mismatch).toMatchObject({ status: 'warn', subject: V4 });
    expect(mismatch.evidence).toEqual({
      host: MX_HOST,
      address: V4,
      ptr: [`other.${DOMAIN}`],
      forward: { [`other.${DOMAIN}`]: ['11.22.33.99'] },
    });
  });

  it('accepts any one of several PTR names that resolves back', async () => {
    const findings = await run(
      [mx(MX_HOST), { name: 'mx1', type: 'A', data: V4 }],
      [ptr(V4_REVERSE, `gone.${DOMAIN}`), ptr(V4_REVERSE, MX_HOST)],
    );
    expect(ids(findings)).toEqual(['ptr.ok']);
  });

  it('reports a PTR lookup that times out as ptr.timeout, not ptr.missing', async () => {
    const findings = await run([mx(MX_HOST), { name: 'mx1', type: 'A', data: V4 }], [], {
      wrap: timingOut(V4_REVERSE, 'PTR'),
    });
    expect(ids(findings)).toEqual(['ptr.timeout']);
    expect(only(findings, 'ptr.timeout')).toMatchObject({
      status: 'error',
      subject: V4,
      evidence: { qname: V4_REVERSE, qtype: 'PTR' },
    });
  });

  it('reports a forward lookup of the PTR name that times out as ptr.timeout, not ptr.mismatch', async () => {
    const findings = await run(
      [mx(MX_HOST), { name: 'mx1', type: 'A', data: V4 }],
      [ptr(V4_REVERSE, `other.${DOMAIN}`)],
      { wrap: timingOut(`other.${DOMAIN}`, 'A') },
    );
    expect(ids(findings)).toEqual(['ptr.timeout']);
    expect(only(findings, 'ptr.timeout')).toMatchObject({ subject: `other.${DOMAIN}`, evidence: { qtype: 'A' } });
  });

  it('has nothing to check for IP-literal and null MX records', async () => {
    expect(await run([mx('11.22.33.21')])).toEqual([]);
    expect(await run([mx('.')])).toEqual([]);
  });
});
