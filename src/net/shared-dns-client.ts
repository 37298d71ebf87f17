/**
 * One DNS client for a run that checks many domains at once (`mxops check a b c`, `--from-file`):
 * a question any diagnosis already asked is answered from its reply (the root and TLD referrals,
 * a mail provider's nameservers that many partners share), and no server gets more than a few
 * queries from us at a time, so a list of partners at one hoster does not flood its nameservers.
 * Failures are not kept: a later asker (or a retry) asks again.
 */
import type { DnsClient, DnsQuery, DnsQueryOptions, DnsReply } from '../diagnosis/dns-port.js';
import { queryKey } from '../diagnosis/dns-lookups.js';
import { createKeyedLimit } from './keyed-limit.js';

/** Queries in flight to one server address at most; the rest wait their turn. */
export const DEFAULT_QUERIES_PER_SERVER = 8;

export function createSharedDnsClient(client: DnsClient, perServer = DEFAULT_QUERIES_PER_SERVER): DnsClient {
  const shared = new Map<string, Promise<DnsReply>>();
  const politely = createKeyedLimit(perServer);
  return {
    query(query: DnsQuery, options: DnsQueryOptions): Promise<DnsReply> {
      const key = queryKey(query);
      const known = shared.get(key);
      if (known) return known;
      const asked = politely(query.server.host, () => client.query(query, options));
      shared.set(key, asked);
      asked.catch(() => shared.delete(key));
      return asked;
    },
  };
}
