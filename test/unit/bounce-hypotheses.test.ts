import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseHypothesis, HYPOTHESES } from '../../src/bounces/hypotheses.js';
import { ALL_CHECKS } from '../../src/diagnosis/diagnose.js';
import { parseBounce, type BounceParse } from '../../src/bounces/parse-bounce.js';
import { judgeHypothesis } from '../../src/bounces/verdict.js';
import { finding } from '../../src/diagnosis/finding.js';

const SAMPLES = join(import.meta.dirname, '../fixtures/bounces');
const hypothesisOf = async (input: string | Uint8Array): Promise<string> =>
  chooseHypothesis(await parseBounce(input)).id;

describe('choosing the root-cause hypothesis', () => {
  it.each([
    ['qmail-cname-bounce.eml', 'qmail-any-answer-too-big'],
    ['qmail-deferral-log.txt', 'qmail-any-answer-too-big'],
    ['qmail-deferral-line.txt', 'qmail-any-answer-too-big'],
    ['qmail-failure-log.txt', 'no-ipv4-mail-server'],
    ['qmail-rcpt-bounce.eml', 'recipient-unknown'],
    ['postfix-rcpt-bounce.eml', 'recipient-unknown'],
    ['postfix-deferred-log.txt', 'mail-server-unreachable'],
    ['postfix-delay-warning.eml', 'mail-server-unreachable'],
    ['exim-rcpt-bounce.eml', 'relay-denied'],
    ['exim-retry-timeout.txt', 'sender-family-fails'],
    ['exim-delay-warning.eml', 'mail-server-unreachable'],
    ['exchange-online-ndr.eml', 'recipient-unknown'],
    ['m365-html-ndr.eml', 'recipient-unknown'],
    ['exchange-onprem-ndr.txt', 'message-content'],
    ['exchange-relay-denied-ndr.eml', 'relay-denied'],
    // 4.7.26 at RCPT would read as greylisting (rcpt-deferred); it judges SPF and DKIM, after DATA.
    ['exchange-delay-ipv6-auth.eml', 'sender-authentication'],
    // '553 sorry, your envelope sender domain must exist': the sender's domain is what to check, not the recipient's.
    ['qmail-mail-from-rejected.eml', 'sender-address-rejected'],
    ['postfix-null-mx-bounce.eml', 'nowhere-to-deliver'],
    ['postfix-tls-verify-delay.eml', 'tls-negotiation'],
    ['postfix-tls-refused-log.txt', 'tls-negotiation'],
    ['sendmail-rcpt-bounce.eml', 'recipient-unknown'],
    ['gmail-address-not-found.eml', 'recipient-unknown'],
    ['gmail-dns-delay.eml', 'dns-unanswerable'],
    ['postfix-success-dsn.eml', 'no-failure'],
    ['auto-reply-out-of-office.eml', 'no-failure'],
    ['headers-three-hops.eml', 'no-failure'],
  ])('%s -> %s', async (name, id) => {
    expect(await hypothesisOf(readFileSync(join(SAMPLES, name)))).toBe(id);
  });

  it.each([
    [
      'qmail: MX or A answer too big',
      "delivery 12: deferral: Sorry,_I_couldn't_find_any_host_by_that_name._(#4.1.2)/",
      'qmail-mx-or-a-answer-too-big',
    ],
    [
      'Postfix: the domain does not exist',
      'Nov 12 10:00:01 gw postfix/smtp[811]: 4Yq: to=<a@gone.test>, relay=none, delay=0.1, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=gone.test type=A: Host not found)',
      'nowhere-to-deliver',
    ],
    [
      'Postfix: DNS fails temporarily',
      'Nov 12 10:00:01 gw postfix/smtp[811]: 4Yq: to=<a@flaky.test>, relay=none, delay=300, dsn=4.4.3, status=deferred (Host or domain name not found. Name service error for name=flaky.test type=MX: Host not found, try again)',
      'dns-unanswerable',
    ],
    [
      'Exim: IP-literal or dangling MX',
      'Subject: Mail delivery failed: returning message to sender\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  a@odd.test\n    all relevant MX records point to non-existent hosts\n',
      'nowhere-to-deliver',
    ],
    [
      'greylisting at RCPT',
      'Nov 12 10:00:01 gw postfix/smtp[811]: 4Yq: to=<a@grey.test>, relay=mx.grey.test[192.0.2.7]:25, dsn=4.7.1, status=deferred (host mx.grey.test[192.0.2.7] said: 451 4.7.1 Greylisted, try again later (in reply to RCPT TO command))',
      'rcpt-deferred',
    ],
    [
      'TLS refused',
      'Nov 12 10:00:01 gw postfix/smtp[811]: 4Yq: to=<a@tls.test>, relay=mx.tls.test[192.0.2.8]:25, dsn=4.7.5, status=deferred (TLS is required, but host mx.tls.test[192.0.2.8] refused to start TLS: 454 4.7.0 TLS not available)',
      'tls-negotiation',
    ],
    [
      'TLS peer not trusted',
      'Nov 12 10:00:01 gw postfix/smtp[811]: 4Yq: to=<a@tls.test>, relay=mx.tls.test[192.0.2.8]:25, delay=5831, delays=5830/0.23/0.1/0, dsn=4.7.5, status=deferred (Server certificate not trusted)',
      'tls-negotiation',
    ],
    [
      'DMARC rejection',
      "Nov 12 10:00:01 gw postfix/smtp[811]: 4Yq: from=<me@sender.test>, to=<a@strict.test>, relay=mx.strict.test[192.0.2.9]:25, dsn=5.7.26, status=bounced (host mx.strict.test[192.0.2.9] said: 550 5.7.26 Unauthenticated email from sender.test is not accepted due to domain's DMARC policy (in reply to end of DATA command))",
      'sender-authentication',
    ],
    [
      'size limit',
      'Nov 12 10:00:01 gw postfix/smtp[811]: 4Yq: to=<a@small.test>, relay=mx.small.test[192.0.2.10]:25, dsn=5.3.4, status=bounced (host mx.small.test[192.0.2.10] said: 552 5.3.4 Message size exceeds fixed limit (in reply to end of DATA command))',
      'message-too-big',
    ],
  ])('%s', async (_what, text, id) => {
    expect(await hypothesisOf(text)).toBe(id);
  });
});

