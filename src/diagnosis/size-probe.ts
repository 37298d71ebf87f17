import type { DnsReply, QueryType } from './dns-port.js';
import { FLAG_DAY_UDP_SIZE, type DnsLookups, type QueryOutcome } from './dns-lookups.js';
import type { AuthoritativeServer } from './authoritative-server.js';

/** RFC 1035 §4.2.1: the most a UDP reply may carry without EDNS, and qmail's whole buffer. */
export const CLASSIC_UDP_LIMIT = 512;

/** One name and type asked of one authoritative server three ways, as different senders ask it. */
export interface SizeProbe {
  readonly server: AuthoritativeServer;
  readonly name: string;
  readonly type: QueryType;
  /** UDP without EDNS: what qmail, old stubs and musl send. */
  readonly classic: QueryOutcome;
  /** TCP without EDNS: the retry after TC, and the full reply. */
  readonly tcp: QueryOutcome;
  /** UDP with EDNS at 1232 bytes: what resolvers since DNS Flag Day 2020 send. */
  readonly flagDay: QueryOutcome;
}

/** Sends the three queries of a probe concurrently; DnsLookups shares any another check already sent. */
export async function probeSizes(
  dns: DnsLookups,
  server: AuthoritativeServer,
  name: string,
  type: QueryType,
): Promise<SizeProbe> {
  const base = { server: server.server, name, type, recursionDesired: false } as const;
  const [classic, firstTcp, flagDay] = await Promise.all([
    dns.query({ ...base, transport: 'udp', edns: false }),
    dns.query({ ...base, transport: 'tcp', edns: false }),
    dns.query({ ...base, transport: 'udp', edns: { udpSize: FLAG_DAY_UDP_SIZE } }),
  ]);
  // A TCP query that failed where UDP answered is asked once more before anyone calls TCP broken.
  const tcp = !firstTcp.ok && classic.ok ? await dns.retry(firstTcp.query) : firstTcp;
  return { server, name, type, classic, tcp, flagDay };
}

/**
 * The same question through our resolver, as `dig MX <domain>` on an admin's machine asks it: the
 * reply a resolver composes can differ from the authoritative one (its own additional section,
 * minimal ANY answers per RFC 8482), and a reader comparing our figure with dig's must see both.
 * Asked over TCP without EDNS so the whole reply is measured. Undefined when it gave no full reply.
 */
export async function resolverReply(dns: DnsLookups, name: string, type: QueryType): Promise<DnsReply | undefined> {
  return usable(
    await dns.query({
      server: dns.settings.resolver,
      name,
      type,
      recursionDesired: true,
      transport: 'tcp',
      edns: false,
    }),
  );
}

function usable(outcome: QueryOutcome): DnsReply | undefined {
  return outcome.ok && outcome.reply.rcode === 'NOERROR' && !outcome.reply.flags.tc && outcome.reply.complete
    ? outcome.reply
    : undefined;
}

/** The complete reply, from whichever way of asking delivered it whole; undefined when none did. */
export function fullReply(probe: SizeProbe): DnsReply | undefined {
  return usable(probe.tcp) ?? usable(probe.classic) ?? usable(probe.flagDay);
}

/** Truncated even when asked with EDNS at 1232 bytes: a Flag Day resolver needs TCP for this one too. */
export function ednsTruncated(probe: SizeProbe): boolean {
  return probe.flagDay.ok && probe.flagDay.reply.flags.tc;
}

export function classicTruncated(probe: SizeProbe): boolean {
  return probe.classic.ok && probe.classic.reply.flags.tc;
}

/**
 * TCP failed (refused, silent, cut off) where UDP to the same server answered: a problem with TCP
 * itself, not a server that is down or slow (that is reported as a time-out).
 */
export function tcpFailed(probe: SizeProbe): boolean {
  return !probe.tcp.ok && probe.classic.ok;
}
