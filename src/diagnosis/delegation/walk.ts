import { FLAG_DAY_UDP_SIZE, type DnsLookups, type QueryOutcome } from '../dns-lookups.js';
import type { DnsReply, QueryType } from '../dns-port.js';
import { sameName } from '../domain-name.js';
import type { RootHint } from './root-hints.js';

/** One address of one nameserver, as a parent's glue, an address record or the root hints give it. */
export interface NameserverAddress {
  readonly host: string;
  readonly address: string;
}

/** What a parent zone's server said about the child zone: the delegation as senders' resolvers find it. */
export interface Referral {
  /** The zone whose server handed out the referral ('.' for the root). */
  readonly parentZone: string;
  readonly parentServer: NameserverAddress;
  /** The delegated zone. */
  readonly zone: string;
  readonly nsHosts: readonly string[];
  /** Addresses the parent sent along (glue), for the NS hosts that have any. */
  readonly glue: readonly NameserverAddress[];
  readonly reply: DnsReply;
}

export type Delegation =
  | {
      readonly ok: true;
      /** The zone that holds the name. */
      readonly zone: string;
      /** How the parent delegates it; undefined when one server answered for parent and child alike. */
      readonly referral: Referral | undefined;
      /** The NS set resolvers use: the parent's, or the zone's own when no referral was seen. */
      readonly nsHosts: readonly string[];
      /** Addresses of the NS hosts that came with an authoritative NS answer (when no referral was seen). */
      readonly addresses?: readonly NameserverAddress[];
      /** The server that answered for the zone with authority, when the walk got that far. */
      readonly answeredBy?: NameserverAddress;
      /** Zone cuts passed on the way down, for evidence: ". -> test. (a.root-servers.net) -> ...". */
      readonly path: readonly string[];
      /** The zones from the root down to `zone` and where to ask each: what DNSSEC validation walks (RFC 4035 §5). */
      readonly cuts: readonly ZoneCut[];
    }
  | {
      readonly ok: false;
      /** 'no-root': no root server answered (our network); 'level': a zone above the domain did not; 'nxdomain': the name does not exist. */
      readonly reason: 'no-root' | 'level' | 'nxdomain';
      /** The zone whose servers failed us, or that said NXDOMAIN. */
      readonly zone: string;
      readonly outcomes: readonly QueryOutcome[];
      readonly path: readonly string[];
    };

/** A zone on the way down and the NS hosts (with the addresses its parent handed out) that serve it. */
export interface ZoneCut {
  readonly zone: string;
  readonly nsHosts: readonly string[];
  readonly glue: readonly NameserverAddress[];
}

/** Zone cuts between the root and any name are few; more is a referral loop. */
const MAX_REFERRALS = 12;
/** Glue-less NS hosts resolved inside the walk may themselves need a walk; not deeper than this (RFC 1034 §5.3.3 asks resolvers to bound the work). */
const MAX_NESTING = 3;
/** Servers of one zone asked at once: a second in flight covers one that is down without flooding. */
const ASKED_AT_ONCE = 2;

type Answer = {
  readonly kind: 'authoritative' | 'referral' | 'nxdomain';
  readonly reply: DnsReply;
  readonly server: NameserverAddress;
};

/**
 * Finds where a name is delegated the way a resolver does (RFC 1034 §5.3.3), independent of the
 * recursive resolver: from the root hints down the referrals, reading the NS set and glue each
 * parent hands out. Glue-less NS hosts are resolved the same way. Every packet goes through the
 * run's DnsLookups, so it is shared, counted and guarded like any other.
 */
