import { describe, expect, it } from 'vitest';
import { mxCheck } from '../../src/diagnosis/checks/mx.js';
import type { DnsClient } from '../../src/diagnosis/dns-port.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { AppError } from '../../src/errors.js';
import type { ZoneRecord } from '../support/dns-test-server.js';
import { checkContext, ids, only, RESOLVER, type ContextOptions } from '../support/check-context.js';
import { soa, zone } from '../fixtures/zones.js';

const DOMAIN = 'partner.test';
/** Public-looking addresses (192.0.2.0/24 and 2001:db8::/32 count as reserved, hence not public). */
const PUBLIC_V4 = '11.22.33.10';
const PUBLIC_V6 = '2a00:1450::25';

function mx(preference: number, exchange: string): ZoneRecord {
  return { name: '@', type: 'MX', data: { preference, exchange } };
}

function a(name: string, address: string): ZoneRecord {
  return { name, type: 'A', data: address };
}

function aaaa(name: string, address: string): ZoneRecord {
  return { name, type: 'AAAA', data: address };
}

async function run(records: ZoneRecord[], options: Partial<ContextOptions> = {}): Promise<Finding[]> {
  // As in production unless a test says otherwise: private targets are not allowed.
  const { context } = checkContext(
    { [RESOLVER]: { zones: [zone(DOMAIN, [soa(), ...records])] } },
    { domain: DOMAIN, allowPrivateTargets: false, ...options },
  );
  return mxCheck.run(context);
}

/** Makes the queries for `name` of the given types time out. */
function timingOut(name: string, ...types: string[]): (client: DnsClient) => DnsClient {
  return (client) => ({
    query: (query, options) =>
      query.name === name && types.includes(query.type)
        ? Promise.reject(new AppError('DNS_TIMEOUT', 'no answer (test)'))
        : client.query(query, options),
  });
}

describe('mx check: no MX records', () => {
  it('warns mx.none when the domain has an address to fall back to (implicit MX)', async () => {
    const findings = await run([a('@', PUBLIC_V4)]);
    expect(ids(findings)).toEqual(['mx.none']);
    const none = only(findings, 'mx.none');
    expect(none).toMatchObject({ status: 'warn', subject: DOMAIN, ref: 'RFC 5321 §5.1' });
    expect(none.summary).toContain('implicit MX');
    expect(none.evidence).toEqual({ qtype: 'MX', answers: 0, implicitMxAddresses: [PUBLIC_V4] });
    expect(none.remedy).toContain('null MX');
  });

  it('fails mx.none when the domain has neither MX nor address', async () => {
    const findings = await run([{ name: '@', type: 'TXT', data: 'v=spf1 -all' }]);
    expect(ids(findings)).toEqual(['mx.none']);
    const none = only(findings, 'mx.none');
    expect(none.status).toBe('fail');
    expect(none.summary).toBe(`${DOMAIN} has no MX record and no address, so no mail can be delivered to it.`);
    expect(none.evidence).toEqual({ qtype: 'MX', answers: 0, implicitMxAddresses: [] });
  });

  it('fails mx.none when the domain does not exist (NXDOMAIN)', async () => {
    const findings = await run([a('@', PUBLIC_V4)], { domain: `gone.${DOMAIN}` });
    expect(ids(findings)).toEqual(['mx.none']);
    const none = only(findings, 'mx.none');
    expect(none).toMatchObject({ status: 'fail', subject: `gone.${DOMAIN}` });
    expect(none.summary).toContain('NXDOMAIN');
    expect(none.evidence).toEqual({ qtype: 'MX', rcode: 'NXDOMAIN' });
  });

  it('also fails mx.private-address when the implicit MX address is private', async () => {
    const findings = await run([a('@', '10.0.0.25')]);
    expect(ids(findings)).toEqual(['mx.none', 'mx.private-address']);
    expect(only(findings, 'mx.private-address').evidence).toEqual({
      via: 'implicit MX',
      address: '10.0.0.25',
      range: 'private',
    });
  });
});

describe('mx check: null MX (RFC 7505)', () => {
  it('warns mx.null when the only MX is "0 ."', async () => {
    const findings = await run([mx(0, '.'), a('@', PUBLIC_V4)]);
    expect(ids(findings)).toEqual(['mx.null']);
    expect(only(findings, 'mx.null')).toMatchObject({
      status: 'warn',
      subject: DOMAIN,
      ref: 'RFC 7505 §3',
      evidence: { records: ['0 .'] },
    });
  });

  it('fails mx.null-mixed when a null MX sits beside real ones, and still checks the real ones', async () => {
    const findings = await run([mx(0, '.'), mx(10, `mx1.${DOMAIN}`), a('mx1', '10.9.8.7')]);
    expect(ids(findings)).toEqual(['mx.null-mixed', 'mx.private-address']);
    const mixed = only(findings, 'mx.null-mixed');
    expect(mixed).toMatchObject({ status: 'fail', subject: DOMAIN, ref: 'RFC 7505 §3' });
    expect(mixed.evidence.records).toEqual(expect.arrayContaining(['0 .', `10 mx1.${DOMAIN}`]));
    expect(mixed.evidence.records).toHaveLength(2);
  });
});

