/** The SMTP transaction step a delivery failed at, or how it ended. */
export type BounceStep =
  'dns' | 'connect' | 'greeting' | 'helo' | 'starttls' | 'mail' | 'rcpt' | 'data' | 'queue-expired' | 'unknown';

/**
 * Phrases, most specific first: a DNS or TLS cause beats the command it surfaced at, and the
 * queue lifetime running out is the step only when nothing says why the retries failed.
 */
const RULES: readonly { readonly step: Exclude<BounceStep, 'unknown'>; readonly pattern: RegExp }[] = [
  // qmail-remote's DNS texts (DOMAIN.md §1), Postfix, Exim, Gmail and Sendmail resolver errors.
  // Postfix's text for a null MX (RFC 7505) is its dns_lookup.c 'Domain %s does not accept mail (nullMX)'.
  {
    step: 'dns',
    pattern:
      /does not accept mail \(nullMX\)|CNAME lookup failed|couldn't find any host (?:by that name|named)|couldn't find a mail exchanger|Host or domain name not found|Name service error|DNS Error|lookup of \S{1,300} responded|Unrouteable address|all relevant MX records point to non-existent hosts|host not found|No MX (?:or A )?records? for|Domain (?:name )?not found|Host unknown|temporary failure in name resolution|no such domain|NXDOMAIN/i,
  },
  // Postfix fails a peer it cannot authenticate (smtp_tls_security_level verify/secure, DANE, MTA-STS) after the handshake, naming no command (smtp_proto.c).
  {
    step: 'starttls',
    pattern:
      /Server certificate not (?:verified|trusted)|TLS is required|Must issue a STARTTLS|TLS handshake|STARTTLS (?:failed|negotiation)|after STARTTLS|in reply to STARTTLS|Cannot start TLS|TLS session failed|encryption required/i,
  },
  // A server refuses to relay for a recipient in its answer to RCPT TO (RFC 5321 §4.1.1.3); Exchange's NDR names no command.
  {
    step: 'rcpt',
    pattern:
      /in reply to RCPT TO|after (?:pipelined )?RCPT TO|does not like recipient|RCPT TO command|\bRCPT To:|Unable to relay|Relay(?:ing)? (?:access )?denied/i,
  },
  {
    step: 'mail',
    pattern: /in reply to MAIL FROM|after (?:pipelined )?MAIL FROM|sender was rejected|MAIL FROM command|\bMAIL From:/i,
  },
  // DKIM and DMARC verdicts need the message itself, so replies that give them come after DATA (Gmail's say 'in reply to end of DATA command').
  {
    step: 'data',
    pattern:
      /must pass either SPF or DKIM|not accepted due to domain's DMARC policy|end of DATA|in reply to DATA|after (?:pipelined )?DATA|failed on DATA command|failed after I sent the message|after end of data|DATA command/i,
  },
  {
    step: 'helo',
    pattern: /in reply to (?:EHLO|HELO|LHLO)|after (?:EHLO|HELO)|my name was rejected|(?:EHLO|HELO) command/i,
  },
  {
    step: 'greeting',
    pattern: /initial (?:server )?greeting|greeting failed|SMTP greeting|after initial connection|before the greeting/i,
  },
  {
    step: 'connect',
    pattern:
      /connect to \S{1,300}:? [^\n]{0,300}?(?:timed out|refused|unreachable)|Connection (?:timed out|refused)|Network is unreachable|No route to host|establish an SMTP connection|could not connect|did not accept our requests to connect|connection to remote host failed|Operation timed out/i,
  },
  {
    step: 'queue-expired',
    pattern:
      /retry timeout exceeded|in the queue too long|Message expired|delivery time expired|Cannot send message for \d+ days?|message could not be delivered for \d+ days?|Delivery expired/i,
  },
];

export function stepFromText(text: string): BounceStep {
  // Reports wrap long lines anywhere, 'in reply to RCPT TO' included.
  const flat = text.replace(/\s+/g, ' ');
  for (const rule of RULES) if (rule.pattern.test(flat)) return rule.step;
  return 'unknown';
}

/** When no phrase says it: RFC 3463 subjects that only one step can produce. */
export function stepFromDsn(dsn: string | null, hasRemoteReply: boolean): BounceStep {
  if (dsn === null) return 'unknown';
  const detail = dsn.slice(2);
  if (hasRemoteReply && /^(?:1\.1|1\.10|1\.6|2\.1|2\.2)$/.test(detail)) return 'rcpt';
  if (/^(?:1\.2|4\.3|4\.4)$/.test(detail) && !hasRemoteReply) return 'dns';
  if (detail === '4.7') return 'queue-expired';
  if (detail === '3.4') return 'data';
  return 'unknown';
}
