import { AppError } from '../errors.js';
import { normalizeDomain } from './domain-name.js';

/** What `mxops check` and `/mailcheck` were asked about. */
export interface CheckTarget {
  /** The mail domain, ASCII (A-labels). */
  readonly domain: string;
  /** The RCPT TO address for SMTP probes: the one given, or postmaster@domain (RFC 5321 §4.5.1). */
  readonly recipient: string;
  /** True when the user named a recipient: greylisting and policy rejections usually exempt postmaster. */
  readonly recipientGiven: boolean;
}

const MAX_LOCAL_PART = 64;
// RFC 5321 §4.1.2 Dot-string: atoms of atext joined by single dots. Quoted local parts are rare
// enough in the wild that refusing them with a clear message is better than probing wrongly.
const DOT_STRING = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** Accepts `partner.com` or `someone@partner.com`; the domain part goes through normalizeDomain. */
export function parseCheckTarget(input: string): CheckTarget {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  if (at === -1) {
    const domain = normalizeDomain(trimmed);
    return { domain, recipient: `postmaster@${domain}`, recipientGiven: false };
  }
  const local = trimmed.slice(0, at);
  const domain = normalizeDomain(trimmed.slice(at + 1));
  if (local === '')
    throw new AppError(
      'BAD_INPUT',
      `"${input}" has nothing before the @: give a full address (someone@${domain}) or just the domain`,
    );
  if (local.length > MAX_LOCAL_PART)
    throw new AppError(
      'BAD_INPUT',
      `the part before @ in "${input}" is ${local.length} characters; at most ${MAX_LOCAL_PART} are allowed (RFC 5321 §4.5.3.1.1)`,
    );
  if (!DOT_STRING.test(local))
    throw new AppError(
      'BAD_INPUT',
      `"${local}" is not a mailbox name mxops can probe: use letters, digits and . _ + - (no spaces, quotes or leading/trailing dots)`,
    );
  return { domain, recipient: `${local}@${domain}`, recipientGiven: true };
}
