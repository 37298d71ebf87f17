import { describe, expect, it } from 'vitest';
import { dmarcCheck } from '../../src/diagnosis/checks/dmarc.js';
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

/** partner.test with `records`, and the report receiver vendor.test with `vendorRecords`. */
function zones(records: ZoneRecord[], vendorRecords: ZoneRecord[] = []): Zone[] {
  return [
    zone(DOMAIN, [
      soa(),
      { name: '@', type: 'A', data: '192.0.2.10' },
      { name: 'mail', type: 'A', data: '192.0.2.11' },
      ...records,
    ]),
    zone('vendor.test', [soa(), ...vendorRecords]),
  ];
}

function setup(
  zoneList: Zone[],
  options: { domain?: string; resolver?: string; wrap?: (client: DnsClient) => DnsClient } = {},
): { client: ZoneDnsClient; context: CheckContext } {
  return checkContext({ [RESOLVER]: { zones: zoneList } }, { domain: DOMAIN, ...options });
}

async function run(zoneList: Zone[], options: Parameters<typeof setup>[1] = {}): Promise<Finding[]> {
  return dmarcCheck.run(setup(zoneList, options).context);
}

describe("dmarc check: the domain's own record", () => {
  it('passes, naming the policy', async () => {
    const findings = await run(
      zones([txt('_dmarc', 'v=DMARC1; p=reject; rua=mailto:dmarc@partner.test'), txt('_dmarc', 'unrelated token')]),
    );
    expect(ids(findings)).toEqual(['dmarc.ok']);
    const ok = only(findings, 'dmarc.ok');
    expect(ok).toMatchObject({ status: 'pass', subject: DOMAIN });
    expect(ok.summary).toContain('p=reject');
    expect(ok.evidence).toMatchObject({
      name: `_dmarc.${DOMAIN}`,
      inherited: false,
      policy: 'reject',
      rua: ['mailto:dmarc@partner.test'],
    });
  });

  it('joins a record split into several strings', async () => {
    const findings = await run(zones([txt('_dmarc', ['v=DMARC1; p=quar', 'antine; pct=50'])]));
    const ok = only(findings, 'dmarc.ok');
    expect(ok.evidence).toMatchObject({ record: 'v=DMARC1; p=quarantine; pct=50', policy: 'quarantine', pct: 50 });
    expect(ok.summary).toContain('50%');
  });

  it.each([
    ['v=DMARC1; p=none', 'warn'],
    ['v=DMARC1; p=none; sp=reject', 'warn'],
    ['v=DMARC1; p=quarantine', undefined],
  ])('%j -> dmarc.policy-none %s', async (record, status) => {
    const findings = await run(zones([txt('_dmarc', record)]));
    expect(findings.find((f) => f.id === 'dmarc.policy-none')?.status).toBe(status);
    expect(findings.some((f) => f.id === 'dmarc.ok')).toBe(status === undefined);
  });

  it('warns dmarc.missing when _dmarc holds no DMARC record, asking once for an organizational domain', async () => {
    const { client, context } = setup(zones([txt('_dmarc', 'v=spf1 -all'), txt('_dmarc', 'p=reject; v=DMARC1')]));
    const findings = await dmarcCheck.run(context);
    expect(ids(findings)).toEqual(['dmarc.missing']);
    const missing = only(findings, 'dmarc.missing');
    expect(missing).toMatchObject({ status: 'warn', subject: DOMAIN, ref: 'RFC 7489 §6.6.3' });
    expect(missing.evidence).toMatchObject({ asked: [`_dmarc.${DOMAIN}`], rcodes: ['NOERROR'] });
    expect(client.asked.map((q) => q.name)).toEqual([`_dmarc.${DOMAIN}`]);
  });

  it('counts NXDOMAIN as missing', async () => {
    const findings = await run(zones([]));
    expect(only(findings, 'dmarc.missing').evidence).toMatchObject({ rcodes: ['NXDOMAIN'] });
  });

  it('reports a time-out as dmarc.timeout, never as missing', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=reject')]), { resolver: '127.0.0.9' });
    expect(ids(findings)).toEqual(['dmarc.timeout']);
    expect(findings[0]).toMatchObject({ status: 'error', subject: `_dmarc.${DOMAIN}` });
  });

  it('fails dmarc.multiple-records', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=reject'), txt('_dmarc', 'v=DMARC1; p=none')]));
    expect(ids(findings)).toEqual(['dmarc.multiple-records']);
    expect(only(findings, 'dmarc.multiple-records')).toMatchObject({
      status: 'fail',
      subject: `_dmarc.${DOMAIN}`,
      evidence: { count: 2 },
    });
  });

  it.each([
    ['v=DMARC1; p=rejct', 'p=rejct'],
    ['v=DMARC1; rua=mailto:d@partner.test', 'v=DMARC1; rua=mailto:d@partner.test'],
    ['v=dmarc1; p=reject', 'v=dmarc1'],
    ['v=DMARC1; p=reject; pct=150', 'pct=150'],
  ])('fails dmarc.syntax for %j', async (record, tag) => {
    const findings = await run(zones([txt('_dmarc', record)]));
    expect(ids(findings)).toEqual(['dmarc.syntax']);
    const syntax = only(findings, 'dmarc.syntax');
    expect(syntax).toMatchObject({ status: 'fail', subject: `_dmarc.${DOMAIN}`, evidence: { record } });
    expect(syntax.evidence.errors).toEqual([expect.objectContaining({ tag })]);
  });
});

