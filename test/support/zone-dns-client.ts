/**
 * A DnsClient for unit tests of the pure core: answers from fixture zones without sockets, the
 * same way the loopback test server does (shared answerFrom), through the real wire decoder so
 * sizes and offsets are real. Per-server overrides let a test make one server time out or lie.
 */
import * as packet from 'dns-packet';
import type { DnsClient, DnsQuery, DnsReply } from '../../src/diagnosis/dns-port.js';
import { AppError } from '../../src/errors.js';
import { decodeReply } from '../../src/net/dns-wire.js';
import { answerFrom, type Behaviour, type Zone } from './dns-test-server.js';

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
      const timeout = new AppError('DNS_TIMEOUT', `no answer in ${options.timeoutMs} ms (fake server ${query.server.host})`);
      if (!server || server.behaviour?.silent || (query.edns && server.behaviour?.edns === 'drop')) throw timeout;
      if (query.transport === 'tcp' && server.behaviour?.tcp === false) throw new AppError('DNS_CONNECTION_REFUSED', 'connection refused (fake server)');
      const zoneAnswer = answerFrom(server.zones, { name: query.name, type: query.type as packet.RecordType }, server.behaviour);
      const wire = packet.encode({
        type: 'response',
        id: 1,
        flags: (zoneAnswer.authoritative ? packet.AUTHORITATIVE_ANSWER : 0) | ({ NXDOMAIN: 3, REFUSED: 5 }[zoneAnswer.rcode] ?? 0),
        questions: [{ name: query.name, type: query.type as packet.RecordType }],
        answers: zoneAnswer.answers,
        authorities: zoneAnswer.authorities,
      });
      const limit = query.edns ? query.edns.udpSize : 512;
      const truncated = query.transport === 'udp' && wire.length > limit && !server.behaviour?.ignoreUdpLimit;
      const decoded = decodeReply(truncated ? packet.encode({ type: 'response', id: 1, flags: packet.TRUNCATED_RESPONSE, questions: [{ name: query.name, type: query.type as packet.RecordType }] }) : wire);
      return { ...decoded, query, rttMs: 1 };
    },
  };
}
