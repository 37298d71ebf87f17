import type { AuthoritativeServer } from './authoritative-server.js';
import { probeNameserver, type NameserverHealth } from './delegation/nameserver-health.js';
import { DelegationWalker, type Delegation, type NameserverAddress } from './delegation/walk.js';
import type { DnsRecord } from './dns-port.js';
import type { DnsLookups, QueryOutcome } from './dns-lookups.js';
import { isIpAddress, sameName } from './domain-name.js';
import { settledNothing } from './lookup-failure.js';
import { DEFAULT_MAIL_SERVER_LIMITS, type MailServerLimits } from './mail-server-limits.js';

export interface Authority {
  readonly zone: string;
  readonly nsHosts: readonly string[];
  /** Every IPv4 address of every NS host that may be asked. (Probing over IPv6 is not done yet: see README.) */
  readonly servers: readonly AuthoritativeServer[];
  /** NS host addresses not asked because they are not public (loopback, private, broadcast...). */
  readonly notPublic: readonly (AuthoritativeServer & { readonly range: string })[];
  /** NS hosts that have no IPv4 address (a conclusive answer). */
  readonly unresolvedHosts: readonly string[];
  /** NS hosts whose A lookup settled nothing (time-out, SERVFAIL...): not known to be broken. */
  readonly undeterminedHosts: readonly HostAddresses[];
  /** IPv6 addresses of the NS hosts: not asked yet (IPv4 only), and reported as such, never as unreachable. */
  readonly ipv6NotAsked: readonly NameserverAddress[];
  /**
   * How the servers were found: the delegation walk from the root (what senders' resolvers find,
   * whatever our resolver does), or, when the root servers cannot be reached from here, our resolver.
   */
  readonly source: 'delegation' | 'resolver';
  /** The walk's result: the parent's NS set and glue, or why it stopped. */
  readonly delegation: Delegation;
  /** The resolver's NS lookup, when the servers came from it; kept as evidence when it failed. */
  readonly nsOutcome: QueryOutcome | undefined;
}

export interface MxRecord {
  readonly preference: number;
  readonly exchange: string;
}

export interface MailServerAddress {
  readonly host: string;
  readonly preference: number;
  readonly address: string;
}

export interface HostAddresses {
  readonly host: string;
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
  /** Set when the name is an alias (the first CNAME in the chain points here). */
  readonly cnameTarget: string | undefined;
  readonly a: QueryOutcome;
  readonly aaaa: QueryOutcome;
}

/**
 * Facts about a domain that several checks need (its zone's servers, its MX set, the addresses
 * of hosts), each worked out once per run however many checks ask, and concurrently.
 */
export class DomainFacts {
  private readonly memo = new Map<string, Promise<unknown>>();
  readonly walker: DelegationWalker;

  constructor(
    readonly domain: string,
    readonly dns: DnsLookups,
    readonly limits: MailServerLimits = DEFAULT_MAIL_SERVER_LIMITS,
  ) {
    this.walker = new DelegationWalker(dns, dns.settings.rootHints);
  }

  /** Runs `work` once per run for `key`; later callers share its promise. */
  once<T>(key: string, work: () => Promise<T>): Promise<T> {
    let result = this.memo.get(key) as Promise<T> | undefined;
    if (!result) {
      result = work();
      this.memo.set(key, result);
    }
    return result;
  }

  /**
   * The zone that holds `name` and the addresses of its authoritative servers, as the parent
   * delegates it (DOMAIN.md §2b); through our resolver only when the walk cannot leave this network.
   */
  authority(name: string = this.domain): Promise<Authority> {
    return this.once(`authority:${name.toLowerCase()}`, async () => {
      const delegation = await this.walker.delegation(name);
      if (!delegation.ok && delegation.reason === 'no-root') return this.authorityFromResolver(name, delegation);
      if (!delegation.ok) {
        return {
          zone: delegation.zone,
          nsHosts: [],
          servers: [],
          notPublic: [],
          unresolvedHosts: [],
          undeterminedHosts: [],
          ipv6NotAsked: [],
          source: 'delegation',
          delegation,
          nsOutcome: undefined,
        };
      }
      const glue = delegation.referral?.glue ?? delegation.addresses ?? [];
      const perHost = await Promise.all(delegation.nsHosts.map((host) => this.nameserverAddresses(host, glue)));
      return {
        ...this.sortServers(perHost.flatMap((h) => h.addresses)),
        zone: delegation.zone,
        nsHosts: delegation.nsHosts,
        unresolvedHosts: perHost.filter((h) => h.settled && h.addresses.length === 0).map((h) => h.host),
        undeterminedHosts: perHost.flatMap((h) => (h.settled || !h.lookup ? [] : [h.lookup])),
        ipv6NotAsked: perHost.flatMap((h) => h.ipv6),
        source: 'delegation',
        delegation,
        nsOutcome: undefined,
      };
    });
  }

