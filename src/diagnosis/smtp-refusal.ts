/**
 * Replies that are about us, the probing host, rather than about the partner's mail setup: a
 * server that closes the channel, is over its connection limit, or refuses our address (a
 * blocklist, our reverse DNS, our reputation). DOMAIN.md §2: "421 too many connections" means
 * "blocked us", never "no STARTTLS"; such a reply settles nothing about the partner.
 */
import type { SmtpReply } from './smtp-port.js';

export type Refusal =
  /** 421: the service is closing the channel (RFC 5321 §3.8, §4.2.3). */
  | 'closing'
  | 'too-many-connections'
  /** Our address or name was refused: a DNS blocklist, reverse DNS, reputation, HELO name. */
  | 'client-refused';

const TOO_MANY = /\btoo many (?:connections|concurrent|simultaneous|sessions)|\bconnection (?:limit|rate)|\bmax(?:imum)? (?:number of )?connections\b/i;

// Written from texts servers really send, e.g. Postfix "Client host rejected: cannot find your
// hostname", "Helo command rejected"; Exchange "Client host [192.0.2.1] blocked using
// zen.spamhaus.org"; Microsoft 365 "5.7.606 Access denied, banned sending IP"; Cisco "rejected due
// to the sending MTA's poor reputation"; Proofpoint "Blocked - see https://ipcheck.proofpoint.com".
// "Recipient address rejected", "Relay access denied" and "Access denied" (Microsoft 365's
// directory-based edge blocking of unknown recipients) are about the partner and must not match.
const ABOUT_US = new RegExp(
  [
    String.raw`\b(?:dnsbl|rbl)\b`,
    String.raw`\bblocked using\b`,
    String.raw`\b(?:black|block|deny|ban)\s?list(?:ed)?\b`,
    String.raw`\blisted (?:at|in|on|by)\b`,
    String.raw`\b(?:spamhaus|spamcop|sorbs|barracudacentral|ipcheck\.proofpoint)\b`,
    String.raw`\breputation\b`,
    String.raw`\bbanned\b`,
    String.raw`\bclient host\b.*\b(?:rejected|blocked|refused)\b`,
    String.raw`\bhelo command rejected\b`,
    String.raw`\b(?:your|sending|client|remote|connecting) (?:ip|ip address|address|host|server|mta)\b.*\b(?:blocked|listed|rejected|refused|denied|not (?:allowed|authori[sz]ed|permitted))\b`,
  ].join('|'),
  'i',
);

/** Why `reply` means the server would not talk to us, or undefined when it is an answer about the partner. */
export function refusalOf(reply: SmtpReply): Refusal | undefined {
  if (reply.code < 400) return undefined;
  const text = reply.lines.join(' ');
  if (TOO_MANY.test(text)) return 'too-many-connections';
  if (reply.code === 421) return 'closing';
  if (ABOUT_US.test(text)) return 'client-refused';
  return undefined;
}
