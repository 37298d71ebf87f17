import ipaddr from 'ipaddr.js';
import { domainToASCII } from 'node:url';
import { AppError } from '../errors.js';

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
// Letters, digits and hyphens, not at either end (RFC 1123 §2.1); underscores are allowed
// because _dmarc and _mta-sts names are checked too.
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * Turns what a user typed into the ASCII domain to check: trims a trailing dot, converts IDNs
 * to A-labels, and rejects anything that is not a domain with a one-line reason.
 */
export function normalizeDomain(input: string): string {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '')
    throw new AppError('BAD_INPUT', 'no domain given: name the mail domain to check, for example partner.com');
  if (isIpAddress(trimmed.replace(/^\[|\]$/g, ''))) {
    throw new AppError(
      'BAD_INPUT',
      `"${input}" is an IP address; give the mail domain (the part after @), not a server address`,
    );
  }
  if (/[@/\s:]/.test(trimmed))
    throw new AppError(
      'BAD_INPUT',
      `"${input}" is not a domain name: give only the part after @, with no scheme, path or port`,
    );
  const ascii = domainToASCII(trimmed).toLowerCase();
  if (ascii === '')
    throw new AppError('BAD_INPUT', `"${input}" is not a valid domain name (it cannot be converted to IDNA A-labels)`);
  // The WHATWG host parser turns shorthand such as 127.1, 0x7f000001 or 3232235777 into a dotted address.
  if (isIpAddress(ascii))
    throw new AppError(
      'BAD_INPUT',
      `"${input}" is an IP address (${ascii}); give the mail domain (the part after @), not a server address`,
    );
  if (ascii.length > MAX_NAME_LENGTH)
    throw new AppError(
      'BAD_INPUT',
      `"${input}" is ${ascii.length} characters long; a domain name has at most ${MAX_NAME_LENGTH}`,
    );
  const labels = ascii.split('.');
  if (labels.length < 2)
    throw new AppError('BAD_INPUT', `"${input}" has a single label; give a full domain such as partner.com`);
  for (const label of labels) {
    if (label === '')
      throw new AppError('BAD_INPUT', `"${input}" has an empty label (two dots in a row, or a leading dot)`);
    if (label.length > MAX_LABEL_LENGTH)
      throw new AppError(
        'BAD_INPUT',
        `the label "${label.slice(0, 20)}..." is ${label.length} characters; a label has at most ${MAX_LABEL_LENGTH}`,
      );
    if (!LABEL.test(label))
      throw new AppError(
        'BAD_INPUT',
        `the label "${label}" in "${input}" is not valid: use letters, digits and inner hyphens`,
      );
  }
  return ascii;
}

/** DNS names compare case-insensitively and without the root dot. */
export function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

export function isIpAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}
