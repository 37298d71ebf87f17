import { FLAG_DAY_UDP_SIZE, type DnsLookups, type QueryOutcome } from '../dns-lookups.js';
import type { DnsReply } from '../dns-port.js';
import type { AuthoritativeServer } from '../authoritative-server.js';
import { sameName } from '../domain-name.js';

/**
 * What one delegated nameserver address does when asked for its zone: `authoritative` (answers
 * with AA and the zone's SOA), `lame` (answers, but REFUSED, SERVFAIL or without authority), or
 * `unreachable` (no reply at all, over UDP with or without EDNS nor over TCP).
 */
export interface NameserverHealth {
  readonly server: AuthoritativeServer;
  readonly state: 'authoritative' | 'lame' | 'unreachable';
  /** The SOA asked three ways: plain UDP (as old stubs), UDP with EDNS (as resolvers), TCP. */
  readonly udp: QueryOutcome;
  readonly edns: QueryOutcome;
  readonly tcp: QueryOutcome;
  /** The reply the state was read from (the first that came back), for evidence. */
  readonly reply: DnsReply | undefined;
}

/** Asks the server for the zone's SOA three ways at once, so a dead server costs one time-out, not three. */
export async function probeNameserver(
  dns: DnsLookups,
  zone: string,
  server: AuthoritativeServer,
): Promise<NameserverHealth> {
  const base = { server: server.server, name: zone, type: 'SOA', recursionDesired: false } as const;
  const [udp, edns, tcp] = await Promise.all([
    dns.query({ ...base, transport: 'udp', edns: false }),
    dns.query({ ...base, transport: 'udp', edns: { udpSize: FLAG_DAY_UDP_SIZE } }),
    dns.query({ ...base, transport: 'tcp', edns: false }),
  ]);
  const replies = [udp, edns, tcp].flatMap((o) => (o.ok ? [o.reply] : []));
  const authoritative = replies.find((reply) => isAuthoritativeFor(reply, zone));
  const state = authoritative ? 'authoritative' : replies.length > 0 ? 'lame' : 'unreachable';
  return { server, state, udp, edns, tcp, reply: authoritative ?? replies[0] };
}

function isAuthoritativeFor(reply: DnsReply, zone: string): boolean {
  return (
    reply.rcode === 'NOERROR' && reply.flags.aa && reply.answers.some((r) => r.type === 'SOA' && sameName(r.name, zone))
  );
}

/** How a failed query failed, in a word people read: "timed out", "connection refused", "reset". */
export function failureWord(outcome: QueryOutcome): string {
  if (outcome.ok) return outcome.reply.rcode;
  switch (outcome.error.code) {
    case 'DNS_TIMEOUT':
      return 'timed out';
    case 'DNS_CONNECTION_REFUSED':
      return 'connection refused';
    case 'DNS_CONNECTION_CLOSED':
      return 'connection reset';
    default:
      return outcome.error.code;
  }
}