describe('mx check: MX hosts', () => {
  it('warns mx.cname-target for an MX host that is an alias, naming the target', async () => {
    const findings = await run([
      mx(10, `mail.${DOMAIN}`),
      { name: 'mail', type: 'CNAME', data: 'real' },
      a('real', PUBLIC_V4),
    ]);
    expect(ids(findings)).toEqual(['mx.cname-target']);
    const cname = only(findings, 'mx.cname-target');
    expect(cname).toMatchObject({ status: 'warn', subject: `mail.${DOMAIN}` });
    expect(cname.evidence).toEqual({ record: `10 mail.${DOMAIN}`, cname: `real.${DOMAIN}` });
    expect(cname.remedy).toContain(`real.${DOMAIN}`);
  });

  it('fails mx.ip-literal for an MX naming an address, without calling it unresolvable', async () => {
    const { client, context } = checkContext(
      { [RESOLVER]: { zones: [zone(DOMAIN, [soa(), mx(10, '11.22.33.21')])] } },
      { domain: DOMAIN },
    );
    const findings = await mxCheck.run(context);
    expect(ids(findings)).toEqual(['mx.ip-literal']);
    expect(only(findings, 'mx.ip-literal')).toMatchObject({
      status: 'fail',
      subject: '11.22.33.21',
      evidence: { record: '10 11.22.33.21' },
    });
    // The MX set is also read from the zone's own servers (the delegation walk); the literal is never looked up.
    expect(client.asked.filter((q) => q.name === '11.22.33.21')).toEqual([]);
  });

  it('fails mx.unresolvable when no MX host has an address', async () => {
    const findings = await run([
      mx(10, `gone.${DOMAIN}`),
      mx(20, `empty.${DOMAIN}`),
      { name: 'empty', type: 'TXT', data: 'no address here' },
    ]);
    expect(ids(findings)).toEqual(['mx.unresolvable']);
    const unresolvable = only(findings, 'mx.unresolvable');
    expect(unresolvable.status).toBe('fail');
    expect(unresolvable.summary).toContain('None of the MX hosts');
    expect(unresolvable.evidence).toEqual({ hosts: [`gone.${DOMAIN}`, `empty.${DOMAIN}`] });
  });

  it('warns mx.unresolvable when only some MX hosts have no address', async () => {
    const findings = await run([mx(10, `mx1.${DOMAIN}`), mx(20, `gone.${DOMAIN}`), a('mx1', PUBLIC_V4)]);
    expect(ids(findings)).toEqual(['mx.unresolvable']);
    const unresolvable = only(findings, 'mx.unresolvable');
    expect(unresolvable.status).toBe('warn');
    expect(unresolvable.summary).toContain('1 of 2 MX hosts');
    expect(unresolvable.evidence).toEqual({ hosts: [`gone.${DOMAIN}`] });
  });

  it('fails mx.ipv6-only when every MX host has only AAAA records', async () => {
    const findings = await run([mx(10, `mx1.${DOMAIN}`), aaaa('mx1', PUBLIC_V6)]);
    expect(ids(findings)).toEqual(['mx.ipv6-only']);
    const v6 = only(findings, 'mx.ipv6-only');
    expect(v6.status).toBe('fail');
    expect(v6.summary).toContain('Every MX host');
    expect(v6.evidence).toEqual({ hosts: { [`mx1.${DOMAIN}`]: [PUBLIC_V6] } });
  });

  it('warns mx.ipv6-only when some MX hosts still have an A record', async () => {
    const findings = await run([
      mx(10, `mx1.${DOMAIN}`),
      mx(20, `mx2.${DOMAIN}`),
      a('mx1', PUBLIC_V4),
      aaaa('mx1', PUBLIC_V6),
      aaaa('mx2', '2a00:1450::26'),
    ]);
    expect(ids(findings)).toEqual(['mx.ipv6-only']);
    const v6 = only(findings, 'mx.ipv6-only');
    expect(v6.status).toBe('warn');
    expect(v6.summary).toContain('1 of 2 MX hosts');
    expect(v6.evidence).toEqual({ hosts: { [`mx2.${DOMAIN}`]: ['2a00:1450::26'] } });
  });

  it.each([
    ['10.1.2.3', 'A', 'private'],
    ['127.0.0.2', 'A', 'loopback'],
    ['192.168.1.25', 'A', 'private'],
    ['100.64.0.25', 'A', 'carrierGradeNat'],
    ['fd00::25', 'AAAA', 'uniqueLocal'],
  ])('fails mx.private-address for %s (%s, %s)', async (address, type, range) => {
    const findings = await run([mx(10, `mx1.${DOMAIN}`), a('mx1', PUBLIC_V4), { name: 'mx1', type, data: address }]);
    expect(ids(findings)).toEqual(['mx.private-address']);
    const finding = only(findings, 'mx.private-address');
    expect(finding).toMatchObject({ status: 'fail', subject: `mx1.${DOMAIN}` });
    expect(finding.evidence).toEqual({ via: `10 mx1.${DOMAIN}`, address, range });
    expect(finding.summary).toContain(`a ${range} address`);
  });

  it('reports a private MX address as info, not a failure, where private targets are allowed (test beds, internal mail)', async () => {
    const findings = await run([mx(10, `mx1.${DOMAIN}`), a('mx1', '10.1.2.3')], { allowPrivateTargets: true });
    expect(ids(findings)).toEqual(['mx.ok', 'mx.private-address']);
    expect(only(findings, 'mx.private-address')).toMatchObject({ status: 'info', remedy: '', ref: 'RFC 1918' });
    expect(only(findings, 'mx.ok').summary).toBe('1 MX host, with an address.');
  });

  it('passes mx.ok with the records and every address as evidence', async () => {
    const findings = await run([
      mx(20, `mx2.${DOMAIN}`),
      mx(10, `mx1.${DOMAIN}`),
      a('mx1', PUBLIC_V4),
      aaaa('mx1', PUBLIC_V6),
      a('mx2', '11.22.33.11'),
    ]);
    expect(ids(findings)).toEqual(['mx.ok']);
    const ok = only(findings, 'mx.ok');
    expect(ok).toMatchObject({ status: 'pass', subject: DOMAIN, remedy: '' });
    expect(ok.summary).toBe('2 MX hosts, each with a public address.');
    expect(ok.evidence).toEqual({
      records: [`20 mx2.${DOMAIN}`, `10 mx1.${DOMAIN}`],
      addresses: { [`mx1.${DOMAIN}`]: [PUBLIC_V4, PUBLIC_V6], [`mx2.${DOMAIN}`]: ['11.22.33.11'] },
    });
  });

  it('says "1 MX host" for one', async () => {
    const findings = await run([mx(10, `mx1.${DOMAIN}`), a('mx1', PUBLIC_V4)]);
    expect(only(findings, 'mx.ok').summary).toBe('1 MX host, with a public address.');
  });
});

