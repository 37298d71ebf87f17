import { describe, expect, it } from 'vitest';
import { recogniseMta, type SessionLine } from '../../src/diagnosis/mta-software.js';

const banner = (text: string): SessionLine => ({ source: 'banner', text });
const ehlo = (...texts: string[]): SessionLine[] => texts.map((text) => ({ source: 'ehlo', text }));
const other = (text: string): SessionLine => ({ source: 'reply', text });

// Typical EHLO keyword lists, so the recogniser is tried on lines as servers send them.
const POSTFIX_EHLO = [
  'PIPELINING',
  'SIZE 10240000',
  'VRFY',
  'ETRN',
  'STARTTLS',
  'ENHANCEDSTATUSCODES',
  '8BITMIME',
  'DSN',
  'SMTPUTF8',
  'CHUNKING',
];
const EXCHANGE_EHLO = [
  'SIZE 37748736',
  'PIPELINING',
  'DSN',
  'ENHANCEDSTATUSCODES',
  'STARTTLS',
  'X-ANONYMOUSTLS',
  'AUTH NTLM',
  'X-EXPS GSSAPI NTLM',
  '8BITMIME',
  'BINARYMIME',
  'CHUNKING',
  'XRDST',
];

describe('recogniseMta', () => {
  it.each<[string, SessionLine[], string, string, string]>([
    [
      'Postfix by name',
      [banner('mx.example.org ESMTP Postfix (Debian/GNU)')],
      'Postfix',
      'high',
      'banner: mx.example.org ESMTP Postfix (Debian/GNU)',
    ],
    [
      'Exim by name',
      [banner('mail.example.org ESMTP Exim 4.96 Wed, 26 Nov 2025 10:12:13 +0000')],
      'Exim',
      'high',
      'banner: mail.example.org ESMTP Exim 4.96 Wed, 26 Nov 2025 10:12:13 +0000',
    ],
    [
      'Sendmail by name',
      [banner('mail.example.org ESMTP Sendmail 8.17.1/8.17.1; Wed, 26 Nov 2025 10:12:13 GMT')],
      'Sendmail',
      'high',
      'banner: mail.example.org ESMTP Sendmail 8.17.1/8.17.1; Wed, 26 Nov 2025 10:12:13 GMT',
    ],
    [
      'OpenSMTPD by name',
      [banner('mail.example.org ESMTP OpenSMTPD')],
      'OpenSMTPD',
      'high',
      'banner: mail.example.org ESMTP OpenSMTPD',
    ],
    [
      'notqmail by name',
      [banner('mail.example.org ESMTP notqmail')],
      'qmail',
      'high',
      'banner: mail.example.org ESMTP notqmail',
    ],
    [
      'Haraka by name',
      [banner('mail.example.org ESMTP Haraka/3.0.3 ready')],
      'Haraka',
      'high',
      'banner: mail.example.org ESMTP Haraka/3.0.3 ready',
    ],
    [
      'Exchange on premises by its banner',
      [banner('EXCH01.corp.example.org Microsoft ESMTP MAIL Service ready at Wed, 26 Nov 2025 11:12:13 +0100')],
      'Microsoft Exchange',
      'high',
      'banner: EXCH01.corp.example.org Microsoft ESMTP MAIL Service ready at Wed, 26 Nov 2025 11:12:13 +0100',
    ],
    [
      'Microsoft 365 by its protection.outlook.com host',
      [
        banner(
          'AM4PEPF00027A6C.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Wed, 26 Nov 2025 10:12:13 +0000 [08DE2C4A1B2C3D4E]',
        ),
      ],
      'Microsoft 365 (Exchange Online)',
      'high',
      'banner: AM4PEPF00027A6C.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Wed, 26 Nov 2025 10:12:13 +0000 [08DE2C4A1B2C3D4E]',
    ],
    [
      'Google by gsmtp',
      [banner('mx.google.com ESMTP 5b1f17b1804b1-4779a4e1e2asi1234567f9.312 - gsmtp')],
      'Google (Gmail / Google Workspace)',
      'high',
      'banner: mx.google.com ESMTP 5b1f17b1804b1-4779a4e1e2asi1234567f9.312 - gsmtp',
    ],
    [
      'Google by its EHLO greeting',
      [banner('mx.example.org ESMTP'), ...ehlo('mx.google.com at your service, [203.0.113.5]', 'SIZE 157286400')],
      'Google (Gmail / Google Workspace)',
      'high',
      'ehlo: mx.google.com at your service, [203.0.113.5]',
    ],
    [
      'Proofpoint by pphosted.com',
      [banner('mx0a-00123401.pphosted.com ESMTP mfa-m0123401')],
      'Proofpoint',
      'high',
      'banner: mx0a-00123401.pphosted.com ESMTP mfa-m0123401',
    ],
    [
      'Proofpoint Essentials',
      [banner('mx1-us1.ppe-hosted.com ESMTP')],
      'Proofpoint',
      'high',
      'banner: mx1-us1.ppe-hosted.com ESMTP',
    ],
    [
      'Mimecast',
      [banner('eu-smtp-inbound-1.mimecast.com ESMTP 2a1b3c4d')],
      'Mimecast',
      'high',
      'banner: eu-smtp-inbound-1.mimecast.com ESMTP 2a1b3c4d',
    ],
    [
      'Barracuda Email Security',
      [banner('d12345a.ess.barracudanetworks.com ESMTP (8c5b3b1e0c6f0a3e2d7e)')],
      'Barracuda',
      'high',
      'banner: d12345a.ess.barracudanetworks.com ESMTP (8c5b3b1e0c6f0a3e2d7e)',
    ],
    [
      'Cisco Secure Email by iphmx.com',
      [banner('esa1.example.iphmx.com ESMTP')],
      'Cisco Secure Email (IronPort)',
      'high',
      'banner: esa1.example.iphmx.com ESMTP',
    ],
    [
      'Exchange behind a plain banner, by its EHLO keywords',
      [banner('mail.example.org ESMTP'), ...ehlo('mail.example.org Hello [203.0.113.5]', ...EXCHANGE_EHLO)],
      'Microsoft Exchange',
      'medium',
      'ehlo: X-ANONYMOUSTLS',
    ],
    [
      'Exim by X_PIPE_CONNECT',
      [
        banner('mail.example.org ESMTP'),
        ...ehlo(
          'mail.example.org Hello probe.mxops.test [203.0.113.5]',
          'SIZE 52428800',
          '8BITMIME',
          'PIPELINING',
          'X_PIPE_CONNECT',
          'CHUNKING',
          'STARTTLS',
          'HELP',
        ),
      ],
      'Exim',
      'medium',
      'ehlo: X_PIPE_CONNECT',
    ],
    [
      '"pleased to meet you": Sendmail or OpenSMTPD',
      [
        ...ehlo(
          'mail.example.org Hello probe.mxops.test [203.0.113.5], pleased to meet you',
          '8BITMIME',
          'SIZE 36700160',
        ),
      ],
      'Sendmail or OpenSMTPD',
      'medium',
      'ehlo: mail.example.org Hello probe.mxops.test [203.0.113.5], pleased to meet you',
    ],
    [
      'DELIVERBY settles it for Sendmail',
      [
        ...ehlo(
          'mail.example.org Hello probe.mxops.test [203.0.113.5], pleased to meet you',
          'ENHANCEDSTATUSCODES',
          'DELIVERBY',
          'HELP',
        ),
      ],
      'Sendmail',
      'medium',
      'ehlo: DELIVERBY',
    ],
    [
      'smtp-server (Nodemailer)',
      [
        banner('localhost ESMTP'),
        ...ehlo('localhost Nice to meet you, [127.0.0.1]', 'PIPELINING', '8BITMIME', 'SMTPUTF8'),
      ],
      'smtp-server (Nodemailer)',
      'medium',
      'ehlo: localhost Nice to meet you, [127.0.0.1]',
    ],
    [
      'qmail by its (#x.y.z) reply codes',
      [banner('mail.example.org ESMTP'), ...ehlo('unimplemented (#5.5.1)')],
      'qmail',
      'medium',
      'ehlo: unimplemented (#5.5.1)',
    ],
    [
      'qmail in a RCPT reply',
      [banner('mail.example.org ESMTP'), other("sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)")],
      'qmail',
      'medium',
      "reply: sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
    ],
    [
      'Postfix, guessed from its default SIZE',
      [banner('mail.example.org ESMTP'), ...ehlo('mail.example.org', ...POSTFIX_EHLO)],
      'Postfix',
      'low',
      'ehlo: SIZE 10240000',
    ],
  ])('%s', (_, lines, software, confidence, line) => {
    expect(recogniseMta(lines)).toMatchObject({ software, confidence, line });
  });

  it('prefers the service we talk to over what runs behind it, and says what else it saw', () => {
    const found = recogniseMta([
      banner('mx0b-00123401.pphosted.com ESMTP mfa-m0123401'),
      ...ehlo('mx0b-00123401.pphosted.com Hello', ...EXCHANGE_EHLO),
    ]);
    expect(found).toMatchObject({ software: 'Proofpoint', kind: 'filtering-service', confidence: 'high' });
    expect(found?.alsoSeen).toEqual(['Microsoft Exchange']);
  });

  it('names Microsoft 365 over Exchange for the same banner, and lists Exchange as also seen', () => {
    const found = recogniseMta([
      banner(
        'DB5PEPF00014B9E.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Wed, 26 Nov 2025 10:12:13 +0000',
      ),
    ]);
    expect(found).toMatchObject({
      software: 'Microsoft 365 (Exchange Online)',
      kind: 'mailbox-provider',
      alsoSeen: ['Microsoft Exchange'],
    });
  });

  it('prefers a name in the banner over a guess from EHLO', () => {
    expect(
      recogniseMta([banner('mx.example.org ESMTP Postfix'), ...ehlo('mx.example.org', 'SIZE 10240000')]),
    ).toMatchObject({ software: 'Postfix', confidence: 'high', alsoSeen: [] });
  });

  it.each<[string, SessionLine[]]>([
    [
      'a plain banner and ordinary keywords',
      [
        banner('mail.example.org ESMTP ready'),
        ...ehlo('mail.example.org', 'PIPELINING', 'SIZE 52428800', 'STARTTLS', '8BITMIME'),
      ],
    ],
    [
      'a product name outside the greetings',
      [banner('mail.example.org ESMTP'), other('5.7.1 Message rejected by Postfix policy service')],
    ],
    ['nothing at all', []],
  ])('recognises nothing from %s', (_, lines) => {
    expect(recogniseMta(lines)).toBeUndefined();
  });
});
