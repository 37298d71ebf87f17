/**
 * Builds a CheckContext over in-memory fixture zones (createZoneDnsClient) for unit tests of the
 * checks: a recursive resolver at RESOLVER that knows every zone, and authoritative servers at
 * other 127.0.0.x addresses. An address with no fake server times out at once, without waiting.
 */
import { expect } from 'vitest';
import type { CheckContext } from '../../src/diagnosis/check.js';
import { DnsLookups } from '../../src/diagnosis/dns-lookups.js';
import type { DnsClient } from '../../src/diagnosis/dns-port.js';
import { DomainFacts } from '../../src/diagnosis/domain-facts.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import type { Zone, ZoneRecord } from './dns-test-server.js';
import { loopbackLookup } from './loopback-lookup.js';
import { createZoneDnsClient, type FakeServer, type ZoneDnsClient } from './zone-dns-client.js';

export const RESOLVER = '127.0.0.1';

export interface ContextOptions {
  readonly domain: string;
  /** The resolver's address; defaults to RESOLVER. One with no fake server times out. */
  readonly resolver?: string;
  /** As MXOPS_ALLOW_PRIVATE_TARGETS; true by default, since every test server is on loopback. */
  readonly allowPrivateTargets?: boolean;
  /** The address the delegation walk starts from; defaults to the resolver, which knows every zone. */
  readonly root?: string;
  /** Wraps the zone client, to make chosen queries fail or replies lie. */
  readonly wrap?: (client: DnsClient) => DnsClient;
}

/** `servers` maps addresses to what they serve (see createZoneDnsClient). Authoritative servers listen on port 53. */
export function checkContext(
  servers: Record<string, FakeServer>,
  options: ContextOptions,
): { client: ZoneDnsClient; context: CheckContext } {
  const client = createZoneDnsClient(servers);
  const resolver = options.resolver ?? RESOLVER;
  const dns = new DnsLookups(
    options.wrap ? options.wrap(client) : client,
    loopbackLookup(resolver, 53, 100, {
      rootHints: [{ host: 'root.test', address: options.root ?? resolver }],
      allowPrivateTargets: options.allowPrivateTargets ?? true,
    }),
  );
  return {
    client,
    context: {
      domain: options.domain,
      target: parseCheckTarget(options.domain),
      smtp: undefined,
      dns,
      facts: new DomainFacts(options.domain, dns),
    },
  };
}

/**
 * A zone apex with an SOA (absolute names, so its size is plain to count), one NS record per
 * entry of `nameservers` (host name -> IPv4 address, or null for none), A records for those
 * hosts that lie inside the zone, then `records`.
 */
export function delegatedZone(
  origin: string,
  nameservers: Readonly<Record<string, string | null>>,
  records: readonly ZoneRecord[] = [],
  serial = 2026112601,
): Zone {
  const hosts = Object.entries(nameservers);
  return {
    origin,
    records: [
      {
        name: '@',
        type: 'SOA',
        data: {
          mname: `${hosts[0]?.[0] ?? `ns.${origin}`}.`,
          rname: `hostmaster.${origin}.`,
          serial,
          refresh: 3600,
          retry: 600,
          expire: 604800,
          minimum: 300,
        },
      },
      ...hosts.map(([host]) => ({ name: '@', type: 'NS', data: `${host}.` })),
      ...hosts.flatMap(([host, address]) =>
        address !== null && host.endsWith(`.${origin}`) ? [{ name: `${host}.`, type: 'A', data: address }] : [],
      ),
      ...records,
    ],
  };
}

/** Finding ids, sorted, for comparing whole result sets. */
export function ids(findings: readonly Finding[]): string[] {
  return findings.map((f) => f.id).sort();
}

/** The one finding with `id`; fails the test when there is none or more than one. */
export function only(findings: readonly Finding[], id: string): Finding {
  const matching = findings.filter((f) => f.id === id);
  expect(matching, `exactly one ${id} in ${ids(findings).join(', ')}`).toHaveLength(1);
  return matching[0] as Finding;
}
