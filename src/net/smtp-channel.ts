/**
 * The socket side of one SMTP probe session: connect, read whole replies under time and size
 * limits, send one command at a time, upgrade to TLS in place, keep the transcript. Every wait
 * ends by its own time-out, the session's total time-out, the server closing, or a reader limit.
 */
import { systemClock, type Clock } from '../clock.js';
import net from 'node:net';
import tls from 'node:tls';
import type { ConnectFailure, SmtpProbeLimits, SmtpProbeResult, SmtpReply, SmtpStep } from '../diagnosis/smtp-port.js';
import { SmtpReplyReader } from './smtp-reply-reader.js';
import { classifySocketError, type SocketErrorKind } from './socket-error.js';

export type SmtpAbort = NonNullable<SmtpProbeResult['abort']>;
export type ConnectOutcome = NonNullable<SmtpProbeResult['connect']>;
export type TlsHandshake =
  | { readonly ok: true; readonly socket: tls.TLSSocket; readonly ms: number }
  | { readonly ok: false; readonly reason: SmtpAbort['reason']; readonly detail: string; readonly ms: number };
type TranscriptEntry = SmtpProbeResult['transcript'][number];
type Ending = Omit<SmtpAbort, 'step'>;
type OpenOutcome =
  | { readonly kind: 'ready' }
  | { readonly kind: 'error'; readonly error: NodeJS.ErrnoException }
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout'; readonly detail: string }
  | ({ readonly kind: 'ending' } & Ending);

/** Ends the dialogue early; the prober turns it into the result's `abort`. It never leaves src/net. */
export class SessionEnded extends Error {
  constructor(readonly abort: SmtpAbort) {
    super(`${abort.step}: ${abort.reason}: ${abort.detail}`);
    this.name = 'SessionEnded';
  }
}

const TRANSCRIPT_LINES = 200;
const TRANSCRIPT_LINE_CHARS = 300;

/** A failed connect in the connect findings' words; the TLS kinds cannot happen before STARTTLS. */
const CONNECT_FAILURE: Readonly<Record<SocketErrorKind, ConnectFailure>> = {
  timeout: 'timeout',
  refused: 'refused',
  unreachable: 'unreachable',
  reset: 'reset',
  certificate: 'other',
  tls: 'other',
  other: 'other',
};

/** OpenSSL's messages carry file names and line numbers; its `reason` ('wrong version number') is what a reader needs. */
function describeError(error: NodeJS.ErrnoException & { reason?: unknown }): string {
  const text = typeof error.reason === 'string' ? error.reason : error.message.trim();
  return error.code && !text.includes(error.code) ? `${error.code}: ${text}` : text;
}

/** A late error on a socket we no longer listen to must not become an uncaught exception in a worker. */
function ignore(): void {}

export class SmtpChannel {
  readonly transcript: TranscriptEntry[] = [];
  /** The step now under way, for an abort that no wait caught. */
  step: SmtpStep = 'connect';
  private readonly reader: SmtpReplyReader;
  private readonly sockets: net.Socket[] = [];
  private socket: net.Socket | undefined;
  private detach: (() => void) | undefined;
  private ending: Ending | undefined;
  /** The one wait in progress (there is never more than one: no pipelining) re-checks its state. */
  private wake: (() => void) | undefined;
  private readonly totalTimer: NodeJS.Timeout;
  private readonly startedAt: number;
  private connectedAt = 0;
  private linesDropped = 0;

  constructor(
    private readonly limits: SmtpProbeLimits,
    // Step times and time-outs are durations: monotonic time, unmoved by a system clock change.
    private readonly clock: Clock = systemClock,
  ) {
    this.startedAt = clock.monotonicMs();
    this.reader = new SmtpReplyReader(limits, (line) => this.record('S', line));
    this.totalTimer = setTimeout(() => {
      this.end({ reason: 'total-timeout', detail: `the session went past ${limits.totalTimeoutMs} ms` });
      for (const socket of this.sockets) socket.destroy();
    }, limits.totalTimeoutMs);
  }

