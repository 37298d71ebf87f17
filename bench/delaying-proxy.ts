/**
 * A TCP proxy on loopback that stands for a link with a fixed one-way delay between a client and
 * a server, for benches that count round trips (round-trips.ts).
 *
 * Loopback's kernel completes the TCP handshake at once, and nothing in user space can hold it
 * back, so the proxy charges the handshake where it shows. For a connection accepted at time A,
 * with rtt = 2 x oneWayMs:
 *
 * - the server side acts as if the connection arrived at A + 1.5 rtt: SYN out and SYN-ACK back
 *   (one round trip, after which the client may send), then the client's ACK one way;
 * - bytes the client writes at t reach the server at max(t, A + rtt) + rtt / 2: it could not
 *   have sent them before its handshake completed;
 * - bytes the server writes at t reach the client at max(t, A + 1.5 rtt) + rtt / 2, and the
 *   end of the stream likewise, in order.
 *
 * So a greeting reaches the client 2 rtt after it connects and a DNS query over TCP is answered
 * 2 rtt after the connect, as over a real link; only the moment the client's connect resolves is
 * early (at once), the handshake's round trip being spent waiting for the first bytes instead.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface DelayingProxySpec {
  /** Where clients connect. */
  readonly listen: { readonly host: string; readonly port: number };
  readonly upstream: { readonly host: string; readonly port: number };
  readonly oneWayMs: number;
  /**
   * Keep one upstream connection open ahead of the next client. smtp-server holds every greeting
   * 100 ms (its early-talker check, not configurable), which would count as link time; a healthy
   * MX greets at once. What the server sent ahead is handed over as if sent at A + 1.5 rtt.
   */
  readonly connectAhead?: boolean;
}

export interface DelayingProxy {
  close(): Promise<void>;
}

type Delivery = Buffer | 'end';

/** Writes what it is given to `to` at the times asked, in the order given (each time is no earlier than the last). */
function delayedWriter(to: net.Socket): (what: Delivery, at: number) => void {
  const queue: { what: Delivery; at: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const pump = (): void => {
    timer = undefined;
    let next = queue[0];
    for (; next && next.at <= performance.now(); next = queue[0]) {
      queue.shift();
      if (to.destroyed) continue;
      if (next.what === 'end') to.end();
      else to.write(next.what);
    }
    // Rounded up: a timer that fires a fraction early would cost a whole extra millisecond.
    if (next) timer = setTimeout(pump, Math.ceil(next.at - performance.now()));
  };
  return (what, at) => {
    queue.push({ what, at });
    if (!timer) pump();
  };
}

/** An upstream connection; what the server sends before a client takes it waits in `early`, with when it came. */
interface Upstream {
  readonly socket: net.Socket;
  readonly early: { chunk: Buffer; at: number }[];
  /** Set when a client takes the connection. */
  deliver?: (chunk: Buffer) => void;
}

function openUpstream(spec: DelayingProxySpec): Upstream {
  const socket = net.connect(spec.upstream);
  const upstream: Upstream = { socket, early: [] };
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) =>
    upstream.deliver ? upstream.deliver(chunk) : upstream.early.push({ chunk, at: performance.now() }),
  );
  return upstream;
}

/** Calls `send('end')` the first time it is called. */
function endOnce(send: (what: Delivery) => void): () => void {
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    send('end');
  };
}

export async function startDelayingProxy(spec: DelayingProxySpec): Promise<DelayingProxy> {
  const rtt = 2 * spec.oneWayMs;
  const sockets = new Set<net.Socket>();
  let spare = spec.connectAhead ? openUpstream(spec) : undefined;

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const accepted = performance.now();
    const upstream = spare && !spare.socket.destroyed ? spare : openUpstream(spec);
    spare = spec.connectAhead ? openUpstream(spec) : undefined;
    const toServer = upstream.socket;
    for (const socket of [client, toServer]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('error', () => client.destroy());

    const toServerWriter = delayedWriter(toServer);
    const toClientWriter = delayedWriter(client);
    const clientMaySend = accepted + rtt;
    const serverKnows = accepted + 1.5 * rtt;
    const upward = (what: Delivery): void =>
      toServerWriter(what, Math.max(performance.now(), clientMaySend) + spec.oneWayMs);
    const downward = (what: Delivery, at = performance.now()): void =>
      toClientWriter(what, Math.max(at, serverKnows) + spec.oneWayMs);

    for (const { chunk, at } of upstream.early.splice(0)) downward(chunk, at);
    upstream.deliver = (chunk) => downward(chunk);
    client.on('data', (chunk: Buffer) => upward(chunk));
    // Either side's end (or close) travels the link too, behind its data; the other side then ends.
    const endUpward = endOnce(upward);
    const endDownward = endOnce(downward);
    client.on('end', endUpward).on('close', endUpward);
    toServer.on('end', endDownward).on('close', endDownward);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(spec.listen.port, spec.listen.host, () => resolve());
  });
  return {
    close: () => {
      spare?.socket.destroy();
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
