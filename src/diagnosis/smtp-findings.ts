/**
 * One SMTP session with one MX address, judged step by step the way a sender lives through it:
 * connect, greeting, EHLO (or HELO), STARTTLS and the handshake, MAIL FROM, RCPT TO. The judging
 * stops where the session stopped, so a server that would not talk to us is reported as that and
 * never as lacking what we never got to ask about.
 *
 * Statuses (DESIGN.md): `fail` when the partner's server is demonstrably wrong; `error` when we
 * could not tell (time-outs, connections dropped, replies about us rather than them); `warn` for
 * what works but costs some senders.
 */
import type { Finding } from './finding.js';
import { blockedUs } from './smtp-blocked-us-finding.js';
import { connectFailed, refusedByPolicy } from './smtp-connect-findings.js';
import { commandTimeout, ended, incomplete, protocolError } from './smtp-early-end-findings.js';
import { mailRejected, rcptRejected, rcptTemporary, sizeLimit } from './smtp-envelope-findings.js';
import { replyText, serverEvidence, serverLabel } from './smtp-evidence.js';
import { heloOnly, missingBanner, SLOW_BANNER_MS, slowBanner, unexpectedBanner } from './smtp-greeting-findings.js';
import type { Judged } from './smtp-judged-session.js';
import type { SmtpReply } from './smtp-port.js';
import { refusalOf } from './smtp-refusal.js';
import { okFinding, softwareFinding } from './smtp-session-summary-findings.js';
import type { MailServerSession } from './smtp-sessions.js';
import { handshakeFailed, starttlsMissing, starttlsRefused } from './smtp-starttls-findings.js';
import { judgeTls, type TlsJudgeOptions } from './tls-findings.js';

export { judgeOutboundPort } from './smtp-connect-findings.js';
export { SMALL_SIZE_LIMIT_BYTES } from './smtp-envelope-findings.js';
export { SLOW_BANNER_MS } from './smtp-greeting-findings.js';

export type SessionJudgeOptions = TlsJudgeOptions;

interface Stage {
  readonly findings: readonly Finding[];
  /** Whether the session went no further, so later steps must not be judged. */
  readonly stop: boolean;
}

const NEEDS_ATTENTION = new Set(['error', 'fail', 'warn']);

/** Every finding one session gives: what went wrong, the software recognised, `smtp.ok` when nothing did. */
export function judgeSession(session: MailServerSession, options: SessionJudgeOptions = {}): Finding[] {
  const { result } = session;
  const judged: Judged = { session, result, label: serverLabel(session), base: serverEvidence(session) };
  const { findings, rcptAccepted } = judgeSteps(judged, options);
  const software = softwareFinding(judged);
  const all = software ? [...findings, software] : [...findings];
  if (rcptAccepted && !all.some((f) => NEEDS_ATTENTION.has(f.status))) all.push(okFinding(judged));
  return all;
}

function positive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

function judgeSteps(j: Judged, options: SessionJudgeOptions): { findings: Finding[]; rcptAccepted: boolean } {
  const r = j.result;
  const findings: Finding[] = [];
  const done = (...more: Finding[]): { findings: Finding[]; rcptAccepted: boolean } => ({
    findings: [...findings, ...more],
    rcptAccepted: false,
  });

  if (r.refusedByPolicy) return done(refusedByPolicy(j, r.refusedByPolicy.range));
  if (!r.connect) return done(incomplete(j, 'connect'));
  if (!r.connect.ok) return done(connectFailed(j, r.connect));

  if (!r.banner) return done(missingBanner(j));
  if (r.banner.code !== 220) return done(unexpectedBanner(j, r.banner));
  if (r.banner.ms > SLOW_BANNER_MS) findings.push(slowBanner(j, r.banner));

  const greeting = judgeGreeting(j);
  findings.push(...greeting.findings);
  if (greeting.stop) return done();

  // After HELO there are no extensions to judge: helo-only has said so.
  if (r.ehlo && positive(r.ehlo)) {
    findings.push(...sizeLimit(j));
    const tls = judgeStartTls(j, options);
    findings.push(...tls.findings);
    if (tls.stop) return done();
  }

  if (!r.mail) return done(ended(j, 'mail'));
  const mailRefusal = refusalOf(r.mail);
  if (mailRefusal) return done(blockedUs(j, 'mail', mailRefusal, r.mail));
  if (!positive(r.mail)) return done(mailRejected(j, r.mail));

  if (!r.rcpt) return done(ended(j, 'rcpt'));
  const rcptRefusal = refusalOf(r.rcpt);
  if (rcptRefusal) return done(blockedUs(j, 'rcpt', rcptRefusal, r.rcpt));
  if (r.rcpt.code >= 500) return done(rcptRejected(j, r.rcpt));
  if (r.rcpt.code >= 400) return done(rcptTemporary(j, r.rcpt));
  if (!positive(r.rcpt)) return done(protocolError(j, 'rcpt', `RCPT TO was answered with ${replyText(r.rcpt)}`));
  return { findings, rcptAccepted: true };
}

