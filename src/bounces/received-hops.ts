/** One relay of a message, from its Received field (RFC 5321 §4.4). */
export interface BounceHop {
  readonly by: string | null;
  readonly from: string | null;
  readonly software: string | null;
  /** When this hop received the message, ISO 8601 in UTC. */
  readonly at: string | null;
  /** Seconds since the previous (older) hop received it; negative means the clocks disagree. */
  readonly delaySeconds: number | null;
}

const SOFTWARE: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  {
    name: 'Microsoft SMTP Server',
    pattern: /\bMicrosoft SMTP Server\b|\.(?:prod|outbound)\.protection\.outlook\.com\b/i,
  },
  { name: 'Google', pattern: /\bby mx\.google\.com\b|\bby [a-z0-9.-]+\.google\.com with\b|\bgsmtp\b/i },
  { name: 'Postfix', pattern: /\(Postfix\)|\bPostfix\b/ },
  { name: 'Exim', pattern: /\bExim\b/i },
  // qmail-smtpd writes 'from host (HELO name) (address) by me with SMTP'; qmail-inject writes '(qmail 123 invoked ...)'.
  { name: 'qmail', pattern: /\(qmail \d+ invoked\b|\(HELO [^)]*\) \([^)]*\)\s+by\b|\bqmail\b/i },
  // Sendmail puts its version and its configuration's version: 'with ESMTP id x (8.17.1/8.17.1)'.
  { name: 'Sendmail', pattern: /\(\d+\.\d+\.\d+(?:\.\d+)?\/\d+\.\d+\.\d+(?:\.\d+)?\)|\bSendmail\b/i },
];

function recogniseSoftware(received: string): string | null {
  return SOFTWARE.find((rule) => rule.pattern.test(received))?.name ?? null;
}

function withoutComments(received: string): string {
  let text = received;
  // Comments nest (RFC 5322 §3.2.2); a few rounds take out the depths seen in practice.
  for (let round = 0; round < 4 && text.includes('('); round += 1) text = text.replace(/\([^()]*\)/g, ' ');
  return text;
}

function wordAfter(received: string, keyword: 'from' | 'by'): string | null {
  const match = new RegExp(`(?:^|[\\s;)])${keyword}\\s+([^\\s;()]+)`, 'i').exec(received);
  const word = match?.[1];
  return word ? word.replace(/^\[|\]$/g, '').toLowerCase() : null;
}

/** The date after the last ';' (RFC 5322 §3.6.7), as ISO, or null when it does not parse. */
function receivedAt(received: string): string | null {
  const semicolon = received.lastIndexOf(';');
  if (semicolon < 0) return null;
  const text = received
    .slice(semicolon + 1)
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '' || text.length > 80) return null;
  const time = Date.parse(text);
  if (!Number.isFinite(time)) return null;
  const date = new Date(time);
  const year = date.getUTCFullYear();
  return year >= 1970 && year < 10000 ? date.toISOString() : null;
}

/**
 * Received fields are prepended by each relay, so the newest is on top; the hops come out
 * oldest first, with the delay from the hop before.
 */
export function readReceivedHops(receivedFields: readonly string[]): BounceHop[] {
  const hops: BounceHop[] = [];
  let previous: number | null | undefined;
  for (const received of [...receivedFields].reverse()) {
    const at = receivedAt(received);
    const time = at === null ? null : Date.parse(at);
    const delaySeconds =
      time !== null && previous !== undefined && previous !== null ? Math.round((time - previous) / 1000) : null;
    hops.push({
      by: wordAfter(withoutComments(received), 'by'),
      from: wordAfter(withoutComments(received), 'from'),
      software: recogniseSoftware(received),
      at,
      delaySeconds,
    });
    previous = time;
  }
  return hops;
}
