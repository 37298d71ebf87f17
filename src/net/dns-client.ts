import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { systemClock, type Clock } from '../clock.js';
import type { DnsClient, DnsQuery, DnsQueryOptions, DnsReply } from '../diagnosis/dns-port.js';
import { formatServer } from '../diagnosis/dns-port.js';
import { AppError, type ErrorCode } from '../errors.js';
import { type DecodedReply, decodeReply, encodeQuery } from './dns-wire.js';
import { classifySocketError, type SocketErrorKind } from './socket-error.js';

/** Largest message a UDP socket can hand us; a no-EDNS server should never send more than 512. */
const UDP_RECEIVE_BYTES = 65_535;

/** DnsClient over real sockets: one UDP datagram or one TCP connection per query; the clock times each reply. */
export function createDnsClient(clock: Clock = systemClock): DnsClient {
  return {
    async query(query: DnsQuery, options: DnsQueryOptions): Promise<DnsReply> {
      let lastError: unknown;
      for (let attempt = 0; attempt <= options.retries; attempt++) {
        try {
          return await queryOnce(query, options.timeoutMs, clock);
        } catch (error) {
          lastError = error;
          // Only silence is worth another try; a refusal or a malformed reply will repeat.
          if (!(error instanceof AppError && error.code === 'DNS_TIMEOUT')) throw error;
        }
      }
      throw lastError;
    },
  };
}

async function queryOnce(query: DnsQuery, timeoutMs: number, clock: Clock): Promise<DnsReply> {
  const id = randomInt(0, 0x10000);
  const message = encodeQuery(query, id);
  const started = clock.monotonicMs();
  const decoded =
    query.transport === 'udp'
      ? await exchangeUdp(query, message, id, timeoutMs)
      : await exchangeTcp(query, message, id, timeoutMs);
  const rttMs = clock.monotonicMs() - started;
  return { ...decoded, query, rttMs };
}

function describe(query: DnsQuery): string {
  return `${query.type} ${query.name} over ${query.transport.toUpperCase()} to ${formatServer(query.server)}`;
}

function timeoutError(query: DnsQuery, timeoutMs: number): AppError {
  return new AppError('DNS_TIMEOUT', `no answer in ${timeoutMs} ms to ${describe(query)}`);
}

/**
 * The socket failures a nameserver check tells apart (a refused or reset TCP connection says the
 * server has no working TCP); every other one is DNS_NETWORK with Node's code. A socket time-out is
 * not DNS_TIMEOUT: only our own deadline, which retries, is.
 */
const DNS_SOCKET_ERRORS: Partial<Record<SocketErrorKind, { readonly code: ErrorCode; readonly says: string }>> = {
  refused: { code: 'DNS_CONNECTION_REFUSED', says: 'connection refused' },
  reset: { code: 'DNS_CONNECTION_CLOSED', says: 'connection reset' },
};

function socketError(query: DnsQuery, error: NodeJS.ErrnoException): AppError {
  const known = DNS_SOCKET_ERRORS[classifySocketError(error)];
  if (known) return new AppError(known.code, `${known.says}: ${describe(query)}`, { cause: error });
  return new AppError('DNS_NETWORK', `${error.code ?? error.message}: ${describe(query)}`, { cause: error });
}

/**
 * Runs a socket call that may throw instead of emitting (a port out of range, an address the
 * socket cannot take): a throw in a callback would escape every caller as an uncaught exception.
 */
function attempt(fail: (error: NodeJS.ErrnoException) => void, call: () => unknown): void {
  try {
    call();
  } catch (error) {
    fail(error instanceof Error ? error : new Error(String(error)));
  }
}

/** A name without its root dot, lower-cased: the root itself is '' whether it was written '.' or ''. */
function bareName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** A reply answers our query only if id and question match (RFC 5452 §9.1); anything else is ignored. */
function matches(reply: DecodedReply, query: DnsQuery, id: number): boolean {
  const question = reply.questions[0];
  return (
    reply.id === id &&
    question !== undefined &&
    bareName(question.name) === bareName(query.name) &&
    question.type === query.type
  );
}

function exchangeUdp(query: DnsQuery, message: Buffer, id: number, timeoutMs: number): Promise<DecodedReply> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({
      type: query.server.host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: UDP_RECEIVE_BYTES,
    });
    let done = false;
    const finish = (outcome: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(timeoutError(query, timeoutMs))), timeoutMs);
    const fail = (error: NodeJS.ErrnoException): void => finish(() => reject(socketError(query, error)));
    socket.on('error', fail);
    socket.on('message', (datagram) => {
      let reply: DecodedReply;
      try {
        reply = decodeReply(datagram);
      } catch (error) {
        finish(() =>
          reject(new AppError('DNS_MALFORMED_REPLY', `unreadable reply to ${describe(query)}`, { cause: error })),
        );
        return;
      }
      if (matches(reply, query, id)) finish(() => resolve(reply));
    });
    // A connected socket hears ICMP port-unreachable as ECONNREFUSED and drops strangers' datagrams.
    // dgram hands a failed connect (EACCES for a broadcast address) to this callback, not to 'error';
    // sending anyway throws on a later tick, where nothing catches it and the process dies.
    const send = (): void =>
      socket.send(message, (error) => {
        if (error) fail(error);
      });
    attempt(fail, () =>
      socket.connect(query.server.port, query.server.host, (error?: NodeJS.ErrnoException) => {
        if (error) fail(error);
        // The time-out may have closed the socket while the connect was under way.
        else if (!done) attempt(fail, send);
      }),
    );
  });
}

function exchangeTcp(query: DnsQuery, message: Buffer, id: number, timeoutMs: number): Promise<DecodedReply> {
  return new Promise((resolve, reject) => {
    const socket = new net.Socket();
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (outcome: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(timeoutError(query, timeoutMs))), timeoutMs);
    const fail = (error: NodeJS.ErrnoException): void => finish(() => reject(socketError(query, error)));
    socket.on('error', fail);
    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(message.length);
      socket.write(Buffer.concat([prefix, message]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const length = received.readUInt16BE(0);
      if (received.length < 2 + length) return;
      try {
        const reply = decodeReply(received.subarray(2, 2 + length));
        if (!matches(reply, query, id)) throw new Error(`reply id ${reply.id} or question does not match the query`);
        finish(() => resolve(reply));
      } catch (error) {
        finish(() =>
          reject(new AppError('DNS_MALFORMED_REPLY', `unreadable reply to ${describe(query)}`, { cause: error })),
        );
      }
    });
    socket.on('end', () =>
      finish(() =>
        reject(
          new AppError(
            'DNS_CONNECTION_CLOSED',
            `the server closed the connection without a full reply: ${describe(query)}`,
          ),
        ),
      ),
    );
    // A connect that throws (a port out of range) must reject like one that fails later, with the socket there to destroy.
    attempt(fail, () => socket.connect({ host: query.server.host, port: query.server.port }));
  });
}
