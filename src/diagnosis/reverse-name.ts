import ipaddr from 'ipaddr.js';

/** The PTR owner name of an address: in-addr.arpa for IPv4 (RFC 1035 §3.5), nibbles under ip6.arpa (RFC 3596 §2.5). */
export function reverseName(address: string): string {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return `${parsed.toByteArray().reverse().join('.')}.in-addr.arpa`;
  const nibbles = parsed.toByteArray().flatMap((byte) => [byte >> 4, byte & 0xf]);
  return `${nibbles
    .reverse()
    .map((n) => n.toString(16))
    .join('.')}.ip6.arpa`;
}

/** Addresses compare by value, so 2001:db8::1 equals 2001:0db8:0:0:0:0:0:1. */
export function sameAddress(a: string, b: string): boolean {
  return (
    ipaddr.isValid(a) &&
    ipaddr.isValid(b) &&
    ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString()
  );
}
