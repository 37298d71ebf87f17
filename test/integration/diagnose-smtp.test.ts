import { systemClock } from '../../src/clock.js';
import { Queue, QueueEvents, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import type { SmtpProbeResult, SmtpProber } from '../../src/diagnosis/smtp-port.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { createSmtpProber } from '../../src/net/smtp-prober.js';
import { createFollowUpReader } from '../../src/queue/follow-up-reader.js';
import { createFollowUpScheduler } from '../../src/queue/follow-up-scheduler.js';
import { createQueuedSmtpProber } from '../../src/queue/queued-smtp-prober.js';
import { runFollowUpCommand } from '../../commands/follow-up.js';
import type { SmtpSettings } from '../../src/diagnosis/smtp-settings.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { SMTP_PROBE_QUEUE, type SmtpProbeJobData } from '../../src/queue/smtp-probe-jobs.js';
import { createSmtpWorker } from '../../src/queue/smtp-worker.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-test.js';
import { createTestPki, startSmtpServers } from '../support/smtp-test-server.js';
import { smtpDomainDns } from '../fixtures/smtp-domain.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

const DOMAIN = 'mail.test';
const MX1 = '127.0.0.92';
const MX2 = '127.0.0.93';

/** The whole diagnosis, SMTP included: DNS and mail servers on loopback, in-process and through a worker. */
describe('diagnose() with SMTP probes against mail servers on loopback', () => {
  let dns: Awaited<ReturnType<typeof startDnsServers>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServers>>;
  let caCert: string;

  beforeAll(async () => {
    const pki = await createTestPki(`mx1.${DOMAIN}`);
    caCert = pki.caCert;
    dns = await startDnsServers(
      smtpDomainDns({
        domain: DOMAIN,
        resolver: '127.0.0.90',
        nameserver: '127.0.0.91',
        mxHosts: [
          ['mx1', MX1],
          ['mx2', MX2],
        ],
      }),
    );
    // mx1 offers STARTTLS with a certificate for its name; mx2 offers no STARTTLS and greylists.
    smtp = await startSmtpServers([
      { address: MX1, name: `mx1.${DOMAIN}`, certificate: pki.valid },
      { address: MX2, name: `mx2.${DOMAIN}`, rcpt: 'greylist' },
    ]);
  });
  afterAll(async () => {
    await smtp?.close();
    await dns?.close();
  });

  const run = (prober: SmtpProber, target = DOMAIN, followUps?: SmtpSettings['followUps']): Promise<DiagnosisReport> =>
    diagnose(parseCheckTarget(target), {
      dns: createDnsClient(),
      clock: systemClock,
      lookup: loopbackLookup('127.0.0.90', dns.port, 1_000),
      smtp: { prober, port: smtp.port, heloName: 'probe.mxops.test', ...(followUps ? { followUps } : {}) },
    });
  const about = (report: DiagnosisReport, address: string) =>
    report.findings.filter((f) => f.evidence.address === address).map((f) => `${f.id}:${f.status}`);

  it('judges each MX address from one session: TLS and RCPT on mx1, no STARTTLS and greylisting on mx2', async () => {
    const report = await run(createSmtpProber({ allowPrivateTargets: true, trustedCa: caCert }), `jane@${DOMAIN}`);
    expect(about(report, MX1)).toEqual(
      expect.arrayContaining(['smtp.ok:pass', 'tls.negotiated:info', 'smtp.software:info']),
    );
    expect(about(report, MX2)).toEqual(
      expect.arrayContaining(['smtp.starttls-missing:warn', 'smtp.rcpt-temporary:warn']),
    );
    expect(smtp.servers[0]?.commands).toContain(`RCPT TO:<jane@${DOMAIN}>`);
    expect(smtp.servers.flatMap((s) => s.commands)).not.toContain('DATA');
    expect(report.recipient).toBe(`jane@${DOMAIN}`);
    expect(report.senders.map((s) => s.family)).toEqual(
      expect.arrayContaining(['tls1.0-only-sender', 'mta-sts-enforcing-sender', 'dane-enforcing-sender']),
    );
  });

  it('opens one session per address however many MX names point at it, judges the address once and matches the certificate against each name', async () => {
    // A second view of mail.test in which three MX names share mx1's address; the certificate carries mx1's name only.
    const shared = await startDnsServers(
      smtpDomainDns({
        domain: DOMAIN,
        resolver: '127.0.0.94',
        nameserver: '127.0.0.95',
        mxHosts: [
          ['mx1', MX1],
          ['mx2', MX1],
          ['mx3', MX1],
        ],
      }),
    );
    try {
      const before = smtp.servers[0]?.connections() ?? 0;
      const report = await diagnose(parseCheckTarget(DOMAIN), {
        dns: createDnsClient(),
        clock: systemClock,
        lookup: loopbackLookup('127.0.0.94', shared.port, 1_000),
        smtp: {
          prober: createSmtpProber({ allowPrivateTargets: true, trustedCa: caCert }),
          port: smtp.port,
          heloName: 'probe.mxops.test',
        },
      });
      expect((smtp.servers[0]?.connections() ?? 0) - before).toBe(1);
      const names = [`mx1.${DOMAIN}`, `mx2.${DOMAIN}`, `mx3.${DOMAIN}`];
      // One judgement of the address, naming every MX name at it.
      const negotiated = report.findings.filter((f) => f.id === 'tls.negotiated');
      expect(negotiated).toHaveLength(1);
      expect(negotiated[0]?.evidence.hosts).toEqual(names);
      expect(negotiated[0]?.subject).toBe(`${names.join(', ')} (${MX1})`);
      // The certificate is for mx1.mail.test: the other two names are checked against it and do not match.
      const mismatched = report.findings.filter((f) => f.id === 'tls.cert-name-mismatch');
      expect(mismatched).toHaveLength(1);
      expect(mismatched[0]?.evidence.unmatchedHosts).toEqual([`mx2.${DOMAIN}`, `mx3.${DOMAIN}`]);
      expect(mismatched[0]?.summary).toContain(`not the MX hosts mx2.${DOMAIN}, mx3.${DOMAIN}`);
    } finally {
      await shared.close();
    }
  });

  it('refuses to connect to loopback addresses by default, and says so', async () => {
    const before = smtp.servers.map((s) => s.connections());
    const report = await run(createSmtpProber({ allowPrivateTargets: false }));
    expect(
      report.findings.filter((f) => f.id === 'smtp.refused-by-policy').map((f) => [f.status, f.evidence.address]),
    ).toEqual([
      ['skipped', MX1],
      ['skipped', MX2],
    ]);
    expect(smtp.servers.map((s) => s.connections())).toEqual(before);
  });

  it('gives the same judgement when the probes run in a worker through Redis', async () => {
    const prefix = uniquePrefix();
    const connection = createRedisConnection(REDIS_URL, 'worker');
    const producer = createRedisConnection(REDIS_URL, 'producer');
    const queue = new Queue<SmtpProbeJobData, SmtpProbeResult>(SMTP_PROBE_QUEUE, { connection: producer, prefix });
    const events = new QueueEvents(SMTP_PROBE_QUEUE, {
      connection: createRedisConnection(REDIS_URL, 'worker'),
      prefix,
    });
    const worker: Worker = createSmtpWorker({
      connection,
      prefix,
      concurrency: 4,
      prober: createSmtpProber({ allowPrivateTargets: true, trustedCa: caCert }),
      probeTimeoutMs: 10_000,
    });
    try {
      const inProcess = await run(createSmtpProber({ allowPrivateTargets: true, trustedCa: caCert }));
      const queued = await run(createQueuedSmtpProber({ queue, events, cacheSeconds: 60, waitTimeoutMs: 20_000 }));
      const judged = (report: DiagnosisReport) =>
        report.findings
          .filter((f) => /^(smtp|tls)\./.test(f.id))
          .map((f) => `${f.id}:${f.status}:${String(f.evidence.address)}`)
          .sort();
      expect(judged(queued)).toEqual(judged(inProcess));
      expect(judged(queued).length).toBeGreaterThan(4);

      // mx2 greylists: with a scheduler, the check schedules a follow-up probe that a worker runs later.
      const followUps = { scheduler: createFollowUpScheduler(queue), delayMs: 300 };
      const greylisted = await run(
        createQueuedSmtpProber({ queue, events, cacheSeconds: 0, waitTimeoutMs: 20_000 }),
        `jane@${DOMAIN}`,
        followUps,
      );
      const temporary = greylisted.findings.find((f) => f.id === 'smtp.rcpt-temporary');
      const followUp = temporary?.evidence.followUp as { id: string; dueAt: string; read: string };
      expect(followUp.id).toMatch(/^followup-[0-9a-f]{32}$/);
      expect(followUp.read).toBe(`mxops follow-up ${followUp.id} --wait`);
      const reader = createFollowUpReader(queue, events);
      const command = (wait: boolean) =>
        runFollowUpCommand({ id: followUp.id, json: false, wait }, { reader, clock: systemClock, waitSlackMs: 10_000 });
      expect((await command(false)).output).toMatch(/not run yet \(delayed\); due at /);
      const later = await command(true);
      expect(later.output).toContain(`RCPT TO:<jane@${DOMAIN}> at mx2.${DOMAIN} (${MX2}), probed again:`);
      expect(later.output).toContain('smtp.rcpt-temporary');
      expect(later.exitCode).toBe(0);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      const admin = new Redis(REDIS_URL);
      await dropPrefix(admin, prefix);
      for (const c of [admin, connection, producer]) c.disconnect();
    }
  });
});
