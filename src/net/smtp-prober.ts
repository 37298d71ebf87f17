/**
 * SmtpProber on node:net and node:tls: one session per probe, driven the way a sender drives it
 * (RFC 5321 §3, RFC 3207), never past RCPT: no DATA is ever sent, so no mail is ever delivered.
 */
import { systemClock, type Clock } from '../clock.js';
import net from 'node:net';
import tls from 'node:tls';
import type {
  SmtpProbeLimits,
  SmtpProbeRequest,
  SmtpProbeResult,
  SmtpProber,
  SmtpReply,
  SmtpStep,
} from '../diagnosis/smtp-port.js';
import { blankProbeResult, DEFAULT_SMTP_LIMITS } from '../diagnosis/smtp-port.js';
import { describeCertificate, peerChain } from './certificate-info.js';
import { SessionEnded, SmtpChannel } from './smtp-channel.js';
import { refusedRange } from './target-policy.js';

export interface SmtpProberOptions {
  readonly limits?: Partial<SmtpProbeLimits>;
  /** Loopback and private addresses are refused unless this is set (test beds only). */
  readonly allowPrivateTargets: boolean;
  /** Extra trusted roots, PEM, added to Node's bundled ones: for test CAs. */
  readonly trustedCa?: string | Buffer;
  /** Session and step durations use its monotonic time; the system clock when absent. */
  readonly clock?: Clock;
}

const QUIT_WAIT_MS = 2_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<Omit<SmtpProbeResult, 'transcript' | 'totalMs'>>;

