/**
 * Fails any test that reaches beyond loopback (DESIGN.md, Testing): every outgoing UDP
 * datagram and TCP connection is checked before it leaves.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach } from 'vitest';

/**
 * Attempts are also remembered and fail the test afterwards: code under test turns socket errors
 * into findings (as it must), which would otherwise swallow the guard's throw.
 */
const attempts: string[] = [];

afterEach(() => {
  if (attempts.length > 0) throw new Error(attempts.splice(0).join('\n'));
});

/** For the tests that make the guard refuse on purpose: takes (and so forgives) the attempts it refused so far. */
export function takeRefusedAttempts(): string[] {
  return attempts.splice(0);
}

function assertLoopback(host: unknown, what: string): void {
  const text = String(host ?? 'localhost');
  if (text === 'localhost' || text === '::1' || text === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(text)) return;
  const message = `test tried to reach ${text} over ${what}: tests may only talk to loopback`;
  attempts.push(message);
  throw new Error(message);
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
