import ipaddr from 'ipaddr.js';

/** ipaddr.js ranges that no sender on the internet can deliver to. */
const NON_PUBLIC_RANGES = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'private', 'reserved', 'carrierGradeNat', 'uniqueLocal']);

/**
 * The ipaddr.js range name of an address when it is not publicly routable ('private',
 * 'loopback', 'reserved', ...), or undefined for a public address. IPv4-mapped IPv6 addresses are
 * judged by the IPv4 address inside.
 */
export function nonPublicRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  return NON_PUBLIC_RANGES.has(range) ? range : undefined;
}
