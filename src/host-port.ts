import ipaddr from 'ipaddr.js';
import type { DnsServer } from './diagnosis/dns-port.js';
import { AppError } from './errors.js';

/**
 * Parses "192.0.2.53", "192.0.2.53:5353", "2001:db8::53" or "[2001:db8::53]:5353". A resolver
 * is given by address: looking its name up would need a resolver first.
 */
export function parseHostPort(text: string, defaultPort: number, what: string): DnsServer {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  const v4WithPort = /^([\d.]+)(?::(\d+))?$/.exec(trimmed);
  const [host, portText] = bracketed
    ? [bracketed[1], bracketed[2]]
    : v4WithPort
      ? [v4WithPort[1], v4WithPort[2]]
      : [trimmed, undefined];
  if (!host || !(ipaddr.IPv4.isValidFourPartDecimal(host) || ipaddr.IPv6.isValid(host))) {
    throw new AppError(
      'BAD_INPUT',
      `${what} "${text}" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)`,
    );
  }
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new AppError('BAD_INPUT', `${what} "${text}" has port ${portText}; a port is 1 to 65535`);
  return { host, port };
}