  elapsed(since = this.startedAt): number {
    return this.clock.monotonicMs() - since;
  }

  async connect(host: string, port: number): Promise<ConnectOutcome> {
    const started = this.clock.monotonicMs();
    const socket = net.connect({ host, port });
    const opened = await this.awaitOpen(
      socket,
      'connect',
      this.limits.connectTimeoutMs,
      `no connection in ${this.limits.connectTimeoutMs} ms`,
    );
    const ms = this.elapsed(started);
    switch (opened.kind) {
      case 'ready':
        this.socket = socket;
        this.connectedAt = this.clock.monotonicMs();
        this.detach = this.attach(socket);
        return { ok: true, ms };
      case 'error':
        return {
          ok: false,
          error: CONNECT_FAILURE[classifySocketError(opened.error)],
          detail: describeError(opened.error),
          ms,
        };
      case 'closed':
        return {
          ok: false,
          error: this.ending ? 'timeout' : 'other',
          detail: this.ending?.detail ?? 'the socket closed before it connected',
          ms,
        };
      case 'timeout':
      case 'ending':
        return { ok: false, error: 'timeout', detail: opened.detail, ms };
    }
  }

  /**
   * Waits for a socket being opened to be ready, or for its error, its close, the step's
   * time-out, or the end of the session; a socket that does not become ready is destroyed.
   */
  private awaitOpen(
    socket: net.Socket,
    ready: 'connect' | 'secureConnect',
    timeoutMs: number,
    timeoutDetail: string,
  ): Promise<OpenOutcome> {
    this.sockets.push(socket);
    socket.on('error', ignore);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: OpenOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.wake = undefined;
        socket.off('error', onError).off('close', onClose).off(ready, onReady);
        if (outcome.kind !== 'ready') socket.destroy();
        resolve(outcome);
      };
      const onError = (error: NodeJS.ErrnoException): void => settle({ kind: 'error', error });
      const onClose = (): void => settle({ kind: 'closed' });
      const onReady = (): void => settle({ kind: 'ready' });
      const timer = setTimeout(() => settle({ kind: 'timeout', detail: timeoutDetail }), timeoutMs);
      socket.once('error', onError).once('close', onClose).once(ready, onReady);
      this.wake = () => {
        if (this.ending) settle({ kind: 'ending', reason: this.ending.reason, detail: this.ending.detail });
      };
    });
  }

  /** The greeting; its time runs from the moment the connection was made. */
  readBanner(): Promise<SmtpReply> {
    this.step = 'banner';
    return this.readReply('banner', this.limits.bannerTimeoutMs, this.connectedAt);
  }

  async command(text: string, step: SmtpStep, timeoutMs = this.limits.commandTimeoutMs): Promise<SmtpReply> {
    this.step = step;
    const ending = this.ending;
    if (ending || !this.socket)
      throw new SessionEnded({ step, ...(ending ?? { reason: 'error', detail: 'not connected' }) });
    // One command, one reply (no pipelining): a reply nobody asked for would be read as the
    // answer to this command and shift every answer after it.
    if (this.reader.holdsData)
      throw new SessionEnded({ step, reason: 'protocol', detail: 'the server sent a reply before this command' });
    const sent = this.clock.monotonicMs();
    this.record('C', text);
    this.socket.write(`${text}\r\n`);
    return this.readReply(step, timeoutMs, sent);
  }

  /** RFC 3207 §4: the TLS handshake on the same connection, after the server's 220 to STARTTLS. */
  async startTls(servername: string | undefined, secureContext: tls.SecureContext): Promise<TlsHandshake> {
    const raw = this.socket;
    this.step = 'tls';
    if (!raw) return { ok: false, reason: 'error', detail: 'not connected', ms: 0 };
    this.detach?.();
    this.reader.discard();
    const started = this.clock.monotonicMs();
    // An untrusted certificate is a finding, not a reason to stop looking: rejectUnauthorized is off.
    // Node folds the name check into `authorized` unless checkServerIdentity is replaced; the
    // prober asks both questions apart (trusted chain, matching name), so the name waits for it.
    const socket = tls.connect({
      socket: raw,
      servername,
      secureContext,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    const opened = await this.awaitOpen(
      socket,
      'secureConnect',
      this.limits.tlsTimeoutMs,
      `no TLS handshake in ${this.limits.tlsTimeoutMs} ms`,
    );
    const ms = this.elapsed(started);
    switch (opened.kind) {
      case 'ready':
        this.socket = socket;
        this.detach = this.attach(socket);
        return { ok: true, socket, ms };
      case 'error':
        return { ok: false, reason: 'error', detail: describeError(opened.error), ms };
      case 'closed':
        return {
          ok: false,
          reason: this.ending?.reason ?? 'closed',
          detail: this.ending?.detail ?? 'the connection closed during the TLS handshake',
          ms,
        };
      case 'timeout':
        return { ok: false, reason: 'timeout', detail: opened.detail, ms };
      case 'ending':
        return { ok: false, reason: opened.reason, detail: opened.detail, ms };
    }
  }

  /** Destroys every socket and clears every timer; safe to call more than once. */
  close(): void {
    clearTimeout(this.totalTimer);
    this.wake = undefined;
    this.detach?.();
    for (const socket of this.sockets) socket.destroy();
  }

  private readReply(step: SmtpStep, timeoutMs: number, since: number): Promise<SmtpReply> {
    return new Promise((resolve, reject) => {
      const settle = (then: () => void): void => {
        clearTimeout(timer);
        this.wake = undefined;
        then();
      };
      // A whole reply already read wins over a later close or limit: a 421 followed by the close is a 421.
      const check = (): void => {
        const next = this.reader.take();
        const ending = this.ending;
        if (next && 'reply' in next)
          settle(() => resolve({ code: next.reply.code, lines: next.reply.lines, ms: this.elapsed(since) }));
        else if (next) settle(() => reject(new SessionEnded({ step, ...next.fault })));
        else if (ending) settle(() => reject(new SessionEnded({ step, ...ending })));
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(new SessionEnded({ step, reason: 'timeout', detail: `no complete reply in ${timeoutMs} ms` })),
          ),
        timeoutMs,
      );
      this.wake = check;
      check();
    });
  }

  private attach(socket: net.Socket): () => void {
    const onData = (chunk: Buffer): void => {
      this.reader.feed(chunk);
      if (this.reader.failed) socket.destroy();
      this.wake?.();
    };
    const onEnd = (): void => this.end({ reason: 'closed', detail: 'the server closed the connection' });
    const onClose = (): void => this.end({ reason: 'closed', detail: 'the connection closed' });
    const onError = (error: NodeJS.ErrnoException): void =>
      this.end(
        classifySocketError(error) === 'reset'
          ? { reason: 'closed', detail: describeError(error) }
          : { reason: 'error', detail: describeError(error) },
      );
    socket.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onError);
    return () => {
      socket.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onError);
    };
  }

  private end(ending: Ending): void {
    this.ending ??= ending;
    this.wake?.();
  }

  private record(from: 'C' | 'S', text: string): void {
    const atMs = Math.round(this.elapsed());
    if (from === 'S' && this.transcript.length >= TRANSCRIPT_LINES) {
      if (this.linesDropped++ === 0) this.transcript.push({ from, text: '[further reply lines not kept]', atMs });
      return;
    }
    this.transcript.push({
      from,
      text: text.length > TRANSCRIPT_LINE_CHARS ? `${text.slice(0, TRANSCRIPT_LINE_CHARS)}…` : text,
      atMs,
    });
  }
}
