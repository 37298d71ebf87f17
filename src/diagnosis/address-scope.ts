import ipaddr from 'ipaddr.js';

/** ipaddr.js ranges that no sender on the internet can deliver to. */
const NON_PUBLIC_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'private',
  'reserved',
  'carrierGradeNat',
  'uniqueLocal',
]);

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
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const embedded = embeddedIpv4(parsed);
  // NAT64 and 6to4 addresses reach the IPv4 address inside them: an internal one stays internal.
  if (embedded) return nonPublicRange(embedded);
  const range = parsed.range();
  if (range === 'teredo') return 'teredo';
  if (NON_PUBLIC_RANGES.has(range)) return range;
  const extra = EXTRA_NON_PUBLIC.find(([cidr]) => parsed.kind() === 'ipv6' && parsed.match(ipaddr.parseCIDR(cidr)));
  return extra?.[1];
}

/** The IPv4 address a translation prefix carries (RFC 6052 NAT64, RFC 8215 local NAT64, RFC 3056 6to4). */
function embeddedIpv4(parsed: ipaddr.IPv4 | ipaddr.IPv6): string | undefined {
  if (parsed.kind() !== 'ipv6') return undefined;
  const bytes = parsed.toByteArray();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.match(ipaddr.parseCIDR('64:ff9b::/96')) || v6.match(ipaddr.parseCIDR('64:ff9b:1::/48')))
    return bytes.slice(12, 16).join('.');
  if (v6.match(ipaddr.parseCIDR('2002::/16'))) return bytes.slice(2, 6).join('.');
  return undefined;
}