/** EHLO, or HELO when EHLO is refused (RFC 5321 §3.2). */
function judgeGreeting(j: Judged): Stage {
  const r = j.result;
  if (!r.ehlo) return { findings: [ended(j, 'ehlo')], stop: true };
  const ehloRefusal = refusalOf(r.ehlo);
  if (ehloRefusal) return { findings: [blockedUs(j, 'ehlo', ehloRefusal, r.ehlo)], stop: true };
  if (positive(r.ehlo)) return { findings: [], stop: false };
  // A 4xx is "not now", not "I do not know EHLO" (that is 500/502): no verdict on ESMTP from it.
  if (r.ehlo.code >= 400 && r.ehlo.code < 500)
    return { findings: [blockedUs(j, 'ehlo', 'temporary', r.ehlo)], stop: true };
  if (!r.helo) return { findings: [ended(j, 'helo')], stop: true };
  const heloRefusal = refusalOf(r.helo) ?? (positive(r.helo) ? undefined : 'greeting-refused');
  if (heloRefusal) return { findings: [blockedUs(j, 'helo', heloRefusal, r.helo)], stop: true };
  return { findings: [heloOnly(j, r.ehlo, r.helo)], stop: false };
}

/** RFC 3207: STARTTLS, the handshake, and the EHLO that must follow it. */
function judgeStartTls(j: Judged, options: SessionJudgeOptions): Stage {
  const r = j.result;
  if (!r.starttls) {
    // Offered but never sent: the session ended in between, so nothing is missing.
    if ('STARTTLS' in r.extensions) return { findings: [ended(j, 'starttls')], stop: true };
    return { findings: [starttlsMissing(j)], stop: false };
  }
  const refusal = refusalOf(r.starttls);
  if (refusal) return { findings: [blockedUs(j, 'starttls', refusal, r.starttls)], stop: true };
  // A refused STARTTLS leaves the session in the clear, and the probe goes on as senders do.
  if (r.starttls.code !== 220) return { findings: [starttlsRefused(j, r.starttls)], stop: false };
  const tls = r.tls;
  if (!tls || !tls.ok) {
    const timedOut = r.abort?.step === 'tls' && (r.abort.reason === 'timeout' || r.abort.reason === 'total-timeout');
    return { findings: [timedOut ? commandTimeout(j) : handshakeFailed(j, tls)], stop: true };
  }
  const found = judgeTls(j.session, tls, options);
  const again = r.ehloAfterTls;
  if (!again) return { findings: [...found, ended(j, 'ehlo-after-tls')], stop: true };
  const againRefusal = refusalOf(again);
  if (againRefusal) return { findings: [...found, blockedUs(j, 'ehlo-after-tls', againRefusal, again)], stop: true };
  if (!positive(again)) {
    return {
      findings: [
        ...found,
        protocolError(
          j,
          'ehlo-after-tls',
          `EHLO after STARTTLS, which senders must send (RFC 3207 §4.2), was refused with ${replyText(again)}`,
        ),
      ],
      stop: true,
    };
  }
  return { findings: found, stop: false };
}
