import { describe, expect, it } from 'vitest';
import { spfCheck } from '../../src/diagnosis/checks/spf.js';
import type { CheckContext } from '../../src/diagnosis/check.js';
import type { DnsClient } from '../../src/diagnosis/dns-port.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { AppError } from '../../src/errors.js';
import type { Zone, ZoneRecord } from '../support/dns-test-server.js';
import type { ZoneDnsClient } from '../support/zone-dns-client.js';
import { checkContext, ids, only, RESOLVER } from '../support/check-context.js';
import { soa, zone } from '../fixtures/zones.js';

const DOMAIN = 'partner.test';

function txt(name: string, data: string | string[]): ZoneRecord {
  return { name, type: 'TXT', data };
}

/** partner.test with an MX and addresses, plus `records`; esp.test with `espRecords`. */
function zones(records: ZoneRecord[], espRecords: ZoneRecord[] = []): Zone[] {
  return [
    zone(DOMAIN, [
      soa(),
      { name: '@', type: 'MX', data: { preference: 10, exchange: `mx.${DOMAIN}` } },
      { name: '@', type: 'A', data: '192.0.2.10' },
      { name: 'mx', type: 'A', data: '192.0.2.25' },
      ...records,
    ]),
    zone('esp.test', [
      soa(),
      ...Array.from({ length: 10 }, (_, i) => ({ name: `h${i}`, type: 'A', data: `198.51.100.${i + 1}` })),
      ...espRecords,
    ]),
  ];
}

function setup(
  zoneList: Zone[],
  options: { domain?: string; resolver?: string; wrap?: (client: DnsClient) => DnsClient } = {},
): { client: ZoneDnsClient; context: CheckContext } {
  return checkContext({ [RESOLVER]: { zones: zoneList } }, { domain: DOMAIN, ...options });
}

async function run(zoneList: Zone[], options: Parameters<typeof setup>[1] = {}): Promise<Finding[]> {
  return spfCheck.run(setup(zoneList, options).context);
}

describe('spf check: a good record', () => {
  it('passes, naming the record and the lookups used', async () => {
    const findings = await run(
      zones(
        [txt('@', 'v=spf1 mx a include:_spf.esp.test ip4:192.0.2.0/24 -all'), txt('@', 'google-site-verification=abc')],
        [txt('_spf', 'v=spf1 a:h1.esp.test ip6:2001:db8::/32 -all')],
      ),
    );
    expect(ids(findings)).toEqual(['spf.ok']);
    const ok = only(findings, 'spf.ok');
    expect(ok.status).toBe('pass');
    expect(ok.subject).toBe(DOMAIN);
    expect(ok.summary).toContain('4 of 10 DNS lookups used');
    expect(ok.summary).toContain('v=spf1 mx a include:_spf.esp.test');
    expect(ok.evidence).toMatchObject({ lookups: 4, voidLookups: 0 });
    expect(ok.evidence.breakdown).toEqual([
      { domain: DOMAIN, chain: DOMAIN, lookups: 3, terms: ['mx', 'a', 'include:_spf.esp.test'] },
      { domain: '_spf.esp.test', chain: `${DOMAIN} -> include:_spf.esp.test`, lookups: 1, terms: ['a:h1.esp.test'] },
    ]);
  });

  it('joins a record split into several strings with nothing between them', async () => {
    const findings = await run(zones([txt('@', ['v=spf1 ip4:192.0.2.1', ' ip4:192.0.2.2 -a', 'll'])]));
    expect(ids(findings)).toEqual(['spf.ok']);
    expect(only(findings, 'spf.ok').evidence.record).toBe('v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 -all');
  });

  it('counts nothing after "all", and ignores redirect when "all" is present', async () => {
    const findings = await run(
      zones([txt('@', 'v=spf1 ip4:192.0.2.1 -all include:a.esp.test include:b.esp.test redirect=c.esp.test')]),
    );
    expect(ids(findings)).toEqual(['spf.ok']);
    const ok = only(findings, 'spf.ok');
    expect(ok.evidence.lookups).toBe(0);
    expect(ok.evidence.ignoredTerms).toEqual([
      { domain: DOMAIN, terms: ['include:a.esp.test', 'include:b.esp.test', 'redirect=c.esp.test'] },
    ]);
  });
});

