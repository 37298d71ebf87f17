/**
 * Fails any test that reaches beyond loopback (DESIGN.md, Testing): every outgoing UDP
 * datagram and TCP connection is checked before it leaves.
 */
import dgram from 'node:dgram';
import net from 'node:net';

function assertLoopback(host: unknown, what: string): void {
  const text = String(host ?? 'localhost');
  if (text === 'localhost' || text === '::1' || text === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(text)) return;
  throw new Error(`test tried to reach ${text} over ${what}: tests may only talk to loopback`);
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  // net.connect() hands over its arguments already normalised, as an array [options, callback].
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null && !('path' in first && (first as { path?: unknown }).path)) {
    assertLoopback((first as { host?: unknown }).host, 'TCP');
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    assertLoopback(typeof args[1] === 'string' ? args[1] : undefined, 'TCP');
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(this: dgram.Socket, ...args: unknown[]) {
  const address = args.find((a, i) => i > 0 && typeof a === 'string');
  if (address !== undefined) assertLoopback(address, 'UDP');
  return (originalSend as (...a: unknown[]) => void).apply(this, args);
} as typeof dgram.Socket.prototype.send;

const originalUdpConnect = dgram.Socket.prototype.connect;
dgram.Socket.prototype.connect = function guardedUdpConnect(this: dgram.Socket, ...args: unknown[]) {
  assertLoopback(typeof args[1] === 'string' ? args[1] : undefined, 'UDP');
  return (originalUdpConnect as (...a: unknown[]) => void).apply(this, args);
} as typeof dgram.Socket.prototype.connect;