describe('dmarc check: aggregate reports (RFC 7489 §6.3 rua)', () => {
  it('notes dmarc.no-reports (info) when a valid record has no rua=, and still passes', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=reject')]));
    expect(ids(findings)).toEqual(['dmarc.no-reports', 'dmarc.ok']);
    const none = only(findings, 'dmarc.no-reports');
    expect(none).toMatchObject({
      status: 'info',
      subject: `_dmarc.${DOMAIN}`,
      ref: 'RFC 7489 §6.3',
      evidence: { name: `_dmarc.${DOMAIN}`, record: 'v=DMARC1; p=reject', inherited: false },
    });
    expect(none.summary).toContain('no aggregate reports are requested');
    expect(none.summary).toContain(`the owner of ${DOMAIN} will not hear about mail that fails DMARC`);
    expect(none.remedy).toContain(`rua=mailto:dmarc-reports@${DOMAIN}`);
  });

  it('counts ruf= alone as no reports: failure reports are not aggregate reports', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=quarantine; ruf=mailto:forensic@partner.test')]));
    expect(ids(findings)).toEqual(['dmarc.no-reports', 'dmarc.ok']);
    expect(only(findings, 'dmarc.no-reports').evidence.ruf).toEqual(['mailto:forensic@partner.test']);
  });

  it('sits beside dmarc.policy-none when p=none asks for no reports either', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=none')]));
    expect(ids(findings)).toEqual(['dmarc.no-reports', 'dmarc.policy-none']);
  });

  it('says nothing of reports when rua= names a mailbox', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=reject; rua=mailto:dmarc@partner.test')]));
    expect(ids(findings)).not.toContain('dmarc.no-reports');
  });

  it('is not reported for a record that does not parse: dmarc.syntax says what is wrong', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=rejct')]));
    expect(ids(findings)).toEqual(['dmarc.syntax']);
  });
});

