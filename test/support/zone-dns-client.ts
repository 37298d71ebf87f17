/**
 * A DnsClient for unit tests of the pure core and for counting query rounds: the loopback test
 * server without sockets. Queries are encoded by the real encoder, answered by the same
 * replyTo() the server uses, and decoded by the real decoder, so sizes, offsets, truncation and
 * EDNS behaviour are exactly those of the loopback server.
 */
import type { DnsClient, DnsQuery, DnsReply } from '../../src/diagnosis/dns-port.js';
import { AppError } from '../../src/errors.js';
import { decodeReply, encodeQuery } from '../../src/net/dns-wire.js';
import { replyTo, type Behaviour, type Zone } from './dns-test-server.js';

export interface FakeServer {
  readonly zones: readonly Zone[];
  readonly behaviour?: Behaviour;
}

export interface ZoneDnsClient extends DnsClient {
  /** Every query asked, in order. */
  readonly asked: DnsQuery[];
}

/** `servers` maps an address ('127.0.0.1') to what it serves; unknown addresses time out. */
export function createZoneDnsClient(servers: Record<string, FakeServer>): ZoneDnsClient {
  const asked: DnsQuery[] = [];
  return {
    asked,
    async query(query: DnsQuery, options): Promise<DnsReply> {
      asked.push(query);
      const server = servers[query.server.host];
      if (server && query.transport === 'tcp' && server.behaviour?.tcp === false)
        throw new AppError('DNS_CONNECTION_REFUSED', 'connection refused (fake server)');
      if (server && query.transport === 'tcp' && server.behaviour?.tcp === 'reset')
        throw new AppError('DNS_CONNECTION_CLOSED', 'connection reset (fake server)');
      const wire = server && replyTo(encodeQuery(query, 1), query.transport, server.zones, server.behaviour);
      if (!wire)
        throw new AppError('DNS_TIMEOUT', `no answer in ${options.timeoutMs} ms (fake server ${query.server.host})`);
      return { ...decodeReply(wire), query, rttMs: 1 };
    },
  };
}
