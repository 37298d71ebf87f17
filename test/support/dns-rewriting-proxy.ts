/**
 * A DNS forwarder on loopback, on dns-packet: each query goes to a real upstream server (Knot) over
 * the transport it came on, and the reply is decoded, rewritten and encoded again on its way back.
 * It serves a real server's answers the way a broken or hostile server would, e.g. a wildcard answer
 * without the NSEC records that prove it, which no authoritative server can be configured to send;
 * `delayMs` holds every answer, as a distant server would.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';

export type ReplyRewrite = (reply: packet.Packet) => packet.Packet;

export interface ProxyOptions {
  readonly address: string;
  readonly port: number;
  readonly upstream: { readonly address: string; readonly port: number };
  readonly rewrite?: ReplyRewrite;
  readonly delayMs?: number;
}

export interface RunningProxy {
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

const UPSTREAM_TIMEOUT_MS = 2000;

export async function startRewritingProxy(options: ProxyOptions): Promise<RunningProxy> {
  const family = options.address.includes(':') ? 'udp6' : 'udp4';
  const udp = dgram.createSocket(family);
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port, options.address, () => resolve());
  });
  let stopped = false;
  const answer = async (query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    const reply = await (transport === 'udp' ? askUdp(options.upstream, query) : askTcp(options.upstream, query));
    if (!reply) return undefined;
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    return options.rewrite ? packet.encode(options.rewrite(packet.decode(reply))) : reply;
  };
  udp.on('message', (query, peer) => {
    void answer(query, 'udp').then((reply) => reply && !stopped && udp.send(reply, peer.port, peer.address));
  });
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const query = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + query.length);
        void answer(query, 'tcp').then((reply) => reply && !socket.destroyed && socket.write(framed(reply)));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', (error) => {
      udp.close();
      reject(error);
    });
    tcp.listen(options.port, options.address, () => resolve());
  });
  return {
    address: options.address,
    port: options.port,
    async stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}

function askUdp(upstream: ProxyOptions['upstream'], query: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(upstream.address.includes(':') ? 'udp6' : 'udp4');
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), UPSTREAM_TIMEOUT_MS);
    socket.on('error', () => finish(undefined));
    socket.on('message', (reply) => finish(reply));
    socket.send(query, upstream.port, upstream.address);
  });
}

function askTcp(upstream: ProxyOptions['upstream'], query: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(upstream.port, upstream.address);
    let buffered = Buffer.alloc(0);
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), UPSTREAM_TIMEOUT_MS);
    socket.on('error', () => finish(undefined));
    socket.on('connect', () => socket.write(framed(query)));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0))
        finish(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
  });
}

/** Takes the NSEC and NSEC3 records (and their RRSIGs) out of the authority section of positive answers. */
export const stripProofFromAnswers: ReplyRewrite = (reply) => {
  if ((reply.answers ?? []).length === 0) return reply;
  const proof = new Set(['NSEC', 'NSEC3']);
  return {
    ...reply,
    authorities: (reply.authorities ?? []).filter(
      (r) => !proof.has(r.type) && !(r.type === 'RRSIG' && proof.has((r.data as { typeCovered: string }).typeCovered)),
    ),
  };
};
