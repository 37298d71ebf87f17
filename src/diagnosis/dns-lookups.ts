import { AppError, isAppError } from '../errors.js';
import { nonPublicRange } from './address-scope.js';
import type { RootHint } from './delegation/root-hints.js';
import type { TrustAnchor } from './dnssec/trust-anchors.js';
import {
  formatServer,
  type DnsClient,
  type DnsQuery,
  type DnsQueryOptions,
  type DnsReply,
  type DnsServer,
  type QueryType,
} from './dns-port.js';

/** What one query came to: a reply (any rcode) or the transport failure that stopped it. */
export type QueryOutcome =
  | { readonly ok: true; readonly reply: DnsReply }
  | { readonly ok: false; readonly query: DnsQuery; readonly error: AppError };

/** The EDNS buffer size DNS Flag Day 2020 settled on (https://www.dnsflagday.net/2020/). */
export const FLAG_DAY_UDP_SIZE = 1232;

export interface LookupSettings {
  /** The recursive resolver the diagnosis asks first, as a sender's resolver would. */
  readonly resolver: DnsServer;
  /** Port of authoritative servers: 53, except in tests. */
  readonly authoritativePort: number;
  readonly queryOptions: DnsQueryOptions;
  /** Where the delegation walk starts: the root servers, or a test bed's stand-in (MXOPS_ROOT_HINTS). */
  readonly rootHints: readonly RootHint[];
  /**
   * Send packets to loopback, private and reserved addresses learned from the partner's data (NS
   * glue, NS address records). Off in production: such an address is either a mistake or an
   * attempt to make mxops probe the network it runs in.
   */
  readonly allowPrivateTargets: boolean;
  /** Packets one run may send (MXOPS_MAX_QUERIES_PER_CHECK): a hostile zone must not turn a check into a flood. */
  readonly maxQueries: number;
  /** Where DNSSEC validation starts (MXOPS_TRUST_ANCHORS); the root's IANA anchors when absent. */
  readonly trustAnchors?: readonly TrustAnchor[];
}

/** The default of MXOPS_MAX_QUERIES_PER_CHECK: a healthy domain needs 100-300, one with 20 MX hosts about 700. */
export const DEFAULT_MAX_QUERIES = 2_000;

/**
 * One diagnosis run's view of DNS. Identical queries are sent once and shared by every check
 * (the promise is cached, so concurrent askers wait on the same packet); transport failures
 * become outcomes, so no check has to catch.
 */
export class DnsLookups {
  private readonly inFlight = new Map<string, Promise<QueryOutcome>>();
  private sent = 0;
  private refusedForBudget = 0;
  /** Addresses we chose ourselves (the resolver, the root hints): trusted whatever their range. */
  private readonly configured: ReadonlySet<string>;

  constructor(
    private readonly client: DnsClient,
    readonly settings: LookupSettings,
  ) {
    this.configured = new Set([settings.resolver.host, ...settings.rootHints.map((hint) => hint.address)]);
  }

  /** How many packets went out (after de-duplication). */
  get queriesSent(): number {
    return this.sent;
  }

  /** Queries not sent because the run had used its budget; 0 when it never ran out. */
  get queriesOverBudget(): number {
    return this.refusedForBudget;
  }

  /** Every query's outcome once all have settled, for what the run observed. */
  async outcomes(): Promise<QueryOutcome[]> {
    const settled = await Promise.allSettled(this.inFlight.values());
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  query(query: DnsQuery): Promise<QueryOutcome> {
    const key = queryKey(query);
    let outcome = this.inFlight.get(key);
    if (!outcome) {
      outcome = this.send(query);
      this.inFlight.set(key, outcome);
    }
    return outcome;
  }

  /**
   * Sends a query again, past the shared outcome: one lost TCP connection on a busy path must not
   * read as "this server has no TCP" (a server is judged on a retry, not on one time-out).
   */
  retry(query: DnsQuery): Promise<QueryOutcome> {
    return this.send(query);
  }

  private send(query: DnsQuery): Promise<QueryOutcome> {
    const refusal = this.refusal(query);
    if (refusal) return Promise.resolve({ ok: false, query, error: refusal });
    this.sent++;
    return this.client.query(query, this.settings.queryOptions).then(
      (reply): QueryOutcome => ({ ok: true, reply }),
      (error: unknown): QueryOutcome => {
        if (isAppError(error)) return { ok: false, query, error };
        throw error;
      },
    );
  }

  /** The range ('private', 'loopback', ...) that keeps packets from an address, or undefined when it may be asked. */
  heldBackRange(address: string): string | undefined {
    return this.configured.has(address) || this.settings.allowPrivateTargets ? undefined : nonPublicRange(address);
  }

  /** Why a query must not be sent at all: an address we did not choose that is not public, or the budget spent. */
  private refusal(query: DnsQuery): AppError | undefined {
    const range = this.heldBackRange(query.server.host);
    if (range !== undefined) {
      return new AppError(
        'DNS_NOT_PUBLIC',
        `not asked: ${formatServer(query.server)} is a ${range} address, not a public nameserver (MXOPS_ALLOW_PRIVATE_TARGETS allows it)`,
      );
    }
    if (this.sent >= this.settings.maxQueries) {
      this.refusedForBudget++;
      return new AppError(
        'DNS_BUDGET_EXHAUSTED',
        `not asked: this check has sent its ${this.settings.maxQueries} DNS queries (MXOPS_MAX_QUERIES_PER_CHECK)`,
      );
    }
    return undefined;
  }

  /**
   * Asks the recursive resolver the way a modern stub does: UDP with EDNS at the Flag Day size,
   * then TCP when the reply comes back truncated.
   */
  async recursive(name: string, type: QueryType): Promise<QueryOutcome> {
    const base = { server: this.settings.resolver, name, type, recursionDesired: true } as const;
    const udp = await this.query({ ...base, transport: 'udp', edns: { udpSize: FLAG_DAY_UDP_SIZE } });
    if (udp.ok && udp.reply.flags.tc)
      return this.query({ ...base, transport: 'tcp', edns: { udpSize: FLAG_DAY_UDP_SIZE } });
    return udp;
  }

  /** An authoritative server address as a DnsServer. */
  authoritative(address: string): DnsServer {
    return { host: address, port: this.settings.authoritativePort };
  }
}

/** What makes two queries the same question: they are sent once. */
export function queryKey(query: DnsQuery): string {
  const edns = query.edns
    ? [
        query.edns.udpSize,
        query.edns.version ?? 0,
        query.edns.flags ?? 0,
        query.edns.dnssecOk ? 1 : 0,
        (query.edns.optionCodes ?? []).join(','),
      ].join('/')
    : 'none';
  return [
    query.server.host,
    query.server.port,
    query.transport,
    query.name.toLowerCase(),
    query.type,
    edns,
    query.recursionDesired === false ? 'nord' : 'rd',
  ].join('|');
}
