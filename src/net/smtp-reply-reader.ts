/**
 * Sans-I/O reader of SMTP replies with hard limits: the bytes of a session go in, whole replies
 * come out. A hostile server can send one line without end, or a multi-line reply without end;
 * both stop at a limit instead of growing without bound.
 */

export interface ReplyReaderLimits {
  /** Longest line accepted, without its line ending. */
  readonly maxLineLength: number;
  /** Bytes accepted in the whole session. */
  readonly maxBytes: number;
}

export interface RawReply {
  readonly code: number;
  /** Text after the code and separator, one entry per line. */
  readonly lines: readonly string[];
}

export interface ReaderFault {
  readonly reason: 'line-too-long' | 'too-many-bytes' | 'protocol';
  readonly detail: string;
}

export type ReaderOutput = { readonly reply: RawReply } | { readonly fault: ReaderFault };

/** RFC 5321 §4.2: a code, then '-' on every line but the last, then SP (or nothing) on the last. */
const REPLY_LINE = /^([2-5]\d\d)([ -]|$)/;

export class SmtpReplyReader {
  private pendingText = '';
  private bytesRead = 0;
  private partial: { code: number; lines: string[] } | undefined;
  private readonly replies: RawReply[] = [];
  private fault: ReaderFault | undefined;

  constructor(
    private readonly limits: ReplyReaderLimits,
    /** Sees every complete line, for the transcript. */
    private readonly onLine: (line: string) => void,
  ) {}

  /** Whether a limit or a malformed line has stopped the reader; the connection should go. */
  get failed(): boolean {
    return this.fault !== undefined;
  }

  /** Whether anything has arrived that no command asked for yet. */
  get holdsData(): boolean {
    return this.replies.length > 0 || this.partial !== undefined || this.pendingText.length > 0;
  }

  feed(chunk: Buffer): void {
    if (this.fault) return;
    this.bytesRead += chunk.length;
    // Replies are ASCII (RFC 5321 §2.4); latin1 maps every byte to one character, so lengths stay byte counts.
    const parts = (this.pendingText + chunk.toString('latin1')).split('\n');
    this.pendingText = parts.pop() ?? '';
    for (const part of parts) {
      // Bare LF is tolerated: some servers end lines that way, and senders accept it.
      const line = part.endsWith('\r') ? part.slice(0, -1) : part;
      if (line.length > this.limits.maxLineLength)
        return this.stop(
          'line-too-long',
          `a reply line of ${line.length} characters (limit ${this.limits.maxLineLength})`,
        );
      this.onLine(line);
      this.addLine(line);
      if (this.fault) return;
    }
    if (this.pendingText.length > this.limits.maxLineLength) {
      this.onLine(this.pendingText);
      return this.stop('line-too-long', `more than ${this.limits.maxLineLength} characters without a line ending`);
    }
    if (this.bytesRead > this.limits.maxBytes)
      this.stop('too-many-bytes', `the server sent more than ${this.limits.maxBytes} bytes`);
  }

  /** The next whole reply, else the fault that stopped the reader, else undefined (wait for more). */
  take(): ReaderOutput | undefined {
    const reply = this.replies.shift();
    if (reply) return { reply };
    return this.fault ? { fault: this.fault } : undefined;
  }

  /**
   * Forgets everything not yet taken. After a 220 to STARTTLS, bytes that came in the clear behind
   * it must not be read as if the TLS session had sent them (the STARTTLS injection of
   * CVE-2011-0411, seen from the client side; RFC 3207 §4.2).
   */
  discard(): void {
    this.pendingText = '';
    this.partial = undefined;
    this.replies.length = 0;
  }

  private addLine(line: string): void {
    const match = REPLY_LINE.exec(line);
    if (!match) return this.stop('protocol', `not an SMTP reply line: ${JSON.stringify(line.slice(0, 80))}`);
    const code = Number(match[1]);
    // RFC 5321 §4.2.1: every line of a multi-line reply carries the same code.
    if (this.partial && this.partial.code !== code)
      return this.stop('protocol', `reply code changed from ${this.partial.code} to ${code} inside one reply`);
    this.partial ??= { code, lines: [] };
    this.partial.lines.push(line.slice(4));
    if (match[2] !== '-') {
      this.replies.push(this.partial);
      this.partial = undefined;
    }
  }

  private stop(reason: ReaderFault['reason'], detail: string): void {
    this.fault = { reason, detail };
    this.pendingText = '';
    this.partial = undefined;
  }
}
