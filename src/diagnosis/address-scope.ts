import ipaddr from 'ipaddr.js';

/** ipaddr.js ranges that no sender on the internet can deliver to. */
const NON_PUBLIC_RANGES = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'private', 'reserved', 'carrierGradeNat', 'uniqueLocal']);

/** Special-purpose IPv6 blocks (RFC 6890 registry) that ipaddr.js reports as plain unicast. */
const EXTRA_NON_PUBLIC: readonly [string, string][] = [
  ['fec0::/10', 'siteLocal'],
  ['100::/64', 'discard'],
  ['2001:2::/48', 'benchmarking'],
  ['5f00::/16', 'srv6Sid'],
];

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
  if (NON_PUBLIC_RANGES.has(range)) return range;
  const extra = EXTRA_NON_PUBLIC.find(([cidr]) => parsed.kind() === 'ipv6' && parsed.match(ipaddr.parseCIDR(cidr)));
  return extra?.[1];
}
