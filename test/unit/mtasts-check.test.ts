import { describe, expect, it } from 'vitest';
import { mtaStsCheck, POLICY_MAX_BYTES, POLICY_TIMEOUT_MS } from '../../src/diagnosis/checks/mtasts.js';
import type { DnsClient } from '../../src/diagnosis/dns-port.js';
import type { CheckContext } from '../../src/diagnosis/check.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import type {
  HttpsFailure,
  HttpsFetcher,
  HttpsFetchOptions,
  HttpsResponse,
  HttpsResult,
} from '../../src/diagnosis/https-port.js';
import { AppError } from '../../src/errors.js';
import type { ZoneRecord } from '../support/dns-test-server.js';
import { checkContext, ids, only, RESOLVER } from '../support/check-context.js';
import { soa, zone } from '../fixtures/zones.js';

const DOMAIN = 'partner.test';
const POLICY_URL = 'https://mta-sts.partner.test/.well-known/mta-sts.txt';
const TXT = { name: '_mta-sts', type: 'TXT', data: 'v=STSv1; id=20260101' };
const MX: ZoneRecord[] = [
  { name: '@', type: 'MX', data: { preference: 10, exchange: 'mx1.partner.test' } },
  { name: '@', type: 'MX', data: { preference: 20, exchange: 'mx2.partner.test' } },
  { name: 'mx1', type: 'A', data: '11.22.33.10' },
  { name: 'mx2', type: 'A', data: '11.22.33.11' },
];
/** The policy host's addresses, served by the resolver of the run (not the system's). */
const POLICY_HOST: ZoneRecord[] = [
  { name: 'mta-sts', type: 'A', data: '11.22.33.80' },
  { name: 'mta-sts', type: 'AAAA', data: '2001:db8::80' },
];
const ENFORCE = 'version: STSv1\nmode: enforce\nmx: mx1.partner.test\nmx: mx2.partner.test\nmax_age: 604800\n';

interface FakeFetcher extends HttpsFetcher {
  readonly calls: { url: string; options: HttpsFetchOptions }[];
}

function fetcher(result: HttpsResult): FakeFetcher {
  const calls: { url: string; options: HttpsFetchOptions }[] = [];
  return {
    calls,
    async fetch(url, options) {
      calls.push({ url, options });
      return result;
    },
  };
}

function served(body: string, overrides: Partial<HttpsResponse> = {}): HttpsResponse {
  return {
    ok: true,
    url: POLICY_URL,
    address: '11.22.33.80',
    status: 200,
    contentType: 'text/plain',
    location: undefined,
    body,
    bytes: Buffer.byteLength(body),
    truncated: false,
    ms: 12,
    ...overrides,
  };
}

function failed(failure: HttpsFailure['failure'], code?: string): HttpsFailure {
  return { ok: false, url: POLICY_URL, failure, code, detail: `${failure} (test)`, ms: 30 };
}

interface Options {
  readonly records?: ZoneRecord[];
  /** The policy host's records; POLICY_HOST unless given. */
  readonly policyHost?: ZoneRecord[];
  readonly https?: HttpsFetcher | null;
  readonly wrap?: (client: DnsClient) => DnsClient;
  readonly resolver?: string;
}

function setup({
  records = [TXT, ...MX],
  policyHost = POLICY_HOST,
  https = fetcher(served(ENFORCE)),
  wrap,
  resolver,
}: Options = {}): CheckContext {
  const apex = [soa(), { name: '@', type: 'A', data: '11.22.33.9' }];
  const { context } = checkContext(
    { [RESOLVER]: { zones: [zone(DOMAIN, [...apex, ...policyHost, ...records])] } },
    { domain: DOMAIN, wrap, resolver },
  );
  return https === null ? context : { ...context, https };
}

async function run(options: Options = {}): Promise<Finding[]> {
  return mtaStsCheck.run(setup(options));
}

