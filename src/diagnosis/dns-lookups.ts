import { isAppError } from '../errors.js';
import type { AppError } from '../errors.js';
import type { DnsClient, DnsQuery, DnsQueryOptions, DnsReply, DnsServer, QueryType } from './dns-port.js';

/** What one query came to: a reply (any rcode) or the transport failure that stopped it. */
export type QueryOutcome = { readonly ok: true; readonly reply: DnsReply } | { readonly ok: false; readonly query: DnsQuery; readonly error: AppError };

/** The EDNS buffer size DNS Flag Day 2020 settled on (https://www.dnsflagday.net/2020/). */
export const FLAG_DAY_UDP_SIZE = 1232;

export interface LookupSettings {
  /** The recursive resolver the diagnosis asks first, as a sender's resolver would. */
  readonly resolver: DnsServer;
  /** Port of authoritative servers: 53, except in tests. */
  readonly authoritativePort: number;
  readonly queryOptions: DnsQueryOptions;
}

/**
 * One diagnosis run's view of DNS. Identical queries are sent once and shared by every check
 * (the promise is cached, so concurrent askers wait on the same packet); transport failures
 * become outcomes, so no check has to catch.
 */
export class DnsLookups {
  private readonly inFlight = new Map<string, Promise<QueryOutcome>>();
  private sent = 0;

  constructor(
    private readonly client: DnsClient,
    readonly settings: LookupSettings,
  ) {}

  /** How many packets went out (after de-duplication). */
  get queriesSent(): number {
    return this.sent;
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
      this.sent++;
      outcome = this.client.query(query, this.settings.queryOptions).then(
        (reply): QueryOutcome => ({ ok: true, reply }),
        (error: unknown): QueryOutcome => {
          if (isAppError(error)) return { ok: false, query, error };
          throw error;
        },
      );
      this.inFlight.set(key, outcome);
    }
    return outcome;
  }

  /**
   * Asks the recursive resolver the way a modern stub does: UDP with EDNS at the Flag Day size,
   * then TCP when the reply comes back truncated.
   */
  async recursive(name: string, type: QueryType): Promise<QueryOutcome> {
    const base = { server: this.settings.resolver, name, type, recursionDesired: true } as const;
    const udp = await this.query({ ...base, transport: 'udp', edns: { udpSize: FLAG_DAY_UDP_SIZE } });
    if (udp.ok && udp.reply.flags.tc) return this.query({ ...base, transport: 'tcp', edns: { udpSize: FLAG_DAY_UDP_SIZE } });
    return udp;
  }

  /** An authoritative server address as a DnsServer. */
  authoritative(address: string): DnsServer {
    return { host: address, port: this.settings.authoritativePort };
  }
}

function queryKey(query: DnsQuery): string {
  const edns = query.edns
    ? [query.edns.udpSize, query.edns.version ?? 0, query.edns.flags ?? 0, query.edns.dnssecOk ? 1 : 0, (query.edns.optionCodes ?? []).join(',')].join('/')
    : 'none';
  return [query.server.host, query.server.port, query.transport, query.name.toLowerCase(), query.type, edns, query.recursionDesired === false ? 'nord' : 'rd'].join('|');
}
