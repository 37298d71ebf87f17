/**
 * Asks a zone's own servers for DNSSEC records: non-recursive, EDNS at the Flag Day size with the
 * DO bit (RFC 3225, RFC 4035 §4.1), over TCP when truncated, through the run's DnsLookups so every
 * packet is shared, counted against the query budget and guarded like any other.
 */
import type { NameserverAddress } from '../delegation/walk.js';
import { FLAG_DAY_UDP_SIZE, type DnsLookups, type QueryOutcome } from '../dns-lookups.js';
import { formatServer, type DnsReply, type QueryType } from '../dns-port.js';

/** Servers of one zone asked at once, as the delegation walk does: a second covers one that is down. */
const ASKED_AT_ONCE = 2;

export type ZoneAnswer =
  | { readonly ok: true; readonly reply: DnsReply; readonly server: NameserverAddress }
  | { readonly ok: false; readonly outcomes: readonly QueryOutcome[]; readonly servers: readonly NameserverAddress[] };

export async function askWithDnssec(
  dns: DnsLookups,
  servers: readonly NameserverAddress[],
  name: string,
  type: QueryType,
): Promise<ZoneAnswer> {
  const outcomes: QueryOutcome[] = [];
  for (let i = 0; i < servers.length; i += ASKED_AT_ONCE) {
    const batch = servers.slice(i, i + ASKED_AT_ONCE);
    const replies = await Promise.all(
      batch.map(async (server) => ({ server, outcome: await ask(dns, server, name, type) })),
    );
    outcomes.push(...replies.map((r) => r.outcome));
    for (const { server, outcome } of replies) {
      if (
        outcome.ok &&
        outcome.reply.flags.aa &&
        ['NOERROR', 'NXDOMAIN'].includes(outcome.reply.rcode) &&
        outcome.reply.complete
      )
        return { ok: true, reply: outcome.reply, server };
    }
  }
  return { ok: false, outcomes, servers };
}

async function ask(dns: DnsLookups, server: NameserverAddress, name: string, type: QueryType): Promise<QueryOutcome> {
  const base = {
    server: dns.authoritative(server.address),
    name,
    type,
    recursionDesired: false,
    edns: { udpSize: FLAG_DAY_UDP_SIZE, dnssecOk: true },
  } as const;
  const udp = await dns.query({ ...base, transport: 'udp' });
  return udp.ok && udp.reply.flags.tc ? dns.query({ ...base, transport: 'tcp' }) : udp;
}

/** What went wrong with every server, for evidence: "127.0.0.1: DNS_TIMEOUT", "10.0.0.1: REFUSED". */
export function failureText(answer: Extract<ZoneAnswer, { ok: false }>): string {
  if (answer.outcomes.length === 0) return 'no server address to ask';
  return answer.outcomes
    .map((o) =>
      o.ok
        ? `${formatServer(o.reply.query.server)}: ${o.reply.rcode}${o.reply.flags.aa ? '' : ' without AA'}`
        : `${formatServer(o.query.server)}: ${o.error.code}`,
    )
    .join(', ');
}
