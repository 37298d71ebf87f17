/**
 * The evidence every SMTP and TLS finding about one MX address carries: which address, which MX
 * host, the replies as they came over the wire, and the transcript lines around the step.
 */
import type { Evidence } from './finding.js';
import type { SmtpProbeResult, SmtpReply } from './smtp-port.js';
import type { MailServerSession } from './smtp-sessions.js';

type TranscriptLine = SmtpProbeResult['transcript'][number];

/** Names listed in a label before the rest are counted. */
const LABELLED_HOSTS = 3;

/**
 * 'mx1.partner.com (192.0.2.25)', the way the DNS checks name a server; an address several MX
 * names point at: 'mx1.partner.com, mx2.partner.com and 10 more MX names (192.0.2.25)'.
 */
export function serverLabel({ hosts, result }: MailServerSession): string {
  const names = hosts.length > 0 ? hosts : [result.request.mxHost];
  const shown =
    names.length <= LABELLED_HOSTS
      ? names.join(', ')
      : `${names.slice(0, LABELLED_HOSTS - 1).join(', ')} and ${names.length - LABELLED_HOSTS + 1} more MX names`;
  return `${shown} (${result.request.address})`;
}

/**
 * `address` and `host` (the most preferred MX host name at the address, as the ptr, dane and
 * mtasts findings call it) are part of the interface: the sender model (smtp-senders.ts) groups
 * findings by `evidence.address` and matches them with dane.* and mtasts.* findings by address
 * and by any of `hosts`, every MX name at the address.
 */
export function serverEvidence({ server, hosts, result }: MailServerSession): Evidence {
  return {
    address: result.request.address,
    host: result.request.mxHost,
    hosts: [...hosts],
    preference: server.preference,
    port: result.request.port,
  };
}

/** The reply as the server sent it: '250-first', '250 last'. */
export function formatReply(reply: SmtpReply): string[] {
  if (reply.lines.length === 0) return [String(reply.code)];
  return reply.lines.map((line, i) => `${reply.code}${i < reply.lines.length - 1 ? '-' : ' '}${line}`);
}

/** The reply text on one line, for summaries. */
export function replyText(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' ')}`.trim();
}

function show(line: TranscriptLine): string {
  return `${line.from}: ${line.text}`;
}

/** The server's lines before our first command: the greeting. */
export function greetingLines(result: SmtpProbeResult): string[] {
  const firstCommand = result.transcript.findIndex((l) => l.from === 'C');
  return (firstCommand === -1 ? result.transcript : result.transcript.slice(0, firstCommand)).map(show);
}

/**
 * Our command that starts with `verb` and the server's lines up to our next command. `last`
 * picks the final one (EHLO is sent again after STARTTLS).
 */
export function exchangeLines(result: SmtpProbeResult, verb: string, which: 'first' | 'last' = 'first'): string[] {
  const isIt = (l: TranscriptLine): boolean => l.from === 'C' && l.text.toUpperCase().startsWith(verb.toUpperCase());
  const start = which === 'first' ? result.transcript.findIndex(isIt) : result.transcript.findLastIndex(isIt);
  if (start === -1) return [];
  const next = result.transcript.findIndex((l, i) => i > start && l.from === 'C');
  return result.transcript.slice(start, next === -1 ? undefined : next).map(show);
}

/** The end of the session, for findings about where and how it stopped. */
export function lastLines(result: SmtpProbeResult, count = 6): string[] {
  return result.transcript.slice(-count).map(show);
}

/** How long we had waited since our last command when the session ended (about: the transcript keeps whole milliseconds). */
export function waitedSinceLastCommand(result: SmtpProbeResult): number {
  const last = result.transcript.findLast((l) => l.from === 'C');
  const connected = result.connect?.ok ? result.connect.ms : 0;
  return Math.max(0, Math.round(result.totalMs - (last ? last.atMs : connected)));
}
