import { systemClock } from '../../src/clock.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksOf } from '../../commands/bounce-checks.js';
import { diagnoseBounce, type HypothesisTester } from '../../commands/bounce.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { createSmtpProber } from '../../src/net/smtp-prober.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { startSmtpServers } from '../support/smtp-test-server.js';
import { mailNetwork, RESOLVER, MAIL_NETWORK_TIMEOUT_MS } from '../fixtures/mail-network.js';
import { smtpDomainDns } from '../fixtures/smtp-domain.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

const SAMPLES = join(import.meta.dirname, '../fixtures/bounces');
/** A corpus sample sent to another recipient domain: the bounce as the partner's user would paste it. */
const sample = (name: string, from: string, to: string): string =>
  readFileSync(join(SAMPLES, name), 'utf8').replaceAll(from, to);

describe('a bounce’s hypothesis tested against DNS servers on loopback', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  const tested: string[] = [];
  const test: HypothesisTester = (target, hypothesis) => {
    tested.push(`${hypothesis.id} ${target.domain}`);
    return diagnose(target, {
      dns: createDnsClient(),
      clock: systemClock,
      checks: checksOf(hypothesis),
      lookup: loopbackLookup(RESOLVER, network.port, MAIL_NETWORK_TIMEOUT_MS),
    });
  };
  const qmailCname = (domain: string) =>
    diagnoseBounce(sample('qmail-cname-bounce.eml', 'partner.test', domain), { check: true }, test);

  beforeAll(async () => {
    network = await startDnsServers(mailNetwork());
  });
  afterAll(() => network.close());

  it('confirms "CNAME lookup failed temporarily" when the ANY answer ends past byte 512, with the bytes as evidence', async () => {
    const diagnosis = await qmailCname('bigany.test');
    expect(diagnosis.hypothesis.id).toBe('qmail-any-answer-too-big');
    expect(diagnosis.tested.verdict).toBe('confirmed');
    expect(diagnosis.checked).toBe('bigany.test');
    const over = diagnosis.tested.findings.filter((f) => f.id === 'dns.answer-over-512');
    expect(over.map((f) => f.evidence.qtype)).toEqual(['ANY', 'ANY']);
    expect(over[0]?.evidence.answerEnd as number).toBeGreaterThan(512);
  });

  it('confirms it when TCP/53 is refused as well: the answer size decides, since qmail reads what its resolver hands it', async () => {
    const diagnosis = await qmailCname('notcp.test');
    expect(diagnosis.tested.verdict).toBe('confirmed');
    expect(diagnosis.tested.findings.map((f) => f.id)).toEqual(['dns.answer-over-512']);
  });

  it('refutes it for a healthy domain, showing the measured sizes', async () => {
    const diagnosis = await qmailCname('healthy.test');
    expect(diagnosis.tested.verdict).toBe('refuted');
    const sizes = diagnosis.tested.findings.find((f) => f.id === 'dns.reply-sizes-ok');
    expect(JSON.stringify(sizes?.evidence)).toContain('"qtype":"ANY"');
  });

  it('judges on the nameserver that answers when the other does not answer in time (resolvers retry the one that answers)', async () => {
    const diagnosis = await qmailCname('slow.test');
    expect(diagnosis.tested.verdict).toBe('refuted');
    const ids = diagnosis.tested.findings.map((f) => f.id);
    expect(ids).toContain('dns.nameserver-unreachable');
    expect(
      JSON.stringify(diagnosis.tested.findings.find((f) => f.id === 'dns.reply-sizes-ok')?.evidence),
    ).not.toContain('127.0.0.17');
  });

  it("confirms it when no nameserver answers at all: qmail's first lookup fails temporarily", async () => {
    const diagnosis = await qmailCname('silent.test');
    expect(diagnosis.tested).toMatchObject({
      verdict: 'confirmed',
      findings: [expect.objectContaining({ id: 'dns.nameservers-unreachable', status: 'fail' })],
    });
  });

  it('confirms qmail’s #5.4.4 for a domain whose only MX host is IPv6-only', async () => {
    const diagnosis = await diagnoseBounce(
      sample('qmail-failure-log.txt', 'legacy-partner.test', 'v6only.test'),
      { check: true },
      test,
    );
    expect(diagnosis.hypothesis.id).toBe('no-ipv4-mail-server');
    expect(diagnosis.tested).toMatchObject({
      verdict: 'confirmed',
      findings: [expect.objectContaining({ id: 'mx.ipv6-only' })],
    });
  });

  it('tests nothing with check off, and nothing for a success notice', async () => {
    const before = tested.length;
    const parsed = await diagnoseBounce(
      sample('qmail-cname-bounce.eml', 'partner.test', 'bigany.test'),
      { check: false },
      test,
    );
    expect(parsed).toMatchObject({
      hypothesis: { id: 'qmail-any-answer-too-big' },
      tested: { verdict: 'unknown', findings: [] },
      checked: undefined,
    });
    const success = await diagnoseBounce(readFileSync(join(SAMPLES, 'postfix-success-dsn.eml')), { check: true }, test);
    expect(success).toMatchObject({ hypothesis: { id: 'no-failure' }, tested: { verdict: 'unknown' } });
    expect(tested.length).toBe(before);
  });
});

describe('a bounce’s SMTP hypothesis tested against a mail server on loopback', () => {
  const DOMAIN = 'rcpt.test';
  let dns: Awaited<ReturnType<typeof startDnsServers>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServers>>;
  beforeAll(async () => {
    dns = await startDnsServers(
      smtpDomainDns({
        domain: DOMAIN,
        resolver: '127.0.0.94',
        nameserver: '127.0.0.95',
        mxHosts: [['mx1', '127.0.0.96']],
      }),
    );
    smtp = await startSmtpServers([{ address: '127.0.0.96', name: `mx1.${DOMAIN}`, rcpt: 'reject' }]);
  });
  afterAll(async () => {
    await smtp?.close();
    await dns?.close();
  });

  it('confirms "user unknown" by asking the recipient’s server about that very address', async () => {
    const diagnosis = await diagnoseBounce(
      sample('postfix-rcpt-bounce.eml', 'partner.test', DOMAIN),
      { check: true },
      (target, hypothesis) =>
        diagnose(target, {
          dns: createDnsClient(),
          clock: systemClock,
          checks: checksOf(hypothesis),
          lookup: loopbackLookup('127.0.0.94', dns.port, 1_000),
          smtp: {
            prober: createSmtpProber({ allowPrivateTargets: true }),
            port: smtp.port,
            heloName: 'probe.mxops.test',
          },
        }),
    );
    expect(diagnosis.hypothesis.id).toBe('recipient-unknown');
    expect(diagnosis.tested.verdict).toBe('confirmed');
    expect(diagnosis.tested.findings[0]).toMatchObject({ id: 'smtp.rcpt-rejected', status: 'fail' });
    expect(JSON.stringify(diagnosis.tested.findings[0]?.evidence)).toContain(`f.lang@${DOMAIN}`);
  });
});