describe('mta-sts check: the TXT record', () => {
  it('notes mtasts.missing when there is no record, and fetches nothing', async () => {
    const https = fetcher(served(ENFORCE));
    const findings = await run({ records: [...MX, { name: '_mta-sts', type: 'TXT', data: 'v=spf1 -all' }], https });
    expect(ids(findings)).toEqual(['mtasts.missing']);
    expect(only(findings, 'mtasts.missing')).toMatchObject({
      status: 'info',
      subject: DOMAIN,
      evidence: { name: `_mta-sts.${DOMAIN}`, rcode: 'NOERROR', txtRecords: ['v=spf1 -all'] },
    });
    expect(https.calls).toHaveLength(0);
  });

  it('counts NXDOMAIN as missing', async () => {
    const findings = await run({ records: MX });
    expect(only(findings, 'mtasts.missing').evidence).toMatchObject({ rcode: 'NXDOMAIN' });
  });

  it('reports a time-out as mtasts.timeout, never as missing', async () => {
    const findings = await run({ resolver: '127.0.0.9' });
    expect(ids(findings)).toEqual(['mtasts.timeout']);
    expect(findings[0]).toMatchObject({ status: 'error', subject: `_mta-sts.${DOMAIN}` });
  });

  it('fails mtasts.multiple-records', async () => {
    const findings = await run({ records: [TXT, { ...TXT, data: 'v=STSv1; id=2' }, ...MX] });
    expect(ids(findings)).toEqual(['mtasts.multiple-records']);
    expect(only(findings, 'mtasts.multiple-records')).toMatchObject({ status: 'fail', evidence: { count: 2 } });
  });

  it.each(['v=STSv1', 'v=STSv1; id=2026-01-01', 'v=stsv1; id=1'])(
    'fails mtasts.syntax for %j without fetching',
    async (record) => {
      const https = fetcher(served(ENFORCE));
      const findings = await run({ records: [{ ...TXT, data: record }, ...MX], https });
      expect(ids(findings)).toEqual(['mtasts.syntax']);
      expect(only(findings, 'mtasts.syntax')).toMatchObject({
        status: 'fail',
        subject: `_mta-sts.${DOMAIN}`,
        evidence: { record },
      });
      expect(https.calls).toHaveLength(0);
    },
  );

  it('joins a record split into several strings', async () => {
    const findings = await run({ records: [{ ...TXT, data: ['v=STSv1; id=2026', '0101'] }, ...MX] });
    expect(only(findings, 'mtasts.ok').evidence).toMatchObject({ id: '20260101' });
  });

  it('is mtasts.skipped when the run makes no HTTPS requests', async () => {
    const findings = await run({ https: null });
    expect(ids(findings)).toEqual(['mtasts.skipped']);
    expect(only(findings, 'mtasts.skipped')).toMatchObject({ status: 'skipped', evidence: { url: POLICY_URL } });
  });
});

