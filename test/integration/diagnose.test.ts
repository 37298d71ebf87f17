import { systemClock } from '../../src/clock.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import type { DnsClient } from '../../src/diagnosis/dns-port.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { buildProblems } from '../../src/diagnosis/problems.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { mailNetwork, RESOLVER, MAIL_NETWORK_TIMEOUT_MS } from '../fixtures/mail-network.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

describe('diagnose() against nameservers on loopback', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  const run = (domain: string): Promise<DiagnosisReport> =>
    diagnose(parseCheckTarget(domain), {
      dns: createDnsClient(),
      clock: systemClock,
      lookup: loopbackLookup(RESOLVER, network.port, MAIL_NETWORK_TIMEOUT_MS),
    });
  const withId = (report: DiagnosisReport, id: string): Finding[] => report.findings.filter((f) => f.id === id);
  const ids = (report: DiagnosisReport): string[] => report.findings.map((f) => f.id);
  const verdict = (report: DiagnosisReport, family: string) => report.senders.find((s) => s.family === family);

  beforeAll(async () => {
    network = await startDnsServers(mailNetwork());
  });
  afterAll(() => network.close());

  it('passes a healthy domain with a pass finding from every check and every sender ok', async () => {
    const report = await run('healthy.test');
    expect(report.findings.filter((f) => f.status !== 'pass' && f.status !== 'info')).toEqual([]);
    expect(ids(report)).toEqual(
      expect.arrayContaining([
        'mx.ok',
        'dns.nameservers-ok',
        'dns.reply-sizes-ok',
        'dns.edns-ok',
        'ptr.ok',
        'spf.ok',
        'dmarc.ok',
      ]),
    );
    // No MTA-STS, TLS-RPT or TLSA records: informational findings, so the worst status is info.
    expect(report.status).toBe('info');
    expect(report.senders.every((s) => s.verdict === 'ok')).toBe(true);
    expect(report.timings.map((t) => t.check)).toContain('reply-size');
  });

  it("keeps every sender's verdict when our resolver refuses the MX addresses' PTR questions, and puts that on our side", async () => {
    const dns = createDnsClient();
    // A resolver that will not answer reverse questions for this host (an access list on in-addr.arpa).
    const refusingPtr: DnsClient = {
      async query(query, options) {
        const reply = await dns.query(query, options);
        return query.type === 'PTR' && query.recursionDesired !== false
          ? { ...reply, rcode: 'REFUSED', answers: [] }
          : reply;
      },
    };
    const report = await diagnose(parseCheckTarget('healthy.test'), {
      dns: refusingPtr,
      clock: systemClock,
      lookup: loopbackLookup(RESOLVER, network.port, MAIL_NETWORK_TIMEOUT_MS),
    });
    const refused = withId(report, 'ptr.lookup-failed');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ status: 'error', evidence: { rcode: 'REFUSED', refusedBy: 'our-resolver' } });
    expect(refused[0]?.summary).toMatch(/^Our resolver 127\.0\.0\.1:\d+ refused to answer PTR /);
    expect(report.senders.filter((s) => s.verdict !== 'ok')).toEqual([]);
    expect(buildProblems(report.findings, report.senders).find((p) => p.id === 'ptr.lookup-failed')?.whoseMove).toBe(
      'ours',
    );
  });

  it('finds the founding failure: an MX answer past byte 512 that qmail cannot read', async () => {
    const report = await run('bigmx.test');
    const over = withId(report, 'dns.answer-over-512').filter((f) => f.evidence.qtype === 'MX');
    expect(over).toHaveLength(2); // once per authoritative server
    const evidence = over[0]!.evidence;
    expect(evidence.answerEnd as number).toBeGreaterThan(512);
    expect(evidence.tc).toBe(true);
    expect(evidence.size as number).toBeGreaterThanOrEqual(evidence.answerEnd as number);
    expect(String(evidence.server)).toMatch(/ns[12]\.servers\.test \(127\.0\.0\.1[12]\)/);
    expect(evidence.dig).toContain(`dig +noedns +ignore +norecurse MX bigmx.test @127.0.0.11 -p ${network.port}`);
    // The same question through our resolver, as dig on an admin's machine shows it: here the resolver serves the same zone.
    expect(evidence).toMatchObject({
      resolver: `127.0.0.1:${network.port}`,
      resolverAnswerEnd: evidence.answerEnd,
      resolverSize: evidence.size,
    });
    expect(evidence.dig).toContain(`dig +noedns +tcp MX bigmx.test @127.0.0.1 -p ${network.port}`);
    expect(ids(report)).toEqual(expect.arrayContaining(['dns.truncated', 'dns.reply-over-1232']));
    expect(verdict(report, 'qmail-1.03')).toMatchObject({
      verdict: 'fail',
      because: expect.arrayContaining(['dns.answer-over-512']),
    });
    // qmail 1.03 asks ANY first, and the ANY answer holds the 20 MX records too.
    expect(verdict(report, 'qmail-1.03')?.expected).toContain('#4.4.3');
    expect(verdict(report, 'notqmail-1.08')).toMatchObject({
      verdict: 'fail',
      expected: expect.stringContaining('#4.1.2'),
    });
    expect(verdict(report, 'musl-1.2.3')?.verdict).toBe('fail');
    expect(verdict(report, 'notqmail-1.09')?.verdict).toBe('ok');
    expect(verdict(report, 'postfix')?.verdict).toBe('ok');
    expect(report.status).toBe('fail');
  });

  it('keeps what DNS held: the records the resolver gave and the largest answer per query', async () => {
    const healthy = await run('healthy.test');
    expect(healthy.observations.records['healthy.test MX']).toEqual(['10 mx1.healthy.test']);
    expect(healthy.observations.records['healthy.test TXT']?.some((t) => t.startsWith('"v=spf1'))).toBe(true);
    const mxSize = healthy.observations.answerSizes['MX healthy.test'];
    expect(mxSize?.answerEnd).toBeGreaterThan(12);
    expect(mxSize?.answerEnd).toBeLessThanOrEqual(512);
    const big = await run('bigmx.test');
    expect(big.observations.records['bigmx.test MX']).toHaveLength(20);
    expect(big.observations.answerSizes['MX bigmx.test']?.answerEnd).toBeGreaterThan(512);
  });

  it('tells the ANY path apart: only the classic qmail family breaks on a big ANY answer', async () => {
    const report = await run('bigany.test');
    expect(withId(report, 'dns.answer-over-512').map((f) => f.evidence.qtype)).toEqual(['ANY', 'ANY']);
    expect(verdict(report, 'qmail-1.03')?.expected).toContain('CNAME_lookup_failed_temporarily._(#4.4.3)');
    expect(verdict(report, 'notqmail-1.08')?.verdict).toBe('ok');
  });

  it('fails a server that truncates over UDP and refuses TCP', async () => {
    const report = await run('notcp.test');
    const [tcp] = withId(report, 'dns.tcp-unavailable');
    expect(tcp).toMatchObject({ status: 'fail', evidence: { error: 'DNS_CONNECTION_REFUSED' } });
    expect(tcp?.evidence.queriesNeedingTcp).toContain('ANY notcp.test');
    expect(verdict(report, 'no-edns-tcp-blocked')?.verdict).toBe('fail');
  });

  it('fails a server that drops EDNS queries and warns about one that echoes unknown options', async () => {
    const dropped = await run('dropedns.test');
    expect(withId(dropped, 'dns.edns-noncompliant')[0]).toMatchObject({ status: 'fail' });
    expect(verdict(dropped, 'flagday-2020-resolver')?.verdict).toBe('fail');
    const sloppy = await run('sloppy.test');
    const [finding] = withId(sloppy, 'dns.edns-noncompliant');
    expect(finding?.status).toBe('warn');
    expect(JSON.stringify(finding?.evidence)).toMatch(
      /BADVERS.*echoes an unknown EDNS option.*echoes an unknown EDNS flag/,
    );
  });

  it('reports a server that does not answer in time as unreachable, never as lame or TCP-broken, and judges senders on the one that answers', async () => {
    const report = await run('slow.test');
    const [slow, ...more] = withId(report, 'dns.nameserver-unreachable');
    expect(more).toHaveLength(0);
    expect(slow).toMatchObject({
      status: 'warn',
      subject: expect.stringContaining('127.0.0.17'),
      evidence: { udp: 'timed out', tcp: 'timed out' },
    });
    expect(ids(report)).not.toContain('dns.tcp-unavailable');
    expect(ids(report)).not.toContain('dns.lame-delegation');
    expect(ids(report)).not.toContain('dns.timeout');
    expect(verdict(report, 'qmail-1.03')?.verdict).toBe('ok');
  });

  it('finds lame delegation (a warning while another server answers) and servers that disagree', async () => {
    expect(withId(await run('lame.test'), 'dns.lame-delegation')[0]).toMatchObject({
      status: 'warn',
      evidence: { rcode: 'REFUSED', aa: false },
    });
    const split = withId(await run('split.test'), 'dns.ns-inconsistent')[0];
    expect(split?.evidence.serials).toHaveProperty('2026010100');
    expect(Object.keys(split?.evidence.mxSets as object)).toHaveLength(2);
  });

  it.each([
    ['nomx.test', 'mx.none', 'warn'],
    ['nothing.test', 'mx.none', 'fail'],
    ['nullmx.test', 'mx.null', 'warn'],
    ['nullmixed.test', 'mx.null-mixed', 'fail'],
    ['cnamemx.test', 'mx.cname-target', 'warn'],
    ['iplit.test', 'mx.ip-literal', 'fail'],
    ['unresolvable.test', 'mx.unresolvable', 'fail'],
    ['v6only.test', 'mx.ipv6-only', 'fail'],
    // A test bed allows private targets (every server here is on loopback): a private MX address is expected, not a failure.
    ['private.test', 'mx.private-address', 'info'],
    ['noptr.test', 'ptr.missing', 'warn'],
    ['badptr.test', 'ptr.mismatch', 'warn'],
    ['does-not-exist.test', 'mx.none', 'fail'],
  ])('%s: %s (%s)', async (domain, id, status) => {
    const report = await run(domain);
    expect(withId(report, id)[0]?.status).toBe(status);
  });

  it('sends each identical query once, however many checks need it', async () => {
    for (const server of network.servers) server.queries.length = 0;
    await run('healthy.test');
    const seen = network.servers.flatMap((s) =>
      s.queries.map((q) => `${s.address} ${q.transport} ${q.edns} ${q.rd} ${q.name} ${q.type}`),
    );
    const counts = new Map<string, number>();
    for (const key of seen) counts.set(key, (counts.get(key) ?? 0) + 1);
    // EDNS probes differ only in OPT contents, which the log does not show; everything else is unique.
    const repeated = [...counts].filter(([key, n]) => n > 1 && !key.includes(' SOA'));
    expect(repeated).toEqual([]);
  });
});
