/**
 * A port on 127.0.0.1 that stands in for a dependency (PostgreSQL, Redis) the way it fails in
 * production: `forward` passes connections to the real server, `silent` accepts them and never
 * answers (a hung server, a firewall that drops replies), `refuse` closes the port (a server that
 * is down). `silent` also stops the connections in flight (they stay open, nothing passes either
 * way) and `forward` again lets them go on, as a hung server that resumes would; `refuse` cuts
 * them, as a crash would.
 */
import net from 'node:net';

export type StandInMode = 'forward' | 'silent' | 'refuse';

export interface StandInPort {
  readonly port: number;
  /** host:port, for URLs. */
  readonly address: string;
  /** Connections accepted so far (a silent port counts them too). */
  accepted(): number;
  /** Bytes clients sent that a silent port is holding (a statement or command on its way, never answered). */
  heldBytes(): number;
  set(mode: StandInMode): Promise<void>;
  close(): Promise<void>;
}

export async function startStandInPort(
  mode: StandInMode,
  target?: { host: string; port: number },
): Promise<StandInPort> {
  let current = mode;
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  const pairs = new Set<{ freeze(): void; thaw(): void }>();
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    clients.add(socket);
    socket.on('close', () => sockets.delete(socket) && clients.delete(socket));
    socket.on('error', () => undefined);
    if (current !== 'forward' || target === undefined) return; // silent: hold it, say nothing
    const upstream = net.connect(target.port, target.host);
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    socket.pipe(upstream).pipe(socket);
    const pair = {
      freeze(): void {
        socket.unpipe(upstream);
        upstream.unpipe(socket);
        socket.pause();
        upstream.pause();
      },
      thaw(): void {
        socket.pipe(upstream);
        upstream.pipe(socket);
      },
    };
    pairs.add(pair);
    socket.on('close', () => pairs.delete(pair));
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const cut = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  // The port is fixed once chosen: a server "coming back" comes back where it was.
  await listen(0);
  const { port } = server.address() as net.AddressInfo;
  if (mode === 'refuse') {
    await stopListening();
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    accepted: () => accepted,
    heldBytes: () => (current === 'forward' ? 0 : [...clients].reduce((sum, socket) => sum + socket.readableLength, 0)),
    async set(next) {
      if (next === current) return;
      current = next;
      for (const pair of pairs) {
        if (next === 'silent') pair.freeze();
        else pair.thaw();
      }
      if (next === 'refuse') {
        cut();
        await stopListening();
      } else if (!server.listening) await listen(port);
    },
    async close() {
      cut();
      await stopListening();
    },
  };
}