  /** A nameserver's IPv4 addresses: the parent's glue, else its own zone's answer, else (walk stuck) our resolver's. */
  private async nameserverAddresses(
    host: string,
    glue: readonly NameserverAddress[],
  ): Promise<{
    host: string;
    addresses: NameserverAddress[];
    ipv6: NameserverAddress[];
    settled: boolean;
    lookup?: HostAddresses;
  }> {
    const of = (addresses: readonly string[]): NameserverAddress[] => addresses.map((address) => ({ host, address }));
    const glued = glue.filter((g) => sameName(g.host, host));
    if (glued.length > 0)
      return {
        host,
        addresses: glued.filter((g) => !g.address.includes(':')),
        ipv6: glued.filter((g) => g.address.includes(':')),
        settled: true,
      };
    const walked = await this.walker.addresses(host);
    if (walked.settled) return { host, addresses: of(walked.ipv4), ipv6: of(walked.ipv6), settled: true };
    const lookup = await this.addresses(host);
    return { host, addresses: of(lookup.ipv4), ipv6: of(lookup.ipv6), settled: settled(lookup), lookup };
  }

  /** Splits addresses into those we may ask and those the private-target guard holds back. */
  private sortServers(addresses: readonly NameserverAddress[]): Pick<Authority, 'servers' | 'notPublic'> {
    const unique = [...new Map(addresses.map((a) => [`${a.host.toLowerCase()} ${a.address}`, a])).values()];
    const withRange = unique.map((a) => ({
      ...a,
      server: this.dns.authoritative(a.address),
      range: this.dns.heldBackRange(a.address),
    }));
    return {
      servers: withRange
        .filter((a) => a.range === undefined)
        .map(({ host, address, server }) => ({ host, address, server })),
      notPublic: withRange.flatMap(({ host, address, server, range }) =>
        range === undefined ? [] : [{ host, address, server, range }],
      ),
    };
  }

  /** The zone's servers as our resolver knows them: the way before the delegation walk, kept for networks that cannot reach the root. */
  private async authorityFromResolver(name: string, delegation: Delegation): Promise<Authority> {
    const nsOutcome = await this.dns.recursive(name, 'NS');
    const none = {
      zone: name,
      nsHosts: [],
      servers: [],
      notPublic: [],
      unresolvedHosts: [],
      undeterminedHosts: [],
      ipv6NotAsked: [],
      source: 'resolver' as const,
      delegation,
      nsOutcome,
    };
    if (!nsOutcome.ok) return none;
    const nsHosts = recordValues(nsOutcome.reply.answers, 'NS', name);
    if (nsHosts.length === 0) {
      // Not a zone apex: the SOA in the authority section names the enclosing zone (RFC 2308 §2.2).
      const soa = nsOutcome.reply.authorities.find((r) => r.type === 'SOA');
      return soa && !sameName(soa.name, name) ? this.authority(soa.name) : none;
    }
    const resolved = await Promise.all(nsHosts.map((host) => this.addresses(host)));
    return {
      ...none,
      ...this.sortServers(resolved.flatMap(({ host, ipv4 }) => ipv4.map((address) => ({ host, address })))),
      nsHosts,
      unresolvedHosts: resolved.filter((h) => settled(h) && h.ipv4.length === 0).map((h) => h.host),
      undeterminedHosts: resolved.filter((h) => !settled(h)),
      ipv6NotAsked: resolved.flatMap(({ host, ipv6 }) => ipv6.map((address) => ({ host, address }))),
    };
  }

  /** How one of the zone's delegated servers answers for it, probed once per run whichever check asks first. */
  nameserverHealth(zone: string, server: AuthoritativeServer): Promise<NameserverHealth> {
    return this.once(`health:${zone.toLowerCase()}:${server.address}`, () => probeNameserver(this.dns, zone, server));
  }

  /**
   * The MX RRset as the resolver gives it; when the resolver settles nothing (time-out, SERVFAIL),
   * as the domain's own nameservers give it, so a broken resolver path does not hide the rest.
   */
  mx(): Promise<MxSet> {
    return this.once('mx', async () => {
      const { outcome, resolverOutcome } = await this.resolve(this.domain, 'MX');
      const records = outcome.ok
        ? outcome.reply.answers.flatMap((r) =>
            r.type === 'MX' && sameName(r.name, this.domain)
              ? [{ preference: r.preference, exchange: r.exchange }]
              : [],
          )
        : [];
      return { outcome, records, resolverOutcome };
    });
  }

