/**
 * Replies that are about us, the probing host, rather than about the partner's mail setup: a
 * server that closes the channel, is over its connection limit, or refuses our address (a
 * blocklist, our reverse DNS, our reputation). DOMAIN.md §2: "421 too many connections" means
 * "blocked us", never "no STARTTLS"; such a reply settles nothing about the partner.
 *
 * At the greeting there is one more reading: a 421 or 554 that names no client is the server
 * turning every client away (greetingNamesUs decides which, with the same patterns).
 */
import ipaddr from 'ipaddr.js';
import type { SmtpProbeRequest, SmtpReply } from './smtp-port.js';

export type Refusal =
  /** 421: the service is closing the channel (RFC 5321 §3.8, §4.2.3). */
  | 'closing'
  | 'too-many-connections'
  /** Our address or name was refused: a DNS blocklist, reverse DNS, reputation, HELO name. */
  | 'client-refused';

const TOO_MANY =
  /\btoo many (?:connections|concurrent|simultaneous|sessions)|\bconnection (?:limit|rate)|\bmax(?:imum)? (?:number of )?connections\b/i;

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
    String.raw`\b(?:spamhaus|spamcop|sorbs|barracudacentral|ipcheck\.proofpoint|uceprotect|abuseat|mailspike|psbl\.surriel)\b`,
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

// At the greeting the server has heard nothing from us: all it knows is our address (and the name
// that address reverses to). So a greeting that blames anyone, or speaks of a block, a listing or
// a policy, blames us. Later in the session the same words can be about the recipient or the
// message ("Recipient address rejected: policy"), which is why they are read only here.
const BLAMES_THE_CLIENT =
  /\bblock(?:ed|ing)?\b|\blisted\b|\bpolic(?:y|ies)\b|\byour\b|\byou(?:'re|\s+are|\s+have)\b|\baccess denied\b/i;

const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\.?\d)/g;
const IPV6 = /(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})(?![\w:])/gi;

function canonical(address: string): string | undefined {
  return ipaddr.isValid(address) ? ipaddr.process(address).toNormalizedString() : undefined;
}

/**
 * Whether the text holds an IP address other than the server's own. We cannot know our address as
 * the server saw it (NAT, a proxy), but at the greeting the only addresses a server has to speak
 * of are its own and its client's: any other one is ours.
 */
function namesAnotherAddress(text: string, serverAddress: string): boolean {
  const server = canonical(serverAddress);
  const candidates = [...(text.match(IPV4) ?? []), ...(text.match(IPV6) ?? [])];
  // A bare "::" is punctuation far more often than the unspecified address.
  return candidates.some((candidate) => {
    const address = /[0-9a-f]/i.test(candidate) ? canonical(candidate) : undefined;
    return address !== undefined && address !== server;
  });
}

function namesHost(text: string, name: string): boolean {
  const bare = name.replace(/\.$/, '');
  if (bare === '') return false;
  const escaped = bare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`, 'i').test(text);
}

/**
 * Whether a greeting that refuses the session is about us, the probing host, rather than about
 * every client: it says "too many connections" (DOMAIN.md §2: that is "blocked us"), names a
 * blocklist, our reputation or a policy, our HELO name (a server that reverses our address may
 * greet us by it), or an address other than its own (ours, as it saw it). One that does none of
 * these is the server refusing everyone.
 */
export function greetingNamesUs(banner: SmtpReply, request: Pick<SmtpProbeRequest, 'heloName' | 'address'>): boolean {
  const text = banner.lines.join(' ');
  return (
    TOO_MANY.test(text) ||
    ABOUT_US.test(text) ||
    BLAMES_THE_CLIENT.test(text) ||
    namesHost(text, request.heloName) ||
    namesAnotherAddress(text, request.address)
  );
}