describe('judging a hypothesis from the findings', () => {
  const qmailAny = async (): Promise<ReturnType<typeof chooseHypothesis>> =>
    chooseHypothesis(await parseBounce(readFileSync(join(SAMPLES, 'qmail-cname-bounce.eml'))));
  const over512 = (qtype: string) =>
    finding({
      id: 'dns.answer-over-512',
      status: 'fail',
      subject: `${qtype} partner.test at ns1`,
      summary: 'big',
      evidence: { qtype, answerEnd: 601 },
    });

  it('confirms with the findings that bear it out, whatever else went wrong', async () => {
    const timeout = finding({ id: 'dns.timeout', status: 'error', subject: 'ns2', summary: 'slow' });
    expect(judgeHypothesis(await qmailAny(), [over512('ANY'), timeout])).toEqual({
      verdict: 'confirmed',
      findings: [over512('ANY')],
    });
  });

  it('takes an MX answer over 512 for the ANY path through a caching resolver, saying so', async () => {
    const judged = judgeHypothesis(await qmailAny(), [over512('MX')]);
    expect(judged.verdict).toBe('confirmed');
    expect(judged.findings.map((f) => f.id)).toEqual(['bounce.any-from-cache', 'dns.answer-over-512']);
    expect(judged.findings[0]?.summary).toContain('ends at byte 601');
  });

  it('refutes with what was found instead when every answer fits', async () => {
    const pass = finding({ id: 'dns.reply-sizes-ok', status: 'pass', subject: 'partner.test', summary: 'fine' });
    const warn = finding({ id: 'dmarc.policy-none', status: 'warn', subject: 'partner.test', summary: 'p=none' });
    expect(judgeHypothesis(await qmailAny(), [warn, pass])).toEqual({ verdict: 'refuted', findings: [warn, pass] });
  });

  it('never confirms on a time-out: a connection that timed out for mxops too is "could not tell"', async () => {
    const connect = chooseHypothesis(await parseBounce(readFileSync(join(SAMPLES, 'postfix-deferred-log.txt'))));
    expect(connect.id).toBe('mail-server-unreachable');
    const timedOut = finding({
      id: 'smtp.connect-timeout',
      status: 'error',
      subject: 'mx1.partner.test (192.0.2.25)',
      summary: 'no answer',
    });
    expect(judgeHypothesis(connect, [timedOut])).toEqual({ verdict: 'unknown', findings: [timedOut] });
    const refused = finding({
      id: 'smtp.connect-failed',
      status: 'fail',
      subject: 'mx1.partner.test (192.0.2.25)',
      summary: 'refused',
    });
    expect(judgeHypothesis(connect, [refused]).verdict).toBe('confirmed');
  });

  it('confirms a refusal at the greeting with smtp.refuses-everyone, and not with smtp.blocked-us (that one is about mxops)', async () => {
    const bounce =
      'Subject: Mail delivery failed: returning message to sender\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  a@partner.test\n    host mx1.partner.test [192.0.2.25]\n    SMTP error from remote mail server after initial connection:\n    554 mx1.partner.test No SMTP service here\n';
    const greeting = chooseHypothesis(await parseBounce(bounce));
    expect(greeting.id).toBe('mail-server-greeting');
    const refuses = finding({
      id: 'smtp.refuses-everyone',
      status: 'fail',
      subject: 'mx1.partner.test (192.0.2.25)',
      summary: 'refuses every client',
    });
    expect(judgeHypothesis(greeting, [refuses])).toMatchObject({ verdict: 'confirmed', findings: [refuses] });
    const blocked = finding({
      id: 'smtp.blocked-us',
      status: 'error',
      subject: 'mx1.partner.test (192.0.2.25)',
      summary: 'blocked us',
    });
    expect(judgeHypothesis(greeting, [blocked]).verdict).not.toBe('confirmed');
  });

  it('says unknown, not refuted, for an SMTP cause when the run probed no mail server', async () => {
    const rcpt = chooseHypothesis(await parseBounce(readFileSync(join(SAMPLES, 'postfix-rcpt-bounce.eml'))));
    const mxOk = finding({ id: 'mx.ok', status: 'pass', subject: 'partner.test', summary: 'fine' });
    const judged = judgeHypothesis(rcpt, [mxOk]);
    expect(judged.verdict).toBe('unknown');
    expect(judged.findings.map((f) => f.id)).toEqual(['bounce.smtp-not-probed']);
  });

  it('names only checks that exist', () => {
    const names = ALL_CHECKS.map((check) => check.name);
    for (const hypothesis of HYPOTHESES)
      for (const check of hypothesis.checks) expect(names, `${hypothesis.id} names ${check}`).toContain(check);
    expect(new Set(HYPOTHESES.map((h) => h.id)).size).toBe(HYPOTHESES.length);
  });

  it('says unknown when a question went unanswered and nothing confirms', async () => {
    const timeout = finding({ id: 'dns.timeout', status: 'error', subject: 'ns2', summary: 'slow' });
    expect(judgeHypothesis(await qmailAny(), [timeout])).toEqual({ verdict: 'unknown', findings: [timeout] });
  });

  it('has nothing to judge when the hypothesis names no checks', async () => {
    const none: BounceParse = await parseBounce(readFileSync(join(SAMPLES, 'postfix-success-dsn.eml')));
    expect(judgeHypothesis(chooseHypothesis(none), [over512('ANY')])).toEqual({ verdict: 'unknown', findings: [] });
  });
});

describe('the envelope sender of a Postfix report', () => {
  it('is read from X-Postfix-Sender when the returned headers are left out', async () => {
    const report = [
      'From: MAILER-DAEMON@mail.example.net (Mail Delivery System)',
      'To: notify@example.net',
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
      '',
      '--B1',
      'Content-Type: text/plain',
      '',
      'This is the mail system at host mail.example.net.',
      '',
      '<ops@partner.test>: host mx1.partner.test[192.0.2.25] said: 550 5.1.1 <ops@partner.test>: Recipient address rejected: User unknown (in reply to RCPT TO command)',
      '',
      '--B1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mail.example.net',
      'X-Postfix-Queue-ID: 4YgQ1f0Bz5z2xK9',
      'X-Postfix-Sender: rfc822; billing@example.net',
      '',
      'Final-Recipient: rfc822; ops@partner.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <ops@partner.test>: Recipient address rejected: User unknown',
      '',
      '--B1--',
      '',
    ].join('\n');
    expect(await parseBounce(report)).toMatchObject({
      family: 'postfix',
      sender: 'billing@example.net',
      recipient: 'ops@partner.test',
      dsn: '5.1.1',
      step: 'rcpt',
      isBounce: true,
    });
  });
});
