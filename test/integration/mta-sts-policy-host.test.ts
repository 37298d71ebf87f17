import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseTarget, type CheckCommandDeps } from '../../commands/check.js';
import { checkDeps } from '../../src/cli/check-deps.js';
import { loadConfig } from '../../src/config.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { mtaStsCheck } from '../../src/diagnosis/checks/mtasts.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { createHttpsFetcher } from '../../src/net/https-fetcher.js';
import { TEST_CA_CERT } from '../fixtures/tls-certificates.js';
import { soa, zone } from '../fixtures/zones.js';
import { startDnsServers, type TestDnsServer } from '../support/dns-test-server.js';
import { serveText, startHttpsServer, type TestHttpsServer } from '../support/https-test-server.js';
import { rootHintsFile } from '../support/root-hints-file.js';

const DOMAIN = 'partner.test';
const POLICY_HOST = `mta-sts.${DOMAIN}`;
/** Two views of partner.test (split DNS): each resolver sends mta-sts.partner.test to its own web server. */
const OUTSIDE = { resolver: '127.0.0.161', web: '127.0.0.163' };
const INSIDE = { resolver: '127.0.0.162', web: '127.0.0.164' };
const POLICY = 'version: STSv1\nmode: enforce\nmx: mx1.partner.test\nmax_age: 604800\n';

function view(resolver: string, web: string) {
  return {
    address: resolver,
    zones: [
      zone(DOMAIN, [
        soa(),
        { name: '@', type: 'NS', data: `ns1.${DOMAIN}.` },
        { name: 'ns1', type: 'A', data: resolver },
        { name: '@', type: 'MX', data: { preference: 10, exchange: `mx1.${DOMAIN}` } },
        { name: 'mx1', type: 'A', data: '11.22.33.10' },
        { name: '_mta-sts', type: 'TXT', data: 'v=STSv1; id=20260101' },
        { name: 'mta-sts', type: 'A', data: web },
      ]),
    ],
  };
}

/**
 * The MTA-STS policy host is resolved by the run's own DNS (issue 16): the resolver of
 * MXOPS_RESOLVER or --resolver, as every other name, never the system's. partner.test exists only
 * in the test resolvers, so a system look-up could not find it at all.
 */
describe('MTA-STS policy host through the run resolver', () => {
  let dns: Awaited<ReturnType<typeof startDnsServers>>;
  let outsideWeb: TestHttpsServer;
  let insideWeb: TestHttpsServer;

  beforeAll(async () => {
    dns = await startDnsServers([view(OUTSIDE.resolver, OUTSIDE.web), view(INSIDE.resolver, INSIDE.web)]);
    outsideWeb = await startHttpsServer(serveText(POLICY), { address: OUTSIDE.web });
    insideWeb = await startHttpsServer(serveText(POLICY), { address: INSIDE.web });
  });
  afterAll(async () => {
    await Promise.all([dns?.close(), outsideWeb?.close(), insideWeb?.close()]);
  });

  const resolverLog = (address: string): TestDnsServer['queries'] =>
    dns.servers.find((s) => s.address === address)?.queries ?? [];
  const policyHostQueries = (address: string): string[] =>
    resolverLog(address)
      .filter((q) => q.name.toLowerCase() === POLICY_HOST)
      .map((q) => q.type)
      .sort();
  const config = (allowPrivate: boolean) =>
    loadConfig({
      MXOPS_RESOLVER: `${OUTSIDE.resolver}:${dns.port}`,
      MXOPS_DNS_PORT: String(dns.port),
      MXOPS_ROOT_HINTS: rootHintsFile(OUTSIDE.resolver),
      ...(allowPrivate ? { MXOPS_ALLOW_PRIVATE_TARGETS: 'true' } : {}),
    });
  /** The CLI's deps, with a fetcher that trusts the test CA and connects to `web`'s port. */
  const depsFor = (web: TestHttpsServer): CheckCommandDeps => ({
    ...checkDeps(config(true), true),
    httpsFor: () => createHttpsFetcher({ ca: TEST_CA_CERT, allowPrivateTargets: true, port: web.port }),
  });
  const check = (deps: CheckCommandDeps, input: { resolver?: string; allowPrivate?: boolean } = {}) =>
    diagnoseTarget(parseCheckTarget(DOMAIN), input, deps, [mtaStsCheck]);
  const ids = (report: DiagnosisReport): string[] => report.findings.map((f) => f.id).sort();
  const unreachable = (report: DiagnosisReport): Finding | undefined =>
    report.findings.find((f) => f.id === 'mtasts.policy-unreachable');

  it('fetches the policy from the address MXOPS_RESOLVER gives, counting the look-up among the run queries', async () => {
    const before = { seen: outsideWeb.seen.length, logged: resolverLog(OUTSIDE.resolver).length };
    const report = await check(depsFor(outsideWeb));
    expect(ids(report)).toEqual(['mtasts.enforce', 'mtasts.ok']);
    expect(outsideWeb.seen.slice(before.seen)).toEqual([
      { method: 'GET', path: '/.well-known/mta-sts.txt', host: POLICY_HOST, servername: POLICY_HOST },
    ]);
    expect(policyHostQueries(OUTSIDE.resolver)).toEqual(['A', 'AAAA']);
    // Every packet of the run went to this one server (resolver, root and nameserver), and each was counted.
    expect(report.queriesSent).toBe(resolverLog(OUTSIDE.resolver).length - before.logged);
  });

  it('follows --resolver over MXOPS_RESOLVER for the policy host too: a split-DNS site gets one answer per run', async () => {
    const before = { outside: outsideWeb.connections(), inside: insideWeb.seen.length };
    const report = await check(depsFor(insideWeb), { resolver: `${INSIDE.resolver}:${dns.port}` });
    expect(ids(report)).toEqual(['mtasts.enforce', 'mtasts.ok']);
    expect(insideWeb.seen.slice(before.inside).map((r) => r.servername)).toEqual([POLICY_HOST]);
    expect(outsideWeb.connections()).toBe(before.outside);
    expect(policyHostQueries(INSIDE.resolver)).toEqual(['A', 'AAAA']);
  });

  it('connects to a non-public policy host only with MXOPS_ALLOW_PRIVATE_TARGETS or --allow-private', async () => {
    const before = outsideWeb.connections();
    const guarded = await check(checkDeps(config(false), true));
    expect(unreachable(guarded)?.evidence).toMatchObject({ failure: 'non-public-address', code: 'ENONPUBLIC' });
    expect(unreachable(guarded)?.evidence.detail).toContain(OUTSIDE.web);
    expect(outsideWeb.connections()).toBe(before);
    // Allowed, the production fetcher goes to port 443 of that address, where nothing answers here.
    const allowed = await check(checkDeps(config(false), true), { allowPrivate: true });
    expect(unreachable(allowed)?.evidence.failure).not.toBe('non-public-address');
  });
});
