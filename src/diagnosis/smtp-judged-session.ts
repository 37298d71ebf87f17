/**
 * What every finding about one SMTP session shares: the session being judged with its label and
 * base evidence, the names of its steps, and the transcript and extensions as evidence shows them.
 */
import type { Evidence } from './finding.js';
import { exchangeLines, greetingLines, lastLines } from './smtp-evidence.js';
import type { SmtpProbeResult, SmtpStep } from './smtp-port.js';
import type { MailServerSession } from './smtp-sessions.js';

/** What is judged, with the label and evidence every finding about it shares. */
export interface Judged {
  readonly session: MailServerSession;
  readonly result: SmtpProbeResult;
  readonly label: string;
  readonly base: Evidence;
}

export const STEP_NAMES: Record<SmtpStep, string> = {
  connect: 'the connection',
  banner: 'the greeting',
  ehlo: 'EHLO',
  helo: 'HELO',
  starttls: 'STARTTLS',
  tls: 'the TLS handshake',
  'ehlo-after-tls': 'EHLO after STARTTLS',
  mail: 'MAIL FROM',
  rcpt: 'RCPT TO',
  rset: 'RSET',
  quit: 'QUIT',
};

export function stepLines(r: SmtpProbeResult, step: SmtpStep): string[] {
  switch (step) {
    case 'banner':
      return greetingLines(r);
    case 'ehlo':
      return exchangeLines(r, 'EHLO ', 'first');
    case 'ehlo-after-tls':
      return exchangeLines(r, 'EHLO ', 'last');
    case 'helo':
      return exchangeLines(r, 'HELO ');
    case 'starttls':
      return exchangeLines(r, 'STARTTLS');
    case 'mail':
      return exchangeLines(r, 'MAIL FROM');
    case 'rcpt':
      return exchangeLines(r, 'RCPT TO');
    default:
      return lastLines(r);
  }
}

export function extensionList(r: SmtpProbeResult): string[] {
  return Object.entries(r.extensions).map(([keyword, parameters]) =>
    parameters ? `${keyword} ${parameters}` : keyword,
  );
}