describe('spf check: presence', () => {
  it('warns spf.missing when no TXT record starts with v=spf1', async () => {
    const findings = await run(zones([txt('@', 'v=spf10 -all'), txt('@', 'spf1 -all')]));
    expect(ids(findings)).toEqual(['spf.missing']);
    const missing = only(findings, 'spf.missing');
    expect(missing).toMatchObject({ status: 'warn', subject: DOMAIN, ref: 'RFC 7208 §4.5' });
    expect(missing.evidence).toMatchObject({ rcode: 'NOERROR', txtRecords: ['v=spf10 -all', 'spf1 -all'] });
  });

  it('counts NXDOMAIN as missing', async () => {
    const findings = await run(zones([]), { domain: `gone.${DOMAIN}` });
    expect(ids(findings)).toEqual(['spf.missing']);
    expect(only(findings, 'spf.missing').evidence.rcode).toBe('NXDOMAIN');
  });

  it('reports a time-out as spf.timeout, never as missing', async () => {
    const findings = await run(zones([txt('@', 'v=spf1 -all')]), { resolver: '127.0.0.9' });
    expect(ids(findings)).toEqual(['spf.timeout']);
    expect(findings[0]?.status).toBe('error');
  });

  it('fails spf.multiple-records, which is a permerror', async () => {
    const findings = await run(zones([txt('@', 'v=spf1 mx -all'), txt('@', 'V=SPF1 include:_spf.esp.test ~all')]));
    expect(ids(findings)).toEqual(['spf.multiple-records']);
    const multiple = only(findings, 'spf.multiple-records');
    expect(multiple).toMatchObject({ status: 'fail', subject: DOMAIN, ref: 'RFC 7208 §4.5' });
    expect(multiple.evidence).toMatchObject({
      count: 2,
      records: ['v=spf1 mx -all', 'V=SPF1 include:_spf.esp.test ~all'],
    });
  });
});

describe('spf check: syntax', () => {
  it("fails spf.syntax for an error in the domain's own record, naming the term", async () => {
    const findings = await run(zones([txt('@', 'v=spf1 ip4:192.0.2.300 mx -all')]));
    expect(ids(findings)).toEqual(['spf.syntax']);
    const syntax = only(findings, 'spf.syntax');
    expect(syntax).toMatchObject({ status: 'fail', subject: DOMAIN });
    expect(syntax.evidence).toMatchObject({
      domain: DOMAIN,
      record: 'v=spf1 ip4:192.0.2.300 mx -all',
      errors: [{ term: 'ip4:192.0.2.300' }],
    });
  });

  it('fails spf.syntax for an error in an included record, saying which domain', async () => {
    const findings = await run(
      zones([txt('@', 'v=spf1 include:_spf.esp.test -all')], [txt('_spf', 'v=spf1 ip4:198.51.100.0/33 ~all')]),
    );
    expect(ids(findings)).toEqual(['spf.syntax']);
    const syntax = only(findings, 'spf.syntax');
    expect(syntax.subject).toBe('_spf.esp.test');
    expect(syntax.summary).toContain('include:_spf.esp.test');
    expect(syntax.evidence).toMatchObject({
      domain: '_spf.esp.test',
      chain: [DOMAIN, 'include:_spf.esp.test'],
      errors: [{ term: 'ip4:198.51.100.0/33' }],
    });
  });

  it('fails spf.syntax when an include target has no SPF record (RFC 7208 §5.2)', async () => {
    const findings = await run(
      zones([txt('@', 'v=spf1 include:other.esp.test -all')], [txt('other', 'some verification token')]),
    );
    expect(ids(findings)).toEqual(['spf.syntax']);
    const syntax = only(findings, 'spf.syntax');
    expect(syntax).toMatchObject({ subject: 'other.esp.test', ref: 'RFC 7208 §5.2' });
    expect(syntax.evidence).toMatchObject({
      domain: DOMAIN,
      target: 'other.esp.test',
      term: 'include:other.esp.test',
      rcode: 'NOERROR',
    });
  });

  it('fails spf.syntax when a redirect target does not exist (RFC 7208 §6.1)', async () => {
    const findings = await run(zones([txt('@', 'v=spf1 mx redirect=gone.esp.test')]));
    expect(ids(findings)).toEqual(['spf.syntax']);
    const syntax = only(findings, 'spf.syntax');
    expect(syntax).toMatchObject({ subject: 'gone.esp.test', ref: 'RFC 7208 §6.1' });
    expect(syntax.evidence).toMatchObject({
      target: 'gone.esp.test',
      term: 'redirect=gone.esp.test',
      rcode: 'NXDOMAIN',
    });
  });

  it('reports an include target that cannot be looked up as spf.lookup-failed, not as a syntax error', async () => {
    const findings = await run(zones([txt('@', 'v=spf1 include:spf.elsewhere.test -all')]));
    expect(ids(findings)).toEqual(['spf.lookup-failed']);
    expect(findings[0]).toMatchObject({ status: 'error', subject: 'spf.elsewhere.test' });
  });

  it('reports multiple records at an include target', async () => {
    const findings = await run(
      zones(
        [txt('@', 'v=spf1 include:_spf.esp.test -all')],
        [txt('_spf', 'v=spf1 a -all'), txt('_spf', 'v=spf1 mx -all')],
      ),
    );
    expect(ids(findings)).toEqual(['spf.multiple-records']);
    expect(only(findings, 'spf.multiple-records').evidence).toMatchObject({
      domain: '_spf.esp.test',
      chain: [DOMAIN, 'include:_spf.esp.test'],
    });
  });
});