export class DelegationWalker {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dns: DnsLookups,
    private readonly roots: readonly RootHint[],
  ) {}

  /**
   * The delegation of the zone holding `name`. `resolving` lists the NS hosts whose addresses the
   * caller is looking up, so a zone whose glue-less servers sit inside it cannot wait on itself.
   */
  delegation(name: string, resolving: readonly string[] = []): Promise<Delegation> {
    return this.once(`delegation:${name.toLowerCase()}`, () => this.walk(name, resolving));
  }

  /** IPv4 and IPv6 addresses of a host, asked of its own zone's servers (empty and unsettled when they do not say). */
  addresses(
    host: string,
    resolving: readonly string[] = [],
  ): Promise<{ readonly ipv4: readonly string[]; readonly ipv6: readonly string[]; readonly settled: boolean }> {
    const none = { ipv4: [], ipv6: [], settled: false };
    // A host needed to find itself (glue-less and in its own zone): no resolver can find it either.
    if (resolving.length >= MAX_NESTING || resolving.some((h) => sameName(h, host))) return Promise.resolve(none);
    const chain = [...resolving, host];
    const work = async () => {
      const found = await this.walk(host, chain);
      if (!found.ok) return { ...none, settled: found.reason === 'nxdomain' };
      const servers = found.answeredBy
        ? [found.answeredBy]
        : await this.serversOf(found.nsHosts, found.referral?.glue ?? [], chain);
      const [a, aaaa] = await Promise.all([this.askZone(servers, host, 'A'), this.askZone(servers, host, 'AAAA')]);
      const values = (reply: DnsReply | undefined, type: 'A' | 'AAAA'): string[] =>
        reply ? reply.answers.flatMap((r) => (r.type === type && sameName(r.name, host) ? [r.value] : [])) : [];
      return { ipv4: values(a, 'A'), ipv6: values(aaaa, 'AAAA'), settled: a !== undefined };
    };
    // Only outermost look-ups are shared: two nested ones may each be waiting for the other's zone.
    return resolving.length === 0 ? this.once(`addresses:${host.toLowerCase()}`, work) : work();
  }

  /** The authoritative answer for a name from its own zone's servers, or undefined when none gives one. */
  async answer(name: string, type: QueryType): Promise<DnsReply | undefined> {
    const found = await this.delegation(name);
    if (!found.ok) return undefined;
    const servers = found.answeredBy
      ? [found.answeredBy]
      : await this.serversOf(found.nsHosts, found.referral?.glue ?? []);
    return this.askZone(servers, name, type);
  }

  /**
   * The addresses to ask for a set of NS hosts: glue where the parent gave it, else looked up. IPv6
   * counts (RFC 3596): a nameserver with only AAAA glue or an AAAA record serves its zone like any
   * other. IPv4 addresses come first, so a machine without an IPv6 route asks them before failing.
   */
  async serversOf(
    nsHosts: readonly string[],
    glue: readonly NameserverAddress[],
    resolving: readonly string[] = [],
  ): Promise<NameserverAddress[]> {
    const perHost = await Promise.all(
      nsHosts.map(async (host) => {
        const glued = glue.filter((g) => sameName(g.host, host));
        if (glued.length > 0) return glued;
        const { ipv4, ipv6 } = await this.addresses(host, resolving);
        return [...ipv4, ...ipv6].map((address) => ({ host, address }));
      }),
    );
    const all = perHost.flat();
    return [...ipv4Only(all), ...all.filter((s) => s.address.includes(':'))];
  }

  private once<T>(key: string, work: () => Promise<T>): Promise<T> {
    let result = this.memo.get(key) as Promise<T> | undefined;
    if (!result) {
      result = work();
      this.memo.set(key, result);
    }
    return result;
  }

  private async walk(name: string, resolving: readonly string[]): Promise<Delegation> {
    let zone = '.';
    let servers: readonly NameserverAddress[] = ipv4Only(this.roots);
    let referral: Referral | undefined;
    const path: string[] = [];
    const cuts: ZoneCut[] = [{ zone: '.', nsHosts: servers.map((s) => s.host), glue: servers }];
    for (let step = 0; step < MAX_REFERRALS; step++) {
      const { answer, outcomes } = await this.askLevel(servers, name, zone);
      if (!answer) {
        // The child's own servers not answering is the news, not a walk failure: the parent has spoken.
        if (referral) return { ok: true, zone: referral.zone, referral, nsHosts: referral.nsHosts, path, cuts };
        return { ok: false, reason: zone === '.' ? 'no-root' : 'level', zone, outcomes, path };
      }
      if (answer.kind === 'nxdomain') {
        if (referral) return { ok: true, zone: referral.zone, referral, nsHosts: referral.nsHosts, path, cuts };
        return { ok: false, reason: 'nxdomain', zone, outcomes: [{ ok: true, reply: answer.reply }], path };
      }
      if (answer.kind === 'authoritative') return this.settle(name, answer, referral, path, cuts);
      const next = readReferral(answer, zone, name);
      if (!next) return { ok: false, reason: 'level', zone, outcomes, path };
      referral = next;
      cuts.push({ zone: next.zone, nsHosts: next.nsHosts, glue: next.glue });
      path.push(`${next.zone} (from ${answer.server.host} ${answer.server.address})`);
      // The parent has named the zone that is the name itself: nothing below can move the cut.
      if (sameName(next.zone, name))
        return { ok: true, zone: next.zone, referral: next, nsHosts: next.nsHosts, path, cuts };
      zone = next.zone;
      servers = await this.serversOf(next.nsHosts, next.glue, resolving);
    }
    return { ok: false, reason: 'level', zone, outcomes: [], path };
  }

  /** A server answered for the name with authority: the zone is its, and its NS set is compared with the parent's. */
  private async settle(
    name: string,
    answer: Answer,
    referral: Referral | undefined,
    path: readonly string[],
    cuts: readonly ZoneCut[],
  ): Promise<Delegation> {
    const ownNs = nsOf(answer.reply, name);
    const soaOwner = answer.reply.authorities.find((r) => r.type === 'SOA')?.name;
    const zone = ownNs.length > 0 ? name : (soaOwner ?? referral?.zone ?? name);
    if (referral && sameName(referral.zone, zone)) {
      return {
        ok: true,
        zone: referral.zone,
        referral,
        nsHosts: referral.nsHosts,
        answeredBy: answer.server,
        path,
        cuts,
      };
    }
    // No referral to this zone was seen: the server serves the parent too (or is a test bed's root).
    const nsReply = ownNs.length > 0 ? answer.reply : await this.zoneNs(zone, answer.server);
    const nsHosts = nsReply ? nsOf(nsReply, zone) : [];
    const addresses = nsReply ? addressesOf(nsReply, nsHosts) : [];
    // The server that answered serves this zone too (a test bed's root, or a parent hosting its child).
    const own: ZoneCut = { zone, nsHosts: [answer.server.host, ...nsHosts], glue: [answer.server, ...addresses] };
    const last = cuts[cuts.length - 1];
    return {
      ok: true,
      zone,
      referral: undefined,
      nsHosts,
      answeredBy: answer.server,
      addresses,
      path,
      cuts: last && sameName(last.zone, zone) ? cuts : [...cuts, own],
    };
  }

  private async zoneNs(zone: string, server: NameserverAddress): Promise<DnsReply | undefined> {
    const outcome = await this.ask(server, zone, 'NS');
    return outcome.ok ? outcome.reply : undefined;
  }

  /** Asks the servers of one zone, a few at a time, until one gives a usable answer. */
  private async askLevel(
    servers: readonly NameserverAddress[],
    name: string,
    zone: string,
  ): Promise<{ answer: Answer | undefined; outcomes: QueryOutcome[] }> {
    const outcomes: QueryOutcome[] = [];
    for (let i = 0; i < servers.length; i += ASKED_AT_ONCE) {
      const batch = servers.slice(i, i + ASKED_AT_ONCE);
      const replies = await Promise.all(
        batch.map(async (server) => ({ server, outcome: await this.ask(server, name, 'NS') })),
      );
      outcomes.push(...replies.map((r) => r.outcome));
      for (const { server, outcome } of replies) {
        const answer = outcome.ok ? classify(outcome.reply, server, zone, name) : undefined;
        if (answer) return { answer, outcomes };
      }
    }
    return { answer: undefined, outcomes };
  }

  /** The authoritative answer of the first server that gives one, all asked at once: dead servers cost one time-out, not one each. */
  private askZone(servers: readonly NameserverAddress[], name: string, type: QueryType): Promise<DnsReply | undefined> {
    return new Promise((resolve) => {
      let pending = servers.length;
      if (pending === 0) resolve(undefined);
      for (const server of servers) {
        // ask() never rejects: the DNS client turns every failure into an outcome.
        void this.ask(server, name, type).then((outcome) => {
          if (outcome.ok && outcome.reply.flags.aa && ['NOERROR', 'NXDOMAIN'].includes(outcome.reply.rcode))
            resolve(outcome.reply);
          if (--pending === 0) resolve(undefined);
        });
      }
    });
  }

  /** Non-recursive, with EDNS at the Flag Day size as resolvers ask, over TCP when truncated. */
  private async ask(server: NameserverAddress, name: string, type: QueryType): Promise<QueryOutcome> {
    const base = {
      server: this.dns.authoritative(server.address),
      name,
      type,
      recursionDesired: false,
      edns: { udpSize: FLAG_DAY_UDP_SIZE },
    } as const;
    const udp = await this.dns.query({ ...base, transport: 'udp' });
    return udp.ok && udp.reply.flags.tc ? this.dns.query({ ...base, transport: 'tcp' }) : udp;
  }
}

