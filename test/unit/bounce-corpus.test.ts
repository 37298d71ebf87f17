import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBounce } from '../../src/bounces/parse-bounce.js';

/*
 * Where the wording of the samples comes from (the texts the MTAs write; names and addresses are ours):
 * - exchange-relay-denied-ndr.eml: an Exchange 2019 NDR quoted in Microsoft Q&A 1193037
 *   (learn.microsoft.com/en-us/answers/questions/1193037): "<server> rejected your message to the following
 *   email addresses", "<server> gave this error: SMTP; Unable to relay recipient in non-accepted domain",
 *   "Remote Server returned '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain'".
 * - qmail-mail-from-rejected.eml: qmail-remote.c smtp() (notqmail/notqmail): a 5xx to MAIL FROM is
 *   quit("DConnected to ", " but sender was rejected") then outsmtptext()'s "Remote host said: <reply>";
 *   no "Giving up on <ip>." (that is only when every RCPT was refused). The reply is qmail-smtpd's err_hmf.
 * - postfix-null-mx-bounce.eml: Postfix dns/dns_lookup.c "Domain %s does not accept mail (nullMX)"; its
 *   smtp/smtp_addr.c sets status 5.1.0 for DNS_NULLMX; no Remote-MTA, so Diagnostic-Code is X-Postfix.
 * - postfix-tls-verify-delay.eml, postfix-tls-refused-log.txt: Postfix smtp/smtp_proto.c: "Server certificate
 *   not verified" with a local 4.7.5 (smtp_tls_security_level verify/secure, DANE, MTA-STS), and "TLS is
 *   required, but host %s refused to start TLS: %s" quoting the server; the log form as Postfix users post it
 *   ("dsn=4.7.5, status=deferred (Server certificate not trusted)").
 * - exchange-delay-ipv6-auth.eml: the Exchange 2013+ delay notice as quoted in the tests of
 *   bbottema/outlook-message-parser (OutlookMessageParserTest, attachments.msg): "Delivery is delayed to these
 *   recipients or groups", "Remote Server at <host> (<address>) returned '400 4.4.7 Message delayed'", then a
 *   dated line per attempt, and a report with Action: delayed, Status: 4.4.7. The reply is Microsoft's, from
 *   "Support for anonymous inbound email messages over IPv6" (MicrosoftDocs/microsoft-365-docs): "450 4.7.26
 *   Service unavailable, message sent over IPv6 [...] must pass either SPF or DKIM validation."
 */
const DIRECTORY = join(import.meta.dirname, '../fixtures/bounces');
const SAMPLES = readdirSync(DIRECTORY)
  .filter((name) => /\.(?:eml|txt)$/.test(name))
  .sort();

describe('bounce corpus', () => {
  it('has a sample of every family, a delay warning, plain headers, an auto-reply and a success notice', () => {
    const expected = SAMPLES.map(
      (name) =>
        JSON.parse(readFileSync(join(DIRECTORY, name.replace(/\.(?:eml|txt)$/, '.expected.json')), 'utf8')) as {
          family: string;
          isBounce: boolean;
        },
    );
    const families = new Set(expected.map((parse) => parse.family));
    for (const family of ['qmail', 'postfix', 'exim', 'exchange', 'sendmail', 'gmail', 'unknown'])
      expect(families).toContain(family);
    expect(expected.filter((parse) => !parse.isBounce).length).toBeGreaterThanOrEqual(5);
  });

  it.each(SAMPLES)('%s parses as its .expected.json says', async (name) => {
    const raw = readFileSync(join(DIRECTORY, name));
    const expected: unknown = JSON.parse(
      readFileSync(join(DIRECTORY, name.replace(/\.(?:eml|txt)$/, '.expected.json')), 'utf8'),
    );
    const { reason, ...parse } = await parseBounce(raw);
    expect(parse).toEqual(expected);
    // Every final failure says in words why; the hypotheses match on it.
    if (parse.isBounce) expect(reason).toMatch(/\w/);
  });

  it.each(SAMPLES)('%s parses the same from a string with CRLF line ends', async (name) => {
    const text = readFileSync(join(DIRECTORY, name), 'utf8');
    expect(await parseBounce(text.replace(/\r?\n/g, '\r\n'))).toEqual(await parseBounce(text));
  });
});
