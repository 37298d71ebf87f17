import { describe, expect, it } from 'vitest';
import { tlsRptCheck } from '../../src/diagnosis/checks/tlsrpt.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import type { ZoneRecord } from '../support/dns-test-server.js';
import { checkContext, ids, only, RESOLVER } from '../support/check-context.js';
import { soa, zone } from '../fixtures/zones.js';

const DOMAIN = 'partner.test';
const NAME = `_smtp._tls.${DOMAIN}`;

function txt(data: string | string[], name = '_smtp._tls'): ZoneRecord {
  return { name, type: 'TXT', data };
}

async function run(records: ZoneRecord[], resolver?: string): Promise<Finding[]> {
  const { context } = checkContext(
    { [RESOLVER]: { zones: [zone(DOMAIN, [soa(), { name: '@', type: 'A', data: '11.22.33.9' }, ...records])] } },
    { domain: DOMAIN, resolver },
  );
  return tlsRptCheck.run(context);
}

describe('tls-rpt check', () => {
  it('passes, naming every destination', async () => {
    const findings = await run([
      txt('v=TLSRPTv1; rua=mailto:tls@partner.test,https://reports.vendor.test/tlsrpt'),
      txt('unrelated'),
    ]);
    expect(ids(findings)).toEqual(['tlsrpt.ok']);
    const ok = only(findings, 'tlsrpt.ok');
    expect(ok).toMatchObject({
      status: 'pass',
      subject: DOMAIN,
      evidence: { name: NAME, rua: ['mailto:tls@partner.test', 'https://reports.vendor.test/tlsrpt'] },
    });
    expect(ok.summary).toContain('mailto:tls@partner.test, https://reports.vendor.test/tlsrpt');
  });

  it('joins a record split into several strings', async () => {
    const findings = await run([txt(['v=TLSRPTv1; rua=mai', 'lto:tls@partner.test'])]);
    expect(only(findings, 'tlsrpt.ok').evidence).toMatchObject({ record: 'v=TLSRPTv1; rua=mailto:tls@partner.test' });
  });

  it('notes tlsrpt.missing when no record starts with v=TLSRPTv1', async () => {
    const findings = await run([txt('v=spf1 -all')]);
    expect(ids(findings)).toEqual(['tlsrpt.missing']);
    expect(only(findings, 'tlsrpt.missing')).toMatchObject({
      status: 'info',
      subject: DOMAIN,
      evidence: { name: NAME, rcode: 'NOERROR', txtRecords: ['v=spf1 -all'] },
    });
  });

  it('counts NXDOMAIN as missing', async () => {
    expect(only(await run([]), 'tlsrpt.missing').evidence).toMatchObject({ rcode: 'NXDOMAIN' });
  });

  it('reports a time-out as tlsrpt.timeout, never as missing', async () => {
    const findings = await run([txt('v=TLSRPTv1; rua=mailto:tls@partner.test')], '127.0.0.9');
    expect(ids(findings)).toEqual(['tlsrpt.timeout']);
    expect(findings[0]?.subject).toBe(NAME);
  });

  it('fails tlsrpt.multiple-records', async () => {
    const findings = await run([
      txt('v=TLSRPTv1; rua=mailto:a@partner.test'),
      txt('v=TLSRPTv1; rua=mailto:b@partner.test'),
    ]);
    expect(ids(findings)).toEqual(['tlsrpt.multiple-records']);
    expect(only(findings, 'tlsrpt.multiple-records')).toMatchObject({
      status: 'fail',
      subject: NAME,
      evidence: { count: 2 },
    });
  });

  it.each([
    ['v=TLSRPTv1', 'rua= field is required'],
    ['v=TLSRPTv1; rua=tls@partner.test', 'is not a URI'],
    ['v=TLSRPTv1; rua=http://reports.partner.test/', 'http: scheme'],
    ['v=tlsrptv1; rua=mailto:tls@partner.test', 'must begin with v=TLSRPTv1'],
  ])('fails tlsrpt.syntax for %j', async (record, message) => {
    const findings = await run([txt(record)]);
    expect(ids(findings)).toEqual(['tlsrpt.syntax']);
    const syntax = only(findings, 'tlsrpt.syntax');
    expect(syntax).toMatchObject({ status: 'fail', subject: NAME, evidence: { record } });
    expect(syntax.summary).toContain(message);
  });
});