describe('dmarc check: a subdomain and its organizational domain (RFC 7489 §6.6.3)', () => {
  const SUB = `mail.${DOMAIN}`;

  it('applies sp= from the organizational domain when the subdomain has no record, asking both at once', async () => {
    let inFlight = 0;
    let most = 0;
    const counting = (client: DnsClient): DnsClient => ({
      async query(query, options) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          return await client.query(query, options);
        } finally {
          inFlight--;
        }
      },
    });
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=none; sp=reject')]), { domain: SUB, wrap: counting });
    expect(ids(findings)).toEqual(['dmarc.no-reports', 'dmarc.ok']);
    expect(only(findings, 'dmarc.no-reports').subject).toBe(`_dmarc.${DOMAIN}`);
    const ok = only(findings, 'dmarc.ok');
    expect(ok.subject).toBe(SUB);
    expect(ok.summary).toContain('sp=reject');
    expect(ok.summary).toContain(`inherited from _dmarc.${DOMAIN}`);
    expect(ok.evidence).toMatchObject({ name: `_dmarc.${DOMAIN}`, inherited: true, policy: 'reject', policyTag: 'sp' });
    expect(most).toBe(2);
  });

  it('applies p= from the organizational domain when it has no sp=', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=none')]), { domain: SUB });
    const none = only(findings, 'dmarc.policy-none');
    expect(none.summary).toContain(`inherited from _dmarc.${DOMAIN}`);
    expect(none.evidence).toMatchObject({ inherited: true, policyTag: 'p' });
  });

  it("prefers the subdomain's own record, where p= applies", async () => {
    const findings = await run(
      zones([txt('_dmarc', 'v=DMARC1; p=none'), txt('_dmarc.mail', 'v=DMARC1; p=reject; sp=none')]),
      { domain: SUB },
    );
    expect(ids(findings)).toEqual(['dmarc.no-reports', 'dmarc.ok']);
    expect(only(findings, 'dmarc.ok').evidence).toMatchObject({
      name: `_dmarc.${SUB}`,
      inherited: false,
      policy: 'reject',
    });
  });

  it('does not fall back when the subdomain has several records: discovery ends there', async () => {
    const findings = await run(
      zones([
        txt('_dmarc', 'v=DMARC1; p=reject'),
        txt('_dmarc.mail', 'v=DMARC1; p=reject'),
        txt('_dmarc.mail', 'v=DMARC1; p=none'),
      ]),
      { domain: SUB },
    );
    expect(ids(findings)).toEqual(['dmarc.multiple-records']);
    expect(findings[0]?.subject).toBe(`_dmarc.${SUB}`);
  });

  it('warns dmarc.missing naming both names when neither has a record', async () => {
    const findings = await run(zones([]), { domain: SUB });
    const missing = only(findings, 'dmarc.missing');
    expect(missing.summary).toContain(`nor does its organizational domain ${DOMAIN}`);
    expect(missing.evidence).toMatchObject({
      asked: [`_dmarc.${SUB}`, `_dmarc.${DOMAIN}`],
      rcodes: ['NXDOMAIN', 'NXDOMAIN'],
    });
  });

  it('reports a time-out at the organizational domain as dmarc.timeout, not missing', async () => {
    const orgTimesOut = (client: DnsClient): DnsClient => ({
      query: (query, options) =>
        query.name === `_dmarc.${DOMAIN}`
          ? Promise.reject(new AppError('DNS_TIMEOUT', 'no answer (test)'))
          : client.query(query, options),
    });
    const findings = await run(zones([]), { domain: SUB, wrap: orgTimesOut });
    expect(ids(findings)).toEqual(['dmarc.timeout']);
    expect(findings[0]?.subject).toBe(`_dmarc.${DOMAIN}`);
  });

  it('ignores a time-out at the organizational domain when the subdomain has its own record', async () => {
    const orgTimesOut = (client: DnsClient): DnsClient => ({
      query: (query, options) =>
        query.name === `_dmarc.${DOMAIN}`
          ? Promise.reject(new AppError('DNS_TIMEOUT', 'no answer (test)'))
          : client.query(query, options),
    });
    const findings = await run(zones([txt('_dmarc.mail', 'v=DMARC1; p=reject')]), { domain: SUB, wrap: orgTimesOut });
    expect(ids(findings)).toEqual(['dmarc.no-reports', 'dmarc.ok']);
  });
});

