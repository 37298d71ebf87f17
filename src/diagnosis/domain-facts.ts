import type { DnsRecord, DnsServer } from './dns-port.js';
import type { DnsLookups, QueryOutcome } from './dns-lookups.js';
import { isIpAddress, sameName } from './domain-name.js';

export interface AuthoritativeServer {
  /** The NS host name, for people. */
  readonly host: string;
  readonly address: string;
  readonly server: DnsServer;
}

export interface Authority {
  readonly zone: string;
  readonly nsHosts: readonly string[];
  /** Every IPv4 address of every NS host. (Probing over IPv6 is not done yet: see README.) */
  readonly servers: readonly AuthoritativeServer[];
  /** NS hosts that have no IPv4 address (a conclusive answer). */
  readonly unresolvedHosts: readonly string[];
  /** NS hosts whose A lookup settled nothing (time-out, SERVFAIL...): not known to be broken. */
  readonly undeterminedHosts: readonly HostAddresses[];
  /** The NS lookup itself, kept as evidence when it failed. */
  readonly nsOutcome: QueryOutcome;
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

  constructor(
    readonly domain: string,
    readonly dns: DnsLookups,
  ) {}

  /** Runs `work` once per run for `key`; later callers share its promise. */
  once<T>(key: string, work: () => Promise<T>): Promise<T> {
    let result = this.memo.get(key) as Promise<T> | undefined;
    if (!result) {
      result = work();
      this.memo.set(key, result);
    }
    return result;
  }

  /** The zone that holds `name` and the addresses of its authoritative servers, found through the resolver. */
  authority(name: string = this.domain): Promise<Authority> {
    return this.once(`authority:${name.toLowerCase()}`, async () => {
      const nsOutcome = await this.dns.recursive(name, 'NS');
      const none = { zone: name, nsHosts: [], servers: [], unresolvedHosts: [], undeterminedHosts: [], nsOutcome };
      if (!nsOutcome.ok) return none;
      const nsHosts = recordValues(nsOutcome.reply.answers, 'NS', name);
      if (nsHosts.length === 0) {
        // Not a zone apex: the SOA in the authority section names the enclosing zone (RFC 2308 §2.2).
        const soa = nsOutcome.reply.authorities.find((r) => r.type === 'SOA');
        return soa && !sameName(soa.name, name) ? this.authority(soa.name) : none;
      }
      const resolved = await Promise.all(nsHosts.map((host) => this.addresses(host)));
      const settled = (h: HostAddresses): boolean => h.a.ok && !['SERVFAIL', 'REFUSED'].includes(h.a.reply.rcode);
      return {
        zone: name,
        nsHosts,
        servers: resolved.flatMap(({ host, ipv4 }) => ipv4.map((address) => ({ host, address, server: this.dns.authoritative(address) }))),
        unresolvedHosts: resolved.filter((h) => settled(h) && h.ipv4.length === 0).map((h) => h.host),
        undeterminedHosts: resolved.filter((h) => !settled(h)),
        nsOutcome,
      };
    });
  }

  /** The MX RRset as the resolver gives it. */
  mx(): Promise<{ outcome: QueryOutcome; records: readonly MxRecord[] }> {
    return this.once('mx', async () => {
      const outcome = await this.dns.recursive(this.domain, 'MX');
      const records = outcome.ok
        ? outcome.reply.answers.flatMap((r) => (r.type === 'MX' && sameName(r.name, this.domain) ? [{ preference: r.preference, exchange: r.exchange }] : []))
        : [];
      return { outcome, records };
    });
  }

  /**
   * Where mail for the domain goes: each MX host's addresses in preference order, or the
   * domain's own addresses when it has no MX (implicit MX, RFC 5321 §5.1). A null MX and IP
   * literals give nothing to connect to.
   */
  mailServers(): Promise<readonly MailServerAddress[]> {
    return this.once('mail-servers', async () => {
      const { records } = await this.mx();
      const hosts = records.length > 0 ? [...records].sort((a, b) => a.preference - b.preference) : [{ preference: 0, exchange: this.domain }];
      const usable = hosts.filter((r) => r.exchange !== '' && r.exchange !== '.' && !isIpAddress(r.exchange));
      const resolved = await Promise.all(usable.map(async (r) => ({ r, addresses: await this.addresses(r.exchange) })));
      return resolved.flatMap(({ r, addresses }) => [...addresses.ipv4, ...addresses.ipv6].map((address) => ({ host: r.exchange, preference: r.preference, address })));
    });
  }

  addresses(host: string): Promise<HostAddresses> {
    return this.once(`addresses:${host.toLowerCase()}`, async () => {
      const [a, aaaa] = await Promise.all([this.dns.recursive(host, 'A'), this.dns.recursive(host, 'AAAA')]);
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
}

/** Values of the records of one simple type, optionally only those owned by `owner`. */
export function recordValues(records: readonly DnsRecord[], type: 'A' | 'AAAA' | 'NS' | 'PTR' | 'CNAME', owner?: string): string[] {
  return records.flatMap((r) => (r.type === type && (owner === undefined || sameName(r.name, owner)) ? [r.value] : []));
}