describe('spf check: the 10-lookup limit (RFC 7208 §4.6.4)', () => {
  /** `includes` include terms at the top, each leading to a record with `perInclude` a: terms. */
  function tree(includes: number, perInclude: number, topExtra = ''): Zone[] {
    const top = txt(
      '@',
      `v=spf1 ${Array.from({ length: includes }, (_, i) => `include:s${i}.esp.test`).join(' ')} ${topExtra}-all`.replace(
        / +/g,
        ' ',
      ),
    );
    const children = Array.from({ length: includes }, (_, i) =>
      txt(`s${i}`, `v=spf1 ${Array.from({ length: perInclude }, (_, j) => `a:h${j}.esp.test`).join(' ')} ~all`),
    );
    return zones([top], children);
  }

  it('fails with 11 or more lookups through includes, with a per-domain breakdown', async () => {
    const findings = await run(tree(4, 2));
    expect(ids(findings)).toEqual(['spf.too-many-lookups']);
    const tooMany = only(findings, 'spf.too-many-lookups');
    expect(tooMany).toMatchObject({ status: 'fail', subject: DOMAIN, ref: 'RFC 7208 §4.6.4' });
    expect(tooMany.summary).toContain('12 DNS lookups');
    expect(tooMany.evidence).toMatchObject({ lookups: 12, limit: 10, truncated: false });
    expect(tooMany.evidence.breakdown).toHaveLength(5);
    expect(tooMany.evidence.breakdown).toContainEqual({
      domain: 's3.esp.test',
      chain: `${DOMAIN} -> include:s3.esp.test`,
      lookups: 2,
      terms: ['a:h0.esp.test', 'a:h1.esp.test'],
    });
  });

  it('passes with exactly 10', async () => {
    const findings = await run(tree(2, 4));
    expect(ids(findings)).toEqual(['spf.ok']);
    expect(only(findings, 'spf.ok').summary).toContain('10 of 10');
  });

  it('counts mx, a, ptr, exists and redirect, but not ip4, ip6 or all', async () => {
    const findings = await run(
      zones(
        [
          txt(
            '@',
            'v=spf1 mx a ptr exists:h1.esp.test ip4:192.0.2.1 ip6:2001:db8::1 a:h2.esp.test mx:partner.test a:h3.esp.test a:h4.esp.test a:h5.esp.test a:h6.esp.test redirect=_spf.esp.test',
          ),
        ],
        [txt('_spf', 'v=spf1 ip4:198.51.100.1 -all')],
      ),
    );
    const tooMany = only(findings, 'spf.too-many-lookups');
    expect(tooMany.evidence.lookups).toBe(11);
  });

  it('sees an include loop and stops', async () => {
    const { client, context } = setup(
      zones([txt('@', 'v=spf1 include:loop.esp.test -all')], [txt('loop', `v=spf1 include:${DOMAIN} ~all`)]),
    );
    const findings = await spfCheck.run(context);
    expect(ids(findings)).toEqual(['spf.too-many-lookups']);
    const tooMany = only(findings, 'spf.too-many-lookups');
    expect(tooMany.summary).toContain('includes itself');
    expect(tooMany.evidence.loops).toEqual([[DOMAIN, 'include:loop.esp.test', `include:${DOMAIN}`]]);
    expect(client.asked.filter((q) => q.type === 'TXT')).toHaveLength(2);
  });

  it('stops descending an enormous tree after 20 records and says so', async () => {
    const chain = Array.from({ length: 40 }, (_, i) => txt(`n${i}`, `v=spf1 include:n${i + 1}.esp.test ~all`));
    const { client, context } = setup(zones([txt('@', 'v=spf1 include:n0.esp.test -all')], chain));
    const findings = await spfCheck.run(context);
    const tooMany = only(findings, 'spf.too-many-lookups');
    expect(tooMany.evidence).toMatchObject({ truncated: true, lookups: 20 });
    expect(tooMany.summary).toContain('more than 20');
    expect(client.asked.filter((q) => q.type === 'TXT')).toHaveLength(20);
  });

  it('counts a subtree included twice twice, as evaluation would', async () => {
    const findings = await run(
      zones(
        [txt('@', 'v=spf1 include:a.esp.test include:b.esp.test -all')],
        [
          txt('a', 'v=spf1 include:c.esp.test'),
          txt('b', 'v=spf1 include:c.esp.test'),
          txt('c', 'v=spf1 a:h1.esp.test a:h2.esp.test a:h3.esp.test a:h4.esp.test'),
        ],
      ),
    );
    expect(only(findings, 'spf.too-many-lookups').evidence.lookups).toBe(12);
  });
});

