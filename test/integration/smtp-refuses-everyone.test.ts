import { systemClock } from '../../src/clock.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { SMTP_DELIVERY_RULES } from '../../src/diagnosis/smtp-senders.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { createSmtpProber } from '../../src/net/smtp-prober.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { loopbackLookup } from '../support/loopback-lookup.js';
import { startSmtpServers } from '../support/smtp-test-server.js';
import { smtpDomainDns } from '../fixtures/smtp-domain.js';

const DOMAIN = 'refusing.test';
const RESOLVER = '127.0.0.160';
const NAMESERVER = '127.0.0.161';
const MX1 = '127.0.0.162';
const MX2 = '127.0.0.163';
const SERVICE_NOT_AVAILABLE = 'Service not available, closing transmission channel';

/** A whole diagnosis of a domain whose real SMTP servers (smtp-server, on loopback) answer every connection with 421. */
describe('diagnose() against mail servers that refuse every client at connect', () => {
  const started: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.close()));
  });

  async function run(
    refusals: readonly (string | true | undefined)[],
  ): Promise<{ report: DiagnosisReport; connections: number[] }> {
    const dns = await startDnsServers(
      smtpDomainDns({
        domain: DOMAIN,
        resolver: RESOLVER,
        nameserver: NAMESERVER,
        mxHosts: [
          ['mx1', MX1],
          ['mx2', MX2],
        ],
      }),
    );
    started.push(dns);
    const smtp = await startSmtpServers([
      { address: MX1, name: `mx1.${DOMAIN}`, refuseAtConnect: refusals[0] },
      { address: MX2, name: `mx2.${DOMAIN}`, refuseAtConnect: refusals[1] },
    ]);
    started.push(smtp);
    const report = await diagnose(parseCheckTarget(DOMAIN), {
      dns: createDnsClient(),
      clock: systemClock,
      lookup: loopbackLookup(RESOLVER, dns.port, 1_000),
      smtp: { prober: createSmtpProber({ allowPrivateTargets: true }), port: smtp.port, heloName: 'probe.mxops.test' },
    });
    return { report, connections: smtp.servers.map((s) => s.connections()) };
  }
  const smtpFindings = (report: DiagnosisReport) => report.findings.filter((f) => /^(smtp|tls)\./.test(f.id));

  it('reports smtp.refuses-everyone at each address, and every sender family fails quoting the 421', async () => {
    const { report, connections } = await run([SERVICE_NOT_AVAILABLE, SERVICE_NOT_AVAILABLE]);
    expect(connections).toEqual([1, 1]);
    const judged = smtpFindings(report);
    expect(judged.map((f) => `${f.id}:${f.status}:${String(f.evidence.address)}`).sort()).toEqual([
      `smtp.refuses-everyone:fail:${MX1}`,
      `smtp.refuses-everyone:fail:${MX2}`,
    ]);
    const mx1 = judged.find((f) => f.evidence.address === MX1);
    expect(mx1?.evidence).toMatchObject({
      code: 421,
      text: `421 ${SERVICE_NOT_AVAILABLE}`,
      transcript: [`S: 421 ${SERVICE_NOT_AVAILABLE}`],
    });
    expect(mx1?.summary).toContain('refuses every client at connect');

    expect(report.senders.length).toBeGreaterThan(3);
    for (const sender of report.senders)
      expect({ family: sender.family, verdict: sender.verdict, because: sender.because }).toEqual({
        family: sender.family,
        verdict: 'fail',
        because: ['smtp.refuses-everyone'],
      });
    expect(report.senders[0]?.expected).toContain('deferred and retried, then bounced after the queue lifetime');
    const rule = SMTP_DELIVERY_RULES[0];
    expect(rule?.explain?.(rule.match(report.findings))).toBe(
      `"421 ${SERVICE_NOT_AVAILABLE}" at every MX address: the message is deferred and retried, then bounced after the queue lifetime`,
    );
  });

  it('keeps "too many connections from your host" as smtp.blocked-us: that is about us, and fails no sender', async () => {
    const { report } = await run([true, true]);
    expect(smtpFindings(report).map((f) => `${f.id}:${f.status}`)).toEqual([
      'smtp.blocked-us:error',
      'smtp.blocked-us:error',
    ]);
    expect(report.senders.filter((s) => s.verdict === 'fail')).toEqual([]);
  });

  it('leaves the senders to the other MX when only one address refuses', async () => {
    const { report } = await run([SERVICE_NOT_AVAILABLE, undefined]);
    const judged = smtpFindings(report);
    expect(judged.filter((f) => f.evidence.address === MX1).map((f) => f.id)).toEqual(['smtp.refuses-everyone']);
    // mx2 takes the message (in clear: it offers no STARTTLS), so no sender fails.
    expect(judged.filter((f) => f.evidence.address === MX2).map((f) => `${f.id}:${f.status}`)).toEqual([
      'smtp.starttls-missing:warn',
      'smtp.software:info',
    ]);
    expect(report.senders.filter((s) => s.verdict === 'fail')).toEqual([]);
  });
});
