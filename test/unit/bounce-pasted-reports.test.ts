import { describe, expect, it } from 'vitest';
import { parseBounce } from '../../src/bounces/parse-bounce.js';

/**
 * What people paste most is the text they see, without the delivery-status part: then the family's
 * own words must give the recipient, the reply and the step. The wording is that of the corpus
 * samples (see bounce-corpus.test.ts for where it comes from).
 */
describe('reports pasted as the text the user sees', () => {
  it.each([
    ['alone', ''],
    [
      'after its per-message block',
      'Reporting-MTA: dns; mx.sender.example\nArrival-Date: Mon, 7 Dec 2026 10:00:00 +0000\n\n',
    ],
  ])('a delivery-status part pasted %s, without the MIME around it', async (_, before) => {
    const text = `${before}Final-Recipient: rfc822; bob@partner.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <bob@partner.test>: Recipient address rejected: User unknown\n`;
    expect(await parseBounce(text)).toMatchObject({
      dsn: '5.1.1',
      remoteReply: '550 5.1.1 <bob@partner.test>: Recipient address rejected: User unknown',
      step: 'rcpt',
      recipient: 'bob@partner.test',
      isBounce: true,
    });
  });

  it('an Exchange relay refusal: the recipient from the list, the reply quoted, refused at RCPT', async () => {
    const text = [
      'mail.example.com rejected your message to the following email addresses:',
      '',
      'Jonas Doe (j.doe@example.com)<mailto:j.doe@example.com>',
      "Your message couldn't be sent because the mail server is not ready to accept your message.",
      '',
      'mail.example.com gave this error:',
      'SMTP; Unable to relay recipient in non-accepted domain',
      '',
      'Diagnostic information for administrators:',
      '',
      'Generating server: EXCH01.corp.example.net',
      '',
      'j.doe@example.com',
      'mail.example.com',
      "Remote Server returned '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain'",
      '',
    ].join('\n');
    expect(await parseBounce(text)).toMatchObject({
      family: 'exchange',
      dsn: '5.7.54',
      remoteReply: '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain',
      step: 'rcpt',
      recipient: 'j.doe@example.com',
      recipientDomain: 'example.com',
      isBounce: true,
    });
  });

  it("an Exchange delay notice wrapped by Outlook: the latest attempt's reply, not Exchange's stand-in, and not final", async () => {
    const text = [
      'Delivery is delayed to these recipients or groups:',
      '',
      'Ana Novak (a.novak@example.com) <mailto:a.novak@example.com>',
      '',
      "This message hasn't been delivered yet. Delivery will continue to be",
      'attempted.',
      '',
      'Diagnostic information for administrators:',
      '',
      'Generating server: EXCH01.corp.example.net',
      'Receiving server: example-com.mail.protection.outlook.test (2001:db8:300::7)',
      '',
      'a.novak@example.com',
      "Remote Server at example-com.mail.protection.outlook.test (2001:db8:300::7) returned '400",
      "4.4.7 Message delayed'",
      '11/24/2026 1:01:47 PM - Remote Server at example-com.mail.protection.outlook.test',
      "(2001:db8:300::7) returned '450 4.7.26 Service unavailable, message sent over IPv6",
      "[2001:db8:100::25] must pass either SPF or DKIM validation.'",
      '',
    ].join('\n');
    expect(await parseBounce(text)).toMatchObject({
      family: 'exchange',
      dsn: '4.7.26',
      remoteReply:
        '450 4.7.26 Service unavailable, message sent over IPv6 [2001:db8:100::25] must pass either SPF or DKIM validation.',
      step: 'data',
      recipient: 'a.novak@example.com',
      recipientDomain: 'example.com',
      isBounce: false,
    });
  });

  it('a qmail-send log line for a refused MAIL FROM: the reply after "Remote host said", the MAIL step', async () => {
    const text = [
      '@400000006928a0d31f2c4b54 starting delivery 4471: msg 1835012 to remote l.weiss@example.com',
      '@400000006928a0d4094f1e2c delivery 4471: failure: Connected_to_192.0.2.25_but_sender_was_rejected./Remote_host_said:_553_sorry,_your_envelope_sender_domain_must_exist_(#5.7.1)/',
    ].join('\n');
    expect(await parseBounce(text)).toMatchObject({
      family: 'qmail',
      dsn: '5.7.1',
      remoteReply: '553 sorry, your envelope sender domain must exist (#5.7.1)',
      step: 'mail',
      recipient: 'l.weiss@example.com',
      recipientDomain: 'example.com',
      isBounce: true,
    });
  });
});