describe('spf check: void lookups (RFC 7208 §4.6.4)', () => {
  it('fails with more than 2 lookups that find nothing, NXDOMAIN or NODATA', async () => {
    const findings = await run(
      zones([
        txt('@', 'v=spf1 a:nx1.partner.test mx:nx2.partner.test exists:nodata.partner.test include:gone.esp.test -all'),
        txt('nodata', 'not an address'),
      ]),
    );
    const voids = only(findings, 'spf.void-lookups');
    expect(voids).toMatchObject({ status: 'fail', subject: DOMAIN });
    expect(voids.evidence.voidLookups).toBe(4);
    expect(voids.evidence.terms).toEqual(
      expect.arrayContaining([
        { term: 'a:nx1.partner.test', domain: DOMAIN, target: 'nx1.partner.test', qtype: 'A', rcode: 'NXDOMAIN' },
        { term: 'mx:nx2.partner.test', domain: DOMAIN, target: 'nx2.partner.test', qtype: 'MX', rcode: 'NXDOMAIN' },
        {
          term: 'exists:nodata.partner.test',
          domain: DOMAIN,
          target: 'nodata.partner.test',
          qtype: 'A',
          rcode: 'NOERROR',
        },
        { term: 'include:gone.esp.test', domain: DOMAIN, target: 'gone.esp.test', qtype: 'TXT', rcode: 'NXDOMAIN' },
      ]),
    );
  });

  it('allows 2', async () => {
    const findings = await run(zones([txt('@', 'v=spf1 a:nx1.partner.test a:nx2.partner.test ~all')]));
    expect(ids(findings)).toEqual(['spf.ok']);
    expect(only(findings, 'spf.ok').evidence.voidLookups).toBe(2);
  });

  it('probes bare a and mx at the domain whose record names them', async () => {
    const findings = await run(
      zones([txt('@', 'v=spf1 include:_spf.esp.test -all')], [txt('_spf', 'v=spf1 a mx a:nx.esp.test ~all')]),
    );
    expect(only(findings, 'spf.void-lookups').evidence.terms).toEqual([
      { term: 'a', domain: '_spf.esp.test', target: '_spf.esp.test', qtype: 'A', rcode: 'NOERROR' },
      { term: 'mx', domain: '_spf.esp.test', target: '_spf.esp.test', qtype: 'MX', rcode: 'NOERROR' },
      { term: 'a:nx.esp.test', domain: '_spf.esp.test', target: 'nx.esp.test', qtype: 'A', rcode: 'NXDOMAIN' },
    ]);
  });

  it('turns a probe that times out into spf.timeout, not a void lookup', async () => {
    const slowHost = (client: DnsClient): DnsClient => ({
      query: (query, options) =>
        query.name.startsWith('slow')
          ? Promise.reject(new AppError('DNS_TIMEOUT', 'no answer (test)'))
          : client.query(query, options),
    });
    const findings = await run(
      zones([txt('@', 'v=spf1 a:slow1.partner.test a:slow2.partner.test a:slow3.partner.test a:nx.partner.test ~all')]),
      { wrap: slowHost },
    );
    expect(ids(findings)).toEqual(['spf.timeout', 'spf.timeout', 'spf.timeout']);
    expect(findings.map((f) => f.subject).sort()).toEqual([
      'slow1.partner.test',
      'slow2.partner.test',
      'slow3.partner.test',
    ]);
  });

  it('reports a probe that cannot be looked up as spf.lookup-failed, once per query', async () => {
    const findings = await run(zones([txt('@', 'v=spf1 a:h1.elsewhere.test a:h1.elsewhere.test ~all')]));
    expect(ids(findings)).toEqual(['spf.lookup-failed']);
  });
});