describe('mta-sts check: the policy and the MX set', () => {
  it('fetches the well-known POLICY_URL with a one-minute deadline and a 64 KiB cap, notes enforce mode and passes', async () => {
    const https = fetcher(served(ENFORCE));
    const findings = await run({ https });
    expect(https.calls).toEqual([
      {
        url: POLICY_URL,
        options: {
          timeoutMs: POLICY_TIMEOUT_MS,
          maxBytes: POLICY_MAX_BYTES,
          addresses: ['11.22.33.80', '2001:db8::80'],
        },
      },
    ]);
    expect(POLICY_TIMEOUT_MS).toBe(60_000);
    expect(POLICY_MAX_BYTES).toBe(65_536);
    expect(ids(findings)).toEqual(['mtasts.enforce', 'mtasts.ok']);
    expect(only(findings, 'mtasts.enforce').status).toBe('info');
    expect(only(findings, 'mtasts.ok')).toMatchObject({
      status: 'pass',
      evidence: { id: '20260101', mode: 'enforce', maxAge: 604800, mx: ['mx1.partner.test', 'mx2.partner.test'] },
    });
  });

  it('accepts text/plain with parameters and a testing policy that covers the MX hosts with a wildcard', async () => {
    const findings = await run({
      https: fetcher(
        served('version: STSv1\r\nmode: testing\r\nmx: *.partner.test\r\nmax_age: 86400\r\n', {
          contentType: 'Text/Plain; charset=utf-8',
        }),
      ),
    });
    expect(ids(findings)).toEqual(['mtasts.ok']);
  });

  it('fails mtasts.mx-not-covered for each MX host no pattern matches, under enforce', async () => {
    const findings = await run({
      https: fetcher(
        served('version: STSv1\nmode: enforce\nmx: mx1.partner.test\nmx: *.mail.partner.test\nmax_age: 86400\n'),
      ),
    });
    expect(ids(findings)).toEqual(['mtasts.enforce', 'mtasts.mx-not-covered']);
    const uncovered = only(findings, 'mtasts.mx-not-covered');
    expect(uncovered).toMatchObject({
      status: 'fail',
      subject: 'mx2.partner.test',
      evidence: { mxHost: 'mx2.partner.test', mode: 'enforce', patterns: ['mx1.partner.test', '*.mail.partner.test'] },
    });
    expect(uncovered.summary).toContain('refuse to deliver');
    expect(uncovered.remedy).toContain('mx: mx2.partner.test');
  });

  it('does not let a wildcard stand for more than one label', async () => {
    const findings = await run({
      https: fetcher(served('version: STSv1\nmode: testing\nmx: *.test\nmax_age: 86400\n')),
    });
    expect(findings.filter((f) => f.id === 'mtasts.mx-not-covered').map((f) => f.subject)).toEqual([
      'mx1.partner.test',
      'mx2.partner.test',
    ]);
    expect(findings.some((f) => f.id === 'mtasts.ok')).toBe(false);
  });

  it('checks no MX coverage under mode none', async () => {
    const findings = await run({ https: fetcher(served('version: STSv1\nmode: none\nmax_age: 86400\n')) });
    expect(ids(findings)).toEqual(['mtasts.ok']);
    expect(only(findings, 'mtasts.ok').evidence).toMatchObject({ mode: 'none' });
  });

  it('matches the domain itself when it has no MX (implicit MX)', async () => {
    const policy = (mx: string): HttpsFetcher =>
      fetcher(served(`version: STSv1\nmode: enforce\nmx: ${mx}\nmax_age: 86400\n`));
    expect(ids(await run({ records: [TXT], https: policy(DOMAIN) }))).toEqual(['mtasts.enforce', 'mtasts.ok']);
    const uncovered = await run({ records: [TXT], https: policy('*.partner.test') });
    expect(only(uncovered, 'mtasts.mx-not-covered').subject).toBe(DOMAIN);
  });

  it('reports an MX lookup that times out as an error, not as covered', async () => {
    const mxTimesOut = (client: DnsClient): DnsClient => ({
      query: (query, options) =>
        query.type === 'MX'
          ? Promise.reject(new AppError('DNS_TIMEOUT', 'no answer (test)'))
          : client.query(query, options),
    });
    const findings = await run({ wrap: mxTimesOut });
    expect(ids(findings)).toEqual(['dns.timeout', 'mtasts.enforce']);
    expect(only(findings, 'dns.timeout').subject).toBe(DOMAIN);
  });

  it('fails mtasts.policy-invalid for a policy that does not parse, naming the error', async () => {
    const findings = await run({ https: fetcher(served('version: STSv1\nmode: enforce\nmax_age: 86400\n')) });
    expect(ids(findings)).toEqual(['mtasts.policy-invalid']);
    const invalid = only(findings, 'mtasts.policy-invalid');
    expect(invalid).toMatchObject({ status: 'fail', subject: `mta-sts.${DOMAIN}`, evidence: { url: POLICY_URL } });
    expect(invalid.summary).toContain('must list at least one "mx:" pattern');
  });
});

