/**
 * The names a person knows the sender families by; the ids (qmail-1.03, flagday-2020-resolver)
 * stay the interface and are shown beside them as a secondary label.
 */
const PLAIN_NAMES: Readonly<Record<string, string>> = {
  'qmail-1.03': 'qmail 1.03, netqmail, notqmail 1.07',
  'notqmail-1.08': 'notqmail 1.08',
  'notqmail-1.09': 'notqmail 1.09+ and patched qmail',
  'musl-1.2.3': 'Alpine < 3.18 / musl programs',
  'no-edns-tcp-blocked': 'senders whose resolver sends no EDNS',
  'flagday-2020-resolver': 'senders behind a modern resolver (EDNS 1232)',
  'validating-resolver': 'senders behind a validating resolver',
  postfix: 'Postfix, with a normal resolver',
  exim: 'Exim, with a normal resolver',
  'tls1.0-only-sender': 'senders limited to TLS 1.0',
  'mta-sts-enforcing-sender': 'senders enforcing MTA-STS',
  'dane-enforcing-sender': 'senders enforcing DANE',
};

export function plainSenderName(family: string): string {
  return PLAIN_NAMES[family] ?? family;
}

/**
 * "qmail 1.03, netqmail, notqmail 1.07 and notqmail 1.08": the families a problem stops, as one
 * phrase. Past `named` families the rest are counted ("... and 4 more kinds of sender"), so a
 * headline stays within its two lines.
 */
/**
 * plainSenderList, or "every kind of sender (12)" when `families` are all `total` of the report:
 * a list of all of them, cut off after two, would read as if some got through.
 */
export function sendersPhrase(families: readonly string[], total: number, named?: number): string {
  return total > 1 && families.length === total ? `every kind of sender (${total})` : plainSenderList(families, named);
}

export function plainSenderList(families: readonly string[], named = Number.POSITIVE_INFINITY): string {
  const names = families.map(plainSenderName);
  if (names.length > named)
    return `${names.slice(0, named).join('; ')} and ${names.length - named} more kinds of sender`;
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