describe('mx check: lookups that settle nothing', () => {
  it('says our resolver does not answer (not even for the root), never blaming the domain, when the root cannot be reached either', async () => {
    const findings = await run([a('@', PUBLIC_V4)], { resolver: '127.0.0.9' });
    expect(ids(findings)).toEqual(['resolver.unreachable']);
    const ours = only(findings, 'resolver.unreachable');
    expect(ours).toMatchObject({
      status: 'error',
      subject: '127.0.0.9',
      evidence: { mx: 'timed out', root: 'timed out' },
    });
    expect(ours.summary).toContain(`this is on our side, not ${DOMAIN}'s`);
  });

  it("reads the MX set from the domain's own nameservers when our resolver is down, and says the resolver is ours", async () => {
    const findings = await run([a('@', PUBLIC_V4)], { resolver: '127.0.0.9', root: RESOLVER });
    expect(ids(findings)).toEqual(['mx.none', 'resolver.unreachable']);
    expect(only(findings, 'resolver.unreachable').summary).toContain(
      "MX and address lookups were asked of partner.test's nameservers directly",
    );
  });

  it('reports time-outs of the fallback address lookups, not mx.none, when there is no MX', async () => {
    const findings = await run([], { wrap: timingOut(DOMAIN, 'A', 'AAAA') });
    expect(ids(findings)).toEqual(['dns.timeout', 'dns.timeout']);
    expect(findings.map((f) => f.evidence.qtype).sort()).toEqual(['A', 'AAAA']);
  });

  it('does not count an MX host whose address lookup timed out as unresolvable', async () => {
    const findings = await run([mx(10, `mx1.${DOMAIN}`), mx(20, `mx2.${DOMAIN}`), a('mx2', PUBLIC_V4)], {
      wrap: timingOut(`mx1.${DOMAIN}`, 'A'),
    });
    expect(ids(findings)).toEqual(['dns.timeout']);
    expect(only(findings, 'dns.timeout')).toMatchObject({ subject: `mx1.${DOMAIN}`, evidence: { qtype: 'A' } });
  });

  it('reports an MX query the resolver refuses as dns.lookup-failed', async () => {
    const findings = await run([], { domain: 'elsewhere.test' });
    expect(ids(findings)).toEqual(['dns.lookup-failed']);
    expect(only(findings, 'dns.lookup-failed')).toMatchObject({
      status: 'error',
      evidence: { rcode: 'REFUSED', qtype: 'MX' },
    });
  });
});