describe('mta-sts check: fetching the policy (RFC 8461 §3.3)', () => {
  it('fails mtasts.policy-unreachable on a redirect, which is not followed', async () => {
    const findings = await run({
      https: fetcher(
        served('', { status: 301, contentType: 'text/html', location: 'https://www.partner.test/mta-sts.txt' }),
      ),
    });
    expect(ids(findings)).toEqual(['mtasts.policy-unreachable']);
    const unreachable = only(findings, 'mtasts.policy-unreachable');
    expect(unreachable).toMatchObject({
      status: 'fail',
      evidence: { status: 301, location: 'https://www.partner.test/mta-sts.txt' },
    });
    expect(unreachable.summary).toContain('must not follow');
  });

  it('fails mtasts.policy-unreachable on 404', async () => {
    const findings = await run({ https: fetcher(served('not found', { status: 404 })) });
    expect(only(findings, 'mtasts.policy-unreachable').summary).toContain('HTTP 404');
  });

  it.each([
    ['text/html', 'served as "text/html"'],
    [undefined, 'served as no Content-Type'],
    ['text/plainx', 'served as "text/plainx"'],
  ])('fails mtasts.policy-invalid for Content-Type %j', async (contentType, text) => {
    const findings = await run({ https: fetcher(served(ENFORCE, { contentType })) });
    expect(ids(findings)).toEqual(['mtasts.policy-invalid']);
    expect(only(findings, 'mtasts.policy-invalid').summary).toContain(text);
  });

  it('fails mtasts.policy-invalid for a body over 64 KiB', async () => {
    const findings = await run({ https: fetcher(served(ENFORCE + 'x'.repeat(100), { truncated: true })) });
    expect(only(findings, 'mtasts.policy-invalid').summary).toContain('larger than 64 KiB');
  });

  it('fails mtasts.policy-unreachable for a certificate not valid for mta-sts.<domain>', async () => {
    const findings = await run({ https: fetcher(failed('certificate', 'ERR_TLS_CERT_ALTNAME_INVALID')) });
    const unreachable = only(findings, 'mtasts.policy-unreachable');
    expect(unreachable.summary).toContain(`not valid for mta-sts.${DOMAIN}: ERR_TLS_CERT_ALTNAME_INVALID`);
    expect(unreachable.evidence).toMatchObject({ failure: 'certificate', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(unreachable.remedy).toContain('subjectAltName');
  });

  it.each(['name-not-found', 'refused', 'reset', 'tls', 'non-public-address'] as const)(
    'fails mtasts.policy-unreachable for %s',
    async (failure) => {
      const findings = await run({ https: fetcher(failed(failure)) });
      expect(ids(findings)).toEqual(['mtasts.policy-unreachable']);
      expect(findings[0]).toMatchObject({ status: 'fail', evidence: { failure } });
    },
  );

  it("fails mtasts.policy-unreachable when the run's resolver has no address for mta-sts.<domain>, fetching nothing", async () => {
    const https = fetcher(served(ENFORCE));
    const findings = await run({ policyHost: [], https });
    expect(ids(findings)).toEqual(['mtasts.policy-unreachable']);
    expect(only(findings, 'mtasts.policy-unreachable')).toMatchObject({
      status: 'fail',
      subject: `mta-sts.${DOMAIN}`,
      evidence: { failure: 'name-not-found', code: 'NXDOMAIN', url: POLICY_URL },
    });
    expect(findings[0]?.summary).toContain('the host name does not resolve');
    expect(https.calls).toHaveLength(0);
  });

  it('fetches from the IPv4 address alone when the name has no AAAA', async () => {
    const https = fetcher(served(ENFORCE));
    await run({ policyHost: [{ name: 'mta-sts', type: 'A', data: '11.22.33.81' }], https });
    expect(https.calls.map((c) => c.options.addresses)).toEqual([['11.22.33.81']]);
  });

  it('reports a policy host look-up that times out as mtasts.policy-fetch-error, fetching nothing', async () => {
    const https = fetcher(served(ENFORCE));
    const policyHostTimesOut = (client: DnsClient): DnsClient => ({
      query: (query, options) =>
        query.name === `mta-sts.${DOMAIN}` && query.type === 'AAAA'
          ? Promise.reject(new AppError('DNS_TIMEOUT', 'no answer (test)'))
          : client.query(query, options),
    });
    const findings = await run({ policyHost: [], wrap: policyHostTimesOut, https });
    expect(ids(findings)).toEqual(['mtasts.policy-fetch-error']);
    expect(only(findings, 'mtasts.policy-fetch-error')).toMatchObject({
      status: 'error',
      evidence: { failure: 'name-lookup-failed', code: 'DNS_TIMEOUT', detail: 'no answer (test)' },
    });
    expect(https.calls).toHaveLength(0);
  });

  it.each(['timeout', 'name-lookup-failed', 'other'] as const)(
    'reports %s as mtasts.policy-fetch-error, never as unreachable',
    async (failure) => {
      const findings = await run({ https: fetcher(failed(failure)) });
      expect(ids(findings)).toEqual(['mtasts.policy-fetch-error']);
      expect(findings[0]).toMatchObject({ status: 'error', evidence: { failure } });
    },
  );
});