describe('spf check: risky terms', () => {
  it.each([
    ['v=spf1 mx +all', true],
    ['v=spf1 mx all', true],
    ['v=spf1 mx ?all', false],
    ['v=spf1 mx ~all', false],
  ])('%j -> spf.all-pass %s', async (record, expected) => {
    const findings = await run(zones([txt('@', record)]));
    expect(findings.some((f) => f.id === 'spf.all-pass')).toBe(expected);
    expect(findings.some((f) => f.id === 'spf.ok')).toBe(!expected);
  });

  it('warns spf.all-pass for +all in a record included with +, not with ~', async () => {
    const passing = await run(zones([txt('@', 'v=spf1 include:_spf.esp.test -all')], [txt('_spf', 'v=spf1 +all')]));
    expect(only(passing, 'spf.all-pass')).toMatchObject({ status: 'warn', subject: '_spf.esp.test' });
    const soft = await run(zones([txt('@', 'v=spf1 ~include:_spf.esp.test -all')], [txt('_spf', 'v=spf1 +all')]));
    expect(ids(soft)).toEqual(['spf.ok']);
  });

  it('warns spf.ptr', async () => {
    const findings = await run(zones([txt('@', 'v=spf1 ptr:partner.test -all')]));
    expect(ids(findings)).toEqual(['spf.ptr']);
    expect(only(findings, 'spf.ptr')).toMatchObject({
      status: 'warn',
      ref: 'RFC 7208 §5.5',
      evidence: { terms: [{ domain: DOMAIN, term: 'ptr:partner.test' }] },
    });
  });

  it('counts macro terms but does not evaluate them', async () => {
    const { client, context } = setup(zones([txt('@', 'v=spf1 exists:%{i}._spf.esp.test include:%{d}.esp.test -all')]));
    const findings = await spfCheck.run(context);
    expect(ids(findings)).toEqual(['spf.macros', 'spf.ok']);
    expect(only(findings, 'spf.macros')).toMatchObject({
      status: 'info',
      evidence: {
        terms: [
          { domain: DOMAIN, term: 'exists:%{i}._spf.esp.test' },
          { domain: DOMAIN, term: 'include:%{d}.esp.test' },
        ],
      },
    });
    expect(only(findings, 'spf.ok').evidence.lookups).toBe(2);
    expect(client.asked.map((q) => q.name)).toEqual([DOMAIN]);
  });

  it('notes spf.no-all when neither all nor redirect ends the record', async () => {
    const findings = await run(zones([txt('@', 'v=spf1 mx')]));
    expect(ids(findings)).toEqual(['spf.no-all', 'spf.ok']);
    expect(only(findings, 'spf.no-all').status).toBe('info');
  });

  it('follows redirect for the final all: none when the target has one, spf.no-all when it lacks one', async () => {
    const ended = await run(
      zones([txt('@', 'v=spf1 redirect=_spf.esp.test')], [txt('_spf', 'v=spf1 ip4:198.51.100.0/24 -all')]),
    );
    expect(ids(ended)).toEqual(['spf.ok']);
    const open = await run(
      zones([txt('@', 'v=spf1 redirect=_spf.esp.test')], [txt('_spf', 'v=spf1 ip4:198.51.100.0/24')]),
    );
    expect(only(open, 'spf.no-all').subject).toBe('_spf.esp.test');
  });

  it('does not ask for spf.no-all in included records', async () => {
    const findings = await run(
      zones([txt('@', 'v=spf1 include:_spf.esp.test -all')], [txt('_spf', 'v=spf1 ip4:198.51.100.0/24')]),
    );
    expect(ids(findings)).toEqual(['spf.ok']);
  });
});

describe('spf check: wall time', () => {
  it('sends independent lookups at once', async () => {
    let inFlight = 0;
    let most = 0;
    const counting = (client: DnsClient): DnsClient => ({
      async query(query, options) {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          return await client.query(query, options);
        } finally {
          inFlight--;
        }
      },
    });
    const findings = await run(
      zones(
        [txt('@', 'v=spf1 a mx include:a.esp.test include:b.esp.test include:c.esp.test -all')],
        [txt('a', 'v=spf1 -all'), txt('b', 'v=spf1 -all'), txt('c', 'v=spf1 -all')],
      ),
      { wrap: counting },
    );
    expect(ids(findings)).toEqual(['spf.ok']);
    expect(most).toBe(5);
  });
});
