import type { DnsQuery } from './dns-port.js';

/** The dig command that repeats a query exactly, so the partner's admin can see it for themselves. */
export function digCommand(query: DnsQuery): string {
  const parts = ['dig'];
  if (query.edns) {
    parts.push(`+edns=${query.edns.version ?? 0}`, `+bufsize=${query.edns.udpSize}`);
    if (query.edns.dnssecOk) parts.push('+dnssec');
    if (query.edns.flags) parts.push(`+ednsflags=0x${query.edns.flags.toString(16)}`);
    for (const code of query.edns.optionCodes ?? []) parts.push(`+ednsopt=${code}`);
  } else {
    parts.push('+noedns');
  }
  if (query.transport === 'tcp') parts.push('+tcp');
  // +ignore shows a truncated UDP reply as it is instead of retrying over TCP.
  else parts.push('+ignore');
  if (query.recursionDesired === false) parts.push('+norecurse');
  parts.push(query.type, query.name, `@${query.server.host}`);
  if (query.server.port !== 53) parts.push('-p', String(query.server.port));
  return parts.join(' ');
}