  /**
   * The MX hosts a sender would try, most preferred first, at most `limits.maxHosts` of them (or
   * the domain itself: implicit MX, RFC 5321 §5.1); a null MX and IP literals are no hosts.
   */
  mxHosts(): Promise<{ readonly hosts: readonly MxRecord[]; readonly leftOut: number }> {
    return this.once('mx-hosts', async () => {
      const { outcome, records } = await this.mx();
      // Implicit MX (RFC 5321 §5.1) only when DNS said there is no MX, not when it said nothing.
      if (settledNothing(outcome)) return { hosts: [], leftOut: 0 };
      const hosts =
        records.length > 0
          ? [...records].sort((a, b) => a.preference - b.preference)
          : [{ preference: 0, exchange: this.domain }];
      const usable = hosts.filter((r) => r.exchange !== '' && r.exchange !== '.' && !isIpAddress(r.exchange));
      return {
        hosts: usable.slice(0, this.limits.maxHosts),
        leftOut: Math.max(0, usable.length - this.limits.maxHosts),
      };
    });
  }

  /** Where mail for the domain goes: the MX hosts' addresses in preference order, at most `limits.maxAddresses`. */
  mailServers(): Promise<readonly MailServerAddress[]> {
    return this.once('mail-servers', async () => {
      const { hosts } = await this.mxHosts();
      const resolved = await Promise.all(hosts.map(async (r) => ({ r, addresses: await this.addresses(r.exchange) })));
      const all = resolved.flatMap(({ r, addresses }) =>
        [...addresses.ipv4, ...addresses.ipv6].map((address) => ({
          host: r.exchange,
          preference: r.preference,
          address,
        })),
      );
      return all.slice(0, this.limits.maxAddresses);
    });
  }

  addresses(host: string): Promise<HostAddresses> {
    return this.once(`addresses:${host.toLowerCase()}`, async () => {
      const [{ outcome: a }, { outcome: aaaa }] = await Promise.all([
        this.resolve(host, 'A'),
        this.resolve(host, 'AAAA'),
      ]);
      const cname = a.ok ? a.reply.answers.find((r) => r.type === 'CNAME' && sameName(r.name, host)) : undefined;
      return {
        host,
        ipv4: a.ok ? recordValues(a.reply.answers, 'A') : [],
        ipv6: aaaa.ok ? recordValues(aaaa.reply.answers, 'AAAA') : [],
        cnameTarget: cname?.type === 'CNAME' ? cname.value : undefined,
        a,
        aaaa,
      };
    });
  }

  /**
   * The resolver's answer; when it settles nothing, the authoritative answer of the name's own
   * zone, found by the delegation walk (what a working resolver would have got). `resolverOutcome`
   * keeps the resolver's failure for evidence when the answer came the other way.
   */
  private async resolve(
    name: string,
    type: 'MX' | 'A' | 'AAAA',
  ): Promise<{ outcome: QueryOutcome; resolverOutcome: QueryOutcome | undefined }> {
    // The domain's MX is asked both ways at once, so a resolver that stalls costs no more than its
    // own time-out; the direct question is one the size probes ask anyway (no extra packet).
    const early = type === 'MX' ? this.walker.answer(name, type) : undefined;
    const outcome = await this.dns.recursive(name, type);
    if (!settledNothing(outcome)) return { outcome, resolverOutcome: undefined };
    const reply = await (early ?? this.walker.answer(name, type));
    return reply ? { outcome: { ok: true, reply }, resolverOutcome: outcome } : { outcome, resolverOutcome: undefined };
  }
}

export interface MxSet {
  readonly outcome: QueryOutcome;
  readonly records: readonly MxRecord[];
  /** Set when the resolver failed and `outcome` is the zone's own servers' answer. */
  readonly resolverOutcome: QueryOutcome | undefined;
}

/** Whether an address lookup came to an answer (NOERROR or NXDOMAIN), as opposed to a time-out or SERVFAIL. */
function settled(h: HostAddresses): boolean {
  return !settledNothing(h.a);
}

/** Values of the records of one simple type, optionally only those owned by `owner`. */
export function recordValues(
  records: readonly DnsRecord[],
  type: 'A' | 'AAAA' | 'NS' | 'PTR' | 'CNAME',
  owner?: string,
): string[] {
  return records.flatMap((r) => (r.type === type && (owner === undefined || sameName(r.name, owner)) ? [r.value] : []));
}