/** Nothing we put on a command line may end it early: a CR or LF in a field would smuggle in a command of its own. */
function holdsControlCharacter(text: string): boolean {
  return [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

export function createSmtpProber(options: SmtpProberOptions): SmtpProber {
  const limits: SmtpProbeLimits = { ...DEFAULT_SMTP_LIMITS, ...options.limits };
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.monotonicMs();
  // One context for every probe: building one from ~150 roots per handshake is wasted work.
  const secureContext = tls.createSecureContext(
    options.trustedCa === undefined ? {} : { ca: [...tls.rootCertificates, options.trustedCa] },
  );

  return {
    async probe(request: SmtpProbeRequest): Promise<SmtpProbeResult> {
      const started = now();
      const { transcript: _none, totalMs: _zero, ...draft }: Mutable<SmtpProbeResult> = blankProbeResult(request);
      const range = refusedRange(request.address, options.allowPrivateTargets);
      if (range !== undefined)
        return { ...draft, refusedByPolicy: { range }, transcript: [], totalMs: now() - started };
      const unsafe = (['heloName', 'mailFrom', 'recipient'] as const).find((field) =>
        holdsControlCharacter(request[field]),
      );
      if (unsafe !== undefined) {
        const abort = {
          step: 'connect' as const,
          reason: 'protocol' as const,
          detail: `the request's ${unsafe} holds a control character; nothing was sent`,
        };
        return { ...draft, abort, transcript: [], totalMs: now() - started };
      }

      const channel = new SmtpChannel(limits, clock);
      try {
        await converse(channel, request, draft, secureContext);
      } catch (error) {
        draft.abort =
          error instanceof SessionEnded
            ? error.abort
            : { step: channel.step, reason: 'error', detail: error instanceof Error ? error.message : String(error) };
      } finally {
        channel.close();
      }
      return { ...draft, transcript: channel.transcript, totalMs: now() - started };
    },
  };
}

async function converse(
  channel: SmtpChannel,
  request: SmtpProbeRequest,
  draft: Draft,
  secureContext: tls.SecureContext,
): Promise<void> {
  draft.connect = await channel.connect(request.address, request.port);
  if (!draft.connect.ok) return;

  draft.banner = await channel.readBanner();
  if (draft.banner.code !== 220) await stop(channel, 'banner', draft.banner);

  draft.ehlo = await channel.command(`EHLO ${request.heloName}`, 'ehlo');
  if (isPositive(draft.ehlo)) {
    draft.extensions = parseExtensions(draft.ehlo);
  } else {
    // A 4xx (421 included) is "not now": HELO would be refused too, and falling back would read
    // as "no ESMTP". RFC 5321 §3.2: a server that does not know EHLO (5xx) still takes HELO.
    if (draft.ehlo.code >= 400 && draft.ehlo.code < 500) await stop(channel, 'ehlo', draft.ehlo);
    draft.helo = await channel.command(`HELO ${request.heloName}`, 'helo');
    if (!isPositive(draft.helo)) await stop(channel, 'helo', draft.helo);
  }

  if ('STARTTLS' in draft.extensions) {
    draft.starttls = await channel.command('STARTTLS', 'starttls');
    if (draft.starttls.code === 421) await stop(channel, 'starttls', draft.starttls);
    // Any other refusal (454, RFC 3207 §4) leaves the session in the clear, as an opportunistic sender goes on.
    if (draft.starttls.code === 220) {
      await upgrade(channel, request, secureContext, draft);
      draft.ehloAfterTls = await channel.command(`EHLO ${request.heloName}`, 'ehlo-after-tls');
      // RFC 3207 §4.2: what was learnt before TLS is void; the new EHLO answer replaces it.
      if (isPositive(draft.ehloAfterTls)) draft.extensions = parseExtensions(draft.ehloAfterTls);
      else await stop(channel, 'ehlo-after-tls', draft.ehloAfterTls);
    }
  }

  draft.mail = await channel.command(`MAIL FROM:<${request.mailFrom}>`, 'mail');
  // RCPT after a refused MAIL only earns 503 (RFC 5321 §3.3), so a 4xx ends the probe as a 5xx does.
  if (!isPositive(draft.mail)) await stop(channel, 'mail', draft.mail);
  draft.rcpt = await channel.command(`RCPT TO:<${request.recipient}>`, 'rcpt');
  if (draft.rcpt.code === 421) await stop(channel, 'rcpt', draft.rcpt);
  const rset = await channel.command('RSET', 'rset');
  if (rset.code === 421) await stop(channel, 'rset', rset);
  // The 221 tells nothing we need; a tarpit must not hold the session (and its destination lock).
  await channel.command('QUIT', 'quit', QUIT_WAIT_MS).catch(() => undefined);
}

function bareName(name: string): string {
  return name.replace(/\.$/, '');
}

/** RFC 3207 §4; a failed handshake spends the connection (a sender would retry in the clear on a new one: its own probe). */
async function upgrade(
  channel: SmtpChannel,
  request: SmtpProbeRequest,
  secureContext: tls.SecureContext,
  draft: Draft,
): Promise<void> {
  const host = bareName(request.mxHost);
  // RFC 6066 §3: SNI carries host names only, never address literals.
  const handshake = await channel.startTls(net.isIP(host) === 0 ? host : undefined, secureContext);
  if (!handshake.ok) {
    draft.tls = {
      ok: false,
      protocol: undefined,
      cipher: undefined,
      error: handshake.detail,
      chain: [],
      trusted: false,
      trustError: undefined,
      nameMatches: false,
      ms: handshake.ms,
    };
    throw new SessionEnded({ step: 'tls', reason: handshake.reason, detail: handshake.detail });
  }
  const socket = handshake.socket;
  const chain = peerChain(socket);
  const leaf = chain[0];
  draft.tls = {
    ok: true,
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.name,
    error: undefined,
    chain: chain.map((cert) => describeCertificate(cert.raw)),
    trusted: socket.authorized,
    // Node types authorizationError as Error, but hands over OpenSSL's code as a string.
    trustError: socket.authorized ? undefined : String((socket.authorizationError as unknown) ?? 'no certificate'),
    // RFC 6125 as Node implements it; the certificate's trust is judged separately above.
    nameMatches: leaf !== undefined && tls.checkServerIdentity(host, leaf) === undefined,
    matchingNames:
      leaf === undefined
        ? []
        : [request.mxHost, ...(request.alsoNames ?? [])].filter(
            (name) => tls.checkServerIdentity(bareName(name), leaf) === undefined,
          ),
    ms: handshake.ms,
  };
}

/**
 * Ends the session on a reply that leaves nothing to ask. After 421 the server is already closing
 * (RFC 5321 §3.8); after any other refusal we still say QUIT, as a polite sender does.
 */
async function stop(channel: SmtpChannel, step: SmtpStep, reply: SmtpReply): Promise<never> {
  const text = `${reply.code} ${reply.lines.join(' ')}`.trim();
  if (reply.code === 421) throw new SessionEnded({ step, reason: 'closed', detail: text });
  await channel.command('QUIT', 'quit').catch(() => undefined);
  throw new SessionEnded({ step, reason: 'protocol', detail: `${step} refused: ${text}` });
}

function isPositive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

/** RFC 5321 §4.1.1.1: after the greeting line, one extension per line: a keyword, then its parameters. */
function parseExtensions(reply: SmtpReply): Record<string, string> {
  const extensions: Record<string, string> = {};
  for (const line of reply.lines.slice(1)) {
    const match = /^(\S+)\s*(.*)$/.exec(line.trim());
    if (match?.[1]) extensions[match[1].toUpperCase()] = match[2] ?? '';
  }
  return extensions;
}