function nsOf(reply: DnsReply, zone: string): string[] {
  return [
    ...new Set(
      reply.answers.flatMap((r) => (r.type === 'NS' && sameName(r.name, zone) ? [r.value.toLowerCase()] : [])),
    ),
  ];
}

/** Addresses an authoritative server sent along with its NS answer (RFC 1034 §4.3.2 step 6), as good as glue. */
function addressesOf(reply: DnsReply, hosts: readonly string[]): NameserverAddress[] {
  return reply.additionals.flatMap((r) =>
    (r.type === 'A' || r.type === 'AAAA') && hosts.some((h) => sameName(h, r.name))
      ? [{ host: r.name.toLowerCase(), address: r.value }]
      : [],
  );
}

function ipv4Only<T extends NameserverAddress>(servers: readonly T[]): T[] {
  return servers.filter((s) => !s.address.includes(':'));
}

/** Whether `name` is `zone` or below it. */
export function isWithin(name: string, zone: string): boolean {
  const n = name.replace(/\.$/, '').toLowerCase();
  const z = zone.replace(/\.$/, '').toLowerCase();
  return z === '' || n === z || n.endsWith(`.${z}`);
}

function classify(reply: DnsReply, server: NameserverAddress, zone: string, name: string): Answer | undefined {
  if (reply.flags.aa && reply.rcode === 'NXDOMAIN') return { kind: 'nxdomain', reply, server };
  if (reply.flags.aa && reply.rcode === 'NOERROR') return { kind: 'authoritative', reply, server };
  if (reply.rcode === 'NOERROR' && readReferral({ kind: 'referral', reply, server }, zone, name))
    return { kind: 'referral', reply, server };
  // REFUSED, SERVFAIL, an upward or sideways referral, an answer without authority: ask another server.
  return undefined;
}

/** A downward referral (RFC 1034 §4.3.2): NS records in the authority section for a zone between `zone` and `name`. */
function readReferral(answer: Answer, zone: string, name: string): Referral | undefined {
  const ns = answer.reply.authorities.flatMap((r) =>
    r.type === 'NS' ? [{ owner: r.name, host: r.value.toLowerCase() }] : [],
  );
  const owner = ns[0]?.owner;
  if (owner === undefined || sameName(owner, zone) || !isWithin(owner, zone) || !isWithin(name, owner))
    return undefined;
  const nsHosts = [...new Set(ns.filter((r) => sameName(r.owner, owner)).map((r) => r.host))];
  const glue = answer.reply.additionals.flatMap((r) =>
    (r.type === 'A' || r.type === 'AAAA') && nsHosts.some((h) => sameName(h, r.name))
      ? [{ host: r.name.toLowerCase(), address: r.value }]
      : [],
  );
  return {
    parentZone: zone,
    parentServer: answer.server,
    zone: owner.replace(/\.$/, '').toLowerCase(),
    nsHosts,
    glue,
    reply: answer.reply,
  };
}
