/**
 * STARTTLS as the session shows it before any certificate is judged (tls-findings.ts does that):
 * not offered, refused, or a handshake that failed.
 */
import { finding, type Finding } from './finding.js';
import { exchangeLines, formatReply, replyText } from './smtp-evidence.js';
import { extensionList, stepLines, type Judged } from './smtp-judged-session.js';
import type { SmtpProbeResult, SmtpReply, TlsOutcome } from './smtp-port.js';

export function starttlsMissing(j: Judged): Finding {
  const r = j.result;
  const masked = firewallInspection(r);
  return finding({
    id: 'smtp.starttls-missing',
    status: 'warn',
    subject: j.label,
    summary: `${j.label} does not offer STARTTLS, so mail to it travels in clear, and senders that require TLS (MTA-STS, DANE, TLS-only connectors) cannot deliver${masked ? `; ${masked}` : ''}.`,
    evidence: {
      ...j.base,
      extensions: extensionList(r),
      ehlo: r.ehlo ? formatReply(r.ehlo) : null,
      transcript: exchangeLines(r, 'EHLO '),
      ...(masked ? { maskedBy: masked } : {}),
    },
    remedy: masked
      ? 'Turn off the firewall\'s SMTP inspection for port 25 (Cisco ASA: "no inspect esmtp"); it hides STARTTLS from senders.'
      : `Enable STARTTLS on ${r.request.mxHost} with a certificate for that name (Postfix: smtpd_tls_security_level = may; Exim: tls_advertise_hosts = *).`,
    ref: 'RFC 3207 §4; RFC 7435',
  });
}

/**
 * Cisco ASA/PIX "inspect esmtp" (the old "SMTP fixup") rewrites the session: the greeting becomes
 * asterisks and STARTTLS in the EHLO reply becomes XXXXXXXA.
 */
export function firewallInspection(r: SmtpProbeResult): string | undefined {
  const ehloLines = [...(r.ehlo?.lines ?? [])];
  if (ehloLines.some((line) => /^X{4,}A?\b/.test(line.trim())))
    return 'the EHLO reply shows "XXXXXXXA" where STARTTLS would be: a firewall\'s SMTP inspection (Cisco ASA "inspect esmtp") hides it';
  if ((r.banner?.lines ?? []).some((line) => /\*{8,}/.test(line)))
    return 'the greeting is masked with asterisks: a firewall\'s SMTP inspection (Cisco ASA "inspect esmtp") is rewriting the session';
  return undefined;
}

export function starttlsRefused(j: Judged, reply: SmtpReply): Finding {
  return finding({
    id: 'smtp.starttls-failed',
    status: 'fail',
    subject: j.label,
    summary: `${j.label} offers STARTTLS but refused the command ("${replyText(reply)}"), so no sender gets TLS; opportunistic senders go on in clear, senders that require TLS cannot deliver.`,
    evidence: {
      ...j.base,
      step: 'starttls',
      reply: formatReply(reply),
      replyMs: Math.round(reply.ms),
      transcript: stepLines(j.result, 'starttls'),
    },
    remedy: `Fix the TLS setup of ${j.result.request.mxHost} (a 454 usually means the certificate or key cannot be loaded: check the mail log), or stop advertising STARTTLS.`,
    ref: 'RFC 3207 §4',
  });
}

export function handshakeFailed(j: Judged, tls: TlsOutcome | undefined): Finding {
  const error = tls?.error ?? j.result.abort?.detail ?? 'the handshake did not complete';
  const versionHint = /version|protocol/i.test(error)
    ? ' (the server may offer only TLS versions below 1.2, which current senders refuse)'
    : '';
  return finding({
    id: 'smtp.starttls-failed',
    status: 'fail',
    subject: j.label,
    summary: `${j.label} accepted STARTTLS but the TLS handshake failed: ${error}${versionHint}; senders that require TLS cannot deliver, and opportunistic ones retry in clear or defer.`,
    evidence: {
      ...j.base,
      step: 'tls',
      error,
      tlsMs: tls ? Math.round(tls.ms) : null,
      transcript: stepLines(j.result, 'starttls'),
    },
    remedy: `Test the handshake (openssl s_client -starttls smtp -connect ${j.result.request.mxHost}:${j.result.request.port}) and fix the server's TLS settings: TLS 1.2 or 1.3, current ciphers, a certificate and key that belong together.`,
    ref: 'RFC 3207 §4.1; RFC 8996',
  });
}