describe('dmarc check: external report destinations (RFC 7489 §7.1)', () => {
  const AUTH = `${DOMAIN}._report._dmarc`;

  it('notes an authorised external destination and still passes', async () => {
    const findings = await run(
      zones(
        [txt('_dmarc', 'v=DMARC1; p=reject; rua=mailto:agg@reports.vendor.test')],
        [txt(`${AUTH}.reports`, 'v=DMARC1')],
      ),
    );
    expect(ids(findings)).toEqual(['dmarc.external-rua', 'dmarc.ok']);
    expect(only(findings, 'dmarc.external-rua')).toMatchObject({
      status: 'info',
      evidence: {
        destination: 'reports.vendor.test',
        tags: ['rua'],
        authorizationName: `${AUTH}.reports.vendor.test`,
        authorizationRecords: ['v=DMARC1'],
      },
    });
  });

  it('warns when the destination has not authorised the reports, once per destination', async () => {
    const { client, context } = setup(
      zones(
        [txt('_dmarc', 'v=DMARC1; p=reject; rua=mailto:agg@vendor.test; ruf=mailto:forensic@vendor.test')],
        [txt(`${AUTH}`, 'not dmarc')],
      ),
    );
    const findings = await dmarcCheck.run(context);
    expect(ids(findings)).toEqual(['dmarc.external-rua-unauthorized']);
    const unauthorized = only(findings, 'dmarc.external-rua-unauthorized');
    expect(unauthorized).toMatchObject({
      status: 'warn',
      subject: `_dmarc.${DOMAIN}`,
      evidence: { destination: 'vendor.test', tags: ['rua', 'ruf'], rcode: 'NOERROR' },
    });
    expect(unauthorized.remedy).toContain(`${AUTH}.vendor.test`);
    expect(client.asked.filter((q) => q.name.includes('_report'))).toHaveLength(1);
  });

  it('asks every destination at once', async () => {
    const { client, context } = setup(
      zones(
        [
          txt(
            '_dmarc',
            'v=DMARC1; p=reject; rua=mailto:a@one.vendor.test,mailto:b@two.vendor.test,mailto:c@three.vendor.test',
          ),
        ],
        [txt(`${AUTH}.one`, 'v=DMARC1'), txt(`${AUTH}.two`, 'v=spf1 -all')],
      ),
    );
    const findings = await dmarcCheck.run(context);
    expect(
      findings.filter((f) => f.id === 'dmarc.external-rua-unauthorized').map((f) => f.evidence.destination),
    ).toEqual(['two.vendor.test', 'three.vendor.test']);
    expect(client.asked.filter((q) => q.name.includes('_report')).map((q) => q.name)).toEqual([
      `${AUTH}.one.vendor.test`,
      `${AUTH}.two.vendor.test`,
      `${AUTH}.three.vendor.test`,
    ]);
  });

  it('needs no authorisation for addresses inside the organizational domain', async () => {
    const { client, context } = setup(
      zones([txt('_dmarc', 'v=DMARC1; p=reject; rua=mailto:d@partner.test,mailto:d@reports.partner.test')]),
    );
    const findings = await dmarcCheck.run(context);
    expect(ids(findings)).toEqual(['dmarc.ok']);
    expect(client.asked.map((q) => q.name)).toEqual([`_dmarc.${DOMAIN}`]);
  });

  it('asks with the domain the policy came from when it was inherited', async () => {
    const { client, context } = setup(
      zones([txt('_dmarc', 'v=DMARC1; p=reject; rua=mailto:agg@vendor.test')], [txt(AUTH, 'v=DMARC1')]),
      { domain: `mail.${DOMAIN}` },
    );
    const findings = await dmarcCheck.run(context);
    expect(ids(findings)).toEqual(['dmarc.external-rua', 'dmarc.ok']);
    expect(client.asked.filter((q) => q.name.includes('_report')).map((q) => q.name)).toEqual([`${AUTH}.vendor.test`]);
  });

  it('reports an authorisation lookup that fails as an error, not as unauthorised', async () => {
    const findings = await run(zones([txt('_dmarc', 'v=DMARC1; p=reject; rua=mailto:agg@elsewhere.test')]));
    expect(ids(findings)).toEqual(['dmarc.lookup-failed']);
    expect(findings[0]?.subject).toBe(`${AUTH}.elsewhere.test`);
  });
});
