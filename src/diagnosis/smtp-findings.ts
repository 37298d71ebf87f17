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
import { finding, type Evidence, type Finding } from './finding.js';
import { recogniseMta, type SessionLine } from './mta-software.js';
import { exchangeLines, formatReply, greetingLines, lastLines, replyText, serverEvidence, serverLabel, waitedSinceLastCommand } from './smtp-evidence.js';
import type { ConnectFailure, SmtpProbeResult, SmtpReply, SmtpStep, TlsOutcome } from './smtp-port.js';
import { refusalOf, type Refusal } from './smtp-refusal.js';
import type { MailServerSession } from './smtp-sessions.js';
import { judgeTls, type TlsJudgeOptions } from './tls-findings.js';

/**
 * A greeting slower than this is reported. RFC 5321 §4.5.3.2 has senders wait 5 minutes for it,
 * so a slow greeting is not a broken one; but greet pauses and tarpits cost every connection that
 * long, and senders with short time-outs (and impatient tools) give up.
 */
export const SLOW_BANNER_MS = 10_000;

/**
 * A SIZE limit below this stops ordinary attachments (base64 makes them a third larger). Postfix's
 * default of 10 240 000 bytes sits just above it, on purpose: a default is not worth a warning.
 */
export const SMALL_SIZE_LIMIT_BYTES = 10_000_000;

export type SessionJudgeOptions = TlsJudgeOptions;

type BlockReason = Refusal | 'closed' | 'greeting-refused' | 'temporary';

/** What is judged, with the label and evidence every finding about it shares. */
interface Judged {
  readonly session: MailServerSession;
  readonly result: SmtpProbeResult;
  readonly label: string;
  readonly base: Evidence;
}

interface Stage {
  readonly findings: readonly Finding[];
  /** Whether the session went no further, so later steps must not be judged. */
  readonly stop: boolean;
}

const STEP_NAMES: Record<SmtpStep, string> = {
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

const NEEDS_ATTENTION = new Set(['error', 'fail', 'warn']);

/** Every finding one session gives: what went wrong, the software recognised, `smtp.ok` when nothing did. */
export function judgeSession(session: MailServerSession, options: SessionJudgeOptions = {}): Finding[] {
  const { result } = session;
  const judged: Judged = { session, result, label: serverLabel(result), base: serverEvidence(session) };
  const { findings, rcptAccepted } = judgeSteps(judged, options);
  const software = softwareFinding(judged);
  const all = software ? [...findings, software] : [...findings];
  if (rcptAccepted && !all.some((f) => NEEDS_ATTENTION.has(f.status))) all.push(okFinding(judged));
  return all;
}

/**
 * When every address we tried timed out on connect, the likeliest single cause is on our side:
 * many cloud providers block outbound port 25 by default. Nothing about the partner follows.
 */
export function judgeOutboundPort(domain: string, sessions: readonly MailServerSession[]): Finding[] {
  const tried = sessions.filter((s) => !s.result.refusedByPolicy);
  if (tried.length === 0 || !tried.every((s) => connectTimedOut(s.result))) return [];
  const port = tried[0]?.result.request.port ?? 25;
  return [
    finding({
      id: 'smtp.outbound-blocked',
      status: 'error',
      subject: domain,
      summary: `Every mail server address of ${domain} (${tried.length}) timed out on connect, so the host running mxops may have outbound port ${port} blocked (common at cloud providers) and nothing about ${domain}'s servers can be concluded.`,
      evidence: { port, addresses: tried.map((s) => s.result.request.address), connectMs: tried.map((s) => Math.round(s.result.connect?.ms ?? 0)) },
      remedy: `From the probing host, try a server known to work (nc -vz -w 10 gmail-smtp-in.l.google.com ${port}); if that times out too, ask the provider to open outbound port ${port} or run mxops (or its workers) where it is open.`,
      ref: 'RFC 5321 §4.5.3.2',
    }),
  ];
}

function connectTimedOut(result: SmtpProbeResult): boolean {
  return result.connect !== undefined && !result.connect.ok && result.connect.error === 'timeout';
}

function positive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

function judgeSteps(j: Judged, options: SessionJudgeOptions): { findings: Finding[]; rcptAccepted: boolean } {
  const r = j.result;
  const findings: Finding[] = [];
  const done = (...more: Finding[]): { findings: Finding[]; rcptAccepted: boolean } => ({ findings: [...findings, ...more], rcptAccepted: false });

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
  if (r.ehlo.code >= 400 && r.ehlo.code < 500) return { findings: [blockedUs(j, 'ehlo', 'temporary', r.ehlo)], stop: true };
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
    return { findings: [...found, protocolError(j, 'ehlo-after-tls', `EHLO after STARTTLS, which senders must send (RFC 3207 §4.2), was refused with ${replyText(again)}`)], stop: true };
  }
  return { findings: found, stop: false };
}

function stepLines(r: SmtpProbeResult, step: SmtpStep): string[] {
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

function refusedByPolicy(j: Judged, range: string): Finding {
  return finding({
    id: 'smtp.refused-by-policy',
    status: 'skipped',
    subject: j.label,
    summary: `mxops did not connect to ${j.label}: ${j.result.request.address} is a ${range} address, and probing non-public addresses is not allowed.`,
    evidence: { ...j.base, range },
    remedy: `If probing it is intended (a test bed, an internal relay), run with --allow-private, or set MXOPS_ALLOW_PRIVATE_TARGETS=true where the probes run (on the workers with --queue).`,
    ref: 'RFC 6890',
  });
}

function connectFailed(j: Judged, connect: { readonly error: ConnectFailure; readonly detail: string; readonly ms: number }): Finding {
  const { address, port } = j.result.request;
  const evidence = { ...j.base, error: connect.error, detail: connect.detail, connectMs: Math.round(connect.ms) };
  if (connect.error === 'timeout') {
    return finding({
      id: 'smtp.connect-timeout',
      status: 'error',
      subject: j.label,
      summary: `${j.label} did not accept a connection on port ${port} within ${Math.round(connect.ms)} ms: a firewall dropping packets, a server that is down, or port ${port} blocked on our own side; we could not tell which.`,
      evidence,
      remedy: `Re-run later; from the probing host, compare with a server known to work (nc -vz -w 10 ${address} ${port} against nc -vz -w 10 gmail-smtp-in.l.google.com ${port}).`,
      ref: 'RFC 5321 §4.5.3.2',
    });
  }
  // Only a refusal proves something about the partner: the address answers, and nothing there
  // takes mail. "Unreachable" is as often our routing (no IPv6 on the probing host) as theirs, and
  // a reset is some firewall's doing, possibly one that blocks us.
  const why: Record<Exclude<ConnectFailure, 'timeout'>, string> = {
    refused: `${j.label} refused the connection on port ${port} (${connect.detail}): nothing there takes mail, so senders try the next MX or defer.`,
    unreachable: `No route to ${j.label} (${connect.detail}); that may be our side (${address.includes(':') ? 'a probing host without IPv6' : 'our network'}) or theirs, so we could not tell whether it takes mail.`,
    reset: `The connection to ${j.label} was reset as it opened (${connect.detail}): a firewall or the server dropped us, and we could not tell why.`,
    other: `Connecting to ${j.label} failed (${connect.detail}); we could not tell why.`,
  };
  return finding({
    id: 'smtp.connect-failed',
    status: connect.error === 'refused' ? 'fail' : 'error',
    subject: j.label,
    summary: why[connect.error],
    evidence,
    remedy:
      connect.error === 'refused'
        ? `Start the mail server on ${address} and let port ${port} through its firewall, or remove ${address} from the addresses of ${j.result.request.mxHost}.`
        : `Re-run; if it persists, check the route to ${address} from the probing host (traceroute -T -p ${port} ${address}) before suspecting the partner.`,
    ref: 'RFC 5321 §5.1',
  });
}

function missingBanner(j: Judged): Finding {
  const r = j.result;
  const abort = r.abort;
  const connectMs = r.connect?.ok ? Math.round(r.connect.ms) : null;
  if (abort && (abort.reason === 'timeout' || abort.reason === 'total-timeout')) {
    const waitedMs = Math.max(0, Math.round(r.totalMs - (connectMs ?? 0)));
    return finding({
      id: 'smtp.banner-slow',
      status: 'error',
      subject: j.label,
      summary: `${j.label} accepted the connection but sent no greeting in the ${waitedMs} ms we waited: it may be a slow greeting or a tarpit (senders wait up to 5 minutes), so we could not tell whether it takes mail.`,
      evidence: { ...j.base, connectMs, waitedMs, detail: abort.detail, transcript: lastLines(r) },
      remedy: 'Re-run with a longer banner time-out (MXOPS_SMTP_BANNER_TIMEOUT_MS); if the greeting is delayed on purpose, keep the delay well under a minute.',
      ref: 'RFC 5321 §4.5.3.2',
    });
  }
  if (abort && abort.reason === 'closed') return blockedUs(j, 'banner', 'closed', undefined);
  if (abort && abort.reason === 'error') return connectionLost(j, 'banner', abort.detail);
  if (abort) {
    return finding({
      id: 'smtp.banner-not-220',
      status: 'fail',
      subject: j.label,
      summary: `${j.label} answered with something that is not an SMTP greeting (${abort.detail}), so senders cannot talk to it.`,
      evidence: { ...j.base, connectMs, reason: abort.reason, detail: abort.detail, transcript: greetingLines(r) },
      remedy: `Make sure a mail server, and not some other service, listens on port ${r.request.port} at ${r.request.address}.`,
      ref: 'RFC 5321 §4.2, §4.3.1',
    });
  }
  return incomplete(j, 'banner');
}

function unexpectedBanner(j: Judged, banner: SmtpReply): Finding {
  const refusal = refusalOf(banner);
  if (refusal) return blockedUs(j, 'banner', refusal, banner);
  if (banner.code >= 400 && banner.code < 500) return blockedUs(j, 'banner', 'temporary', banner);
  const noService = banner.code === 554;
  return finding({
    id: 'smtp.banner-not-220',
    status: 'fail',
    subject: j.label,
    summary: noService
      ? `${j.label} greeted with "${replyText(banner)}": 554 in place of 220 means "no SMTP service here" (RFC 5321 §3.1), so this address takes no mail.`
      : `${j.label} greeted with "${replyText(banner)}" instead of 220, so senders cannot go on.`,
    evidence: { ...j.base, reply: formatReply(banner), bannerMs: Math.round(banner.ms), transcript: greetingLines(j.result) },
    remedy: noService
      ? `If ${j.result.request.mxHost} should take mail for the domain, configure it to accept mail for it; otherwise remove it from the MX records.`
      : `Have the server at ${j.result.request.address} greet with 220, as RFC 5321 requires, or remove it from the MX records.`,
    ref: noService ? 'RFC 5321 §3.1' : 'RFC 5321 §4.2, §4.3.1',
  });
}

function slowBanner(j: Judged, banner: SmtpReply): Finding {
  const seconds = (banner.ms / 1000).toFixed(1);
  return finding({
    id: 'smtp.banner-slow',
    status: 'warn',
    subject: j.label,
    summary: `${j.label} is slow, not down: its greeting took ${seconds} s; senders wait up to 5 minutes, but a greet pause or tarpit costs every sender that long per connection and impatient senders give up.`,
    evidence: { ...j.base, bannerMs: Math.round(banner.ms), thresholdMs: SLOW_BANNER_MS, connectMs: j.result.connect?.ok ? Math.round(j.result.connect.ms) : null, transcript: greetingLines(j.result) },
    remedy: 'If the delay is deliberate (Postfix postscreen_greet_wait, a tarpit), keep it to a few seconds; otherwise look for slow reverse-DNS or RBL lookups done before the greeting.',
    ref: 'RFC 5321 §4.5.3.2',
  });
}

function blockedUs(j: Judged, step: SmtpStep, reason: BlockReason, reply: SmtpReply | undefined): Finding {
  const text = reply ? `"${replyText(reply)}"` : '';
  const about = 'so nothing about its setup could be checked from here';
  const summaries: Record<BlockReason, string> = {
    closing: `${j.label} answered ${STEP_NAMES[step]} with ${text}: it closed the channel to us, ${about}.`,
    'too-many-connections': `${j.label} said it has too many connections (${text}) at ${STEP_NAMES[step]}: it would not talk to us now, ${about}.`,
    'client-refused': `${j.label} refused us, the probing host, at ${STEP_NAMES[step]} (${text}): its policy is about our address or name, ${about}.`,
    closed:
      step === 'banner'
        ? `${j.label} closed the connection right after we connected, before any greeting: it would not talk to us, ${about}.`
        : `${j.label} closed the connection after our ${STEP_NAMES[step]}: it would not talk to us, ${about}.`,
    'greeting-refused': `${j.label} refused both EHLO and HELO (${[j.result.ehlo, j.result.helo].flatMap((x) => (x ? [`"${replyText(x)}"`] : [])).join(', ')}): it would not talk to us, often because of our HELO name, ${about}.`,
    temporary: `${j.label} greeted with ${text}, a temporary refusal: it would not talk to us now, ${about}.`,
  };
  const remedies: Record<BlockReason, string> = {
    closing: 'Re-run later; if it persists, ask the partner whether connection or rate limits hold back the probing host.',
    'too-many-connections': 'Re-run later; if it persists, ask the partner whether their connection limits hold back the probing host.',
    'client-refused': "Check the probing host's address on public blocklists and its reverse DNS, or run mxops from another host; ask the partner to allow it if their mail should be checked from here.",
    closed: "Re-run later; check the probing host's address on public blocklists and its reverse DNS, or run mxops from another host.",
    'greeting-refused': `Give mxops a HELO name that resolves to the probing host's address (MXOPS_HELO_NAME; now "${j.result.request.heloName}") and re-run.`,
    temporary: 'Re-run later; if it persists, ask the partner what their server is waiting for.',
  };
  return finding({
    id: 'smtp.blocked-us',
    status: 'error',
    subject: j.label,
    summary: summaries[reason],
    evidence: { ...j.base, step, reason, reply: reply ? formatReply(reply) : null, replyMs: reply ? Math.round(reply.ms) : null, transcript: reply ? stepLines(j.result, step) : lastLines(j.result) },
    remedy: remedies[reason],
    ref: 'RFC 5321 §3.8, §4.2.3',
  });
}

function heloOnly(j: Judged, ehlo: SmtpReply, helo: SmtpReply): Finding {
  const masked = firewallInspection(j.result);
  return finding({
    id: 'smtp.helo-only',
    status: 'warn',
    subject: j.label,
    summary: `${j.label} refused EHLO ("${replyText(ehlo)}") and took only HELO: without ESMTP there is no STARTTLS (mail travels in clear), no SIZE and no 8BITMIME${masked ? `; ${masked}` : ''}.`,
    evidence: { ...j.base, ehlo: formatReply(ehlo), helo: formatReply(helo), transcript: [...exchangeLines(j.result, 'EHLO '), ...exchangeLines(j.result, 'HELO ')], ...(masked ? { maskedBy: masked } : {}) },
    remedy: masked
      ? 'Turn off the firewall\'s SMTP inspection for port 25 (Cisco ASA: "no inspect esmtp"), which hides ESMTP from senders.'
      : 'Enable ESMTP on the mail server (every MTA of the last 25 years speaks it), with STARTTLS.',
    ref: 'RFC 5321 §3.2, §4.1.1.1',
  });
}

function starttlsMissing(j: Judged): Finding {
  const r = j.result;
  const masked = firewallInspection(r);
  return finding({
    id: 'smtp.starttls-missing',
    status: 'warn',
    subject: j.label,
    summary: `${j.label} does not offer STARTTLS, so mail to it travels in clear, and senders that require TLS (MTA-STS, DANE, TLS-only connectors) cannot deliver${masked ? `; ${masked}` : ''}.`,
    evidence: { ...j.base, extensions: extensionList(r), ehlo: r.ehlo ? formatReply(r.ehlo) : null, transcript: exchangeLines(r, 'EHLO '), ...(masked ? { maskedBy: masked } : {}) },
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
function firewallInspection(r: SmtpProbeResult): string | undefined {
  const ehloLines = [...(r.ehlo?.lines ?? [])];
  if (ehloLines.some((line) => /^X{4,}A?\b/.test(line.trim()))) return 'the EHLO reply shows "XXXXXXXA" where STARTTLS would be: a firewall\'s SMTP inspection (Cisco ASA "inspect esmtp") hides it';
  if ((r.banner?.lines ?? []).some((line) => /\*{8,}/.test(line))) return 'the greeting is masked with asterisks: a firewall\'s SMTP inspection (Cisco ASA "inspect esmtp") is rewriting the session';
  return undefined;
}

function starttlsRefused(j: Judged, reply: SmtpReply): Finding {
  return finding({
    id: 'smtp.starttls-failed',
    status: 'fail',
    subject: j.label,
    summary: `${j.label} offers STARTTLS but refused the command ("${replyText(reply)}"), so no sender gets TLS; opportunistic senders go on in clear, senders that require TLS cannot deliver.`,
    evidence: { ...j.base, step: 'starttls', reply: formatReply(reply), replyMs: Math.round(reply.ms), transcript: stepLines(j.result, 'starttls') },
    remedy: `Fix the TLS setup of ${j.result.request.mxHost} (a 454 usually means the certificate or key cannot be loaded: check the mail log), or stop advertising STARTTLS.`,
    ref: 'RFC 3207 §4',
  });
}

function handshakeFailed(j: Judged, tls: TlsOutcome | undefined): Finding {
  const error = tls?.error ?? j.result.abort?.detail ?? 'the handshake did not complete';
  const versionHint = /version|protocol/i.test(error) ? ' (the server may offer only TLS versions below 1.2, which current senders refuse)' : '';
  return finding({
    id: 'smtp.starttls-failed',
    status: 'fail',
    subject: j.label,
    summary: `${j.label} accepted STARTTLS but the TLS handshake failed: ${error}${versionHint}; senders that require TLS cannot deliver, and opportunistic ones retry in clear or defer.`,
    evidence: { ...j.base, step: 'tls', error, tlsMs: tls ? Math.round(tls.ms) : null, transcript: stepLines(j.result, 'starttls') },
    remedy: `Test the handshake (openssl s_client -starttls smtp -connect ${j.result.request.mxHost}:${j.result.request.port}) and fix the server's TLS settings: TLS 1.2 or 1.3, current ciphers, a certificate and key that belong together.`,
    ref: 'RFC 3207 §4.1; RFC 8996',
  });
}

function mailRejected(j: Judged, reply: SmtpReply): Finding {
  const from = j.result.request.mailFrom;
  const temporary = reply.code < 500;
  return finding({
    id: 'smtp.mail-rejected',
    status: temporary ? 'warn' : 'fail',
    subject: j.label,
    summary:
      from === ''
        ? `${j.label} ${temporary ? 'deferred' : 'rejected'} the null sender MAIL FROM:<> ("${replyText(reply)}"), which bounces and delivery reports use and which servers must accept.`
        : `${j.label} ${temporary ? 'deferred' : 'rejected'} MAIL FROM:<${from}> ("${replyText(reply)}").`,
    evidence: { ...j.base, mailFrom: from, reply: formatReply(reply), replyMs: Math.round(reply.ms), transcript: stepLines(j.result, 'mail') },
    remedy: from === '' ? 'Accept the null reverse-path <> (RFC 5321 §4.5.5); rejecting it loses every bounce and delivery notification sent to the domain.' : 'See the reply text for the reason.',
    ref: 'RFC 5321 §4.5.5, §6.1',
  });
}

function rcptRejected(j: Judged, reply: SmtpReply): Finding {
  const recipient = j.result.request.recipient;
  const postmaster = /^postmaster@/i.test(recipient);
  const relay = /\brelay(?:ing)? (?:access )?(?:denied|not permitted)|\bnot permitted to relay|\bunable to relay\b/i.test(replyText(reply));
  return finding({
    id: 'smtp.rcpt-rejected',
    status: 'fail',
    subject: j.label,
    summary:
      `${j.label} rejected RCPT TO:<${recipient}> with "${replyText(reply)}"` +
      (relay ? ': it does not consider itself a mail server for this domain (relay denied), though the MX record points at it' : '') +
      (postmaster ? '; RFC 5321 §4.5.1 requires every mail domain to accept mail for postmaster.' : '.'),
    evidence: { ...j.base, recipient, postmaster, reply: formatReply(reply), replyMs: Math.round(reply.ms), transcript: stepLines(j.result, 'rcpt') },
    remedy: relay
      ? `Add the domain of ${recipient} to the domains ${j.result.request.mxHost} accepts (Postfix relay_domains or virtual_mailbox_domains; Exchange accepted domains), or fix the MX record.`
      : postmaster
        ? `Create postmaster@ for the domain (an alias to the people who run mail), and exempt it from recipient filtering.`
        : `Check that ${recipient} exists and that no filter rejects it; the reply text gives the server's reason.`,
    ref: postmaster ? 'RFC 5321 §4.5.1' : 'RFC 5321 §4.2.2, §4.2.3',
  });
}

function rcptTemporary(j: Judged, reply: SmtpReply): Finding {
  const text = replyText(reply);
  const greylisting = /gr[ae]y|try again later|please retry|retry later|deferred/i.test(text) && (reply.code === 450 || reply.code === 451);
  return finding({
    id: 'smtp.rcpt-temporary',
    status: 'warn',
    subject: j.label,
    summary: `${j.label} deferred RCPT TO:<${j.result.request.recipient}> with "${text}"${greylisting ? ', most likely greylisting: senders that retry get through after a delay' : ': a temporary failure that senders retry'}.`,
    evidence: {
      ...j.base,
      recipient: j.result.request.recipient,
      greylisting,
      reply: formatReply(reply),
      replyMs: Math.round(reply.ms),
      transcript: stepLines(j.result, 'rcpt'),
      followUp: j.session.followUp
        ? { id: j.session.followUp.id, dueAt: j.session.followUp.dueAt, read: `mxops follow-up ${j.session.followUp.id} --wait` }
        : 'none scheduled: run with --queue (and workers) to re-probe after the greylisting delay',
    },
    remedy: greylisting ? 'Nothing, if the delay is acceptable; whitelist the partner\'s sending servers to spare their mail the wait.' : 'If it persists, check the server\'s log for the reason of the temporary failure.',
    ref: 'RFC 5321 §4.2.1, §4.5.4.1; RFC 6647',
  });
}

function commandTimeout(j: Judged): Finding {
  const abort = j.result.abort;
  const step = abort?.step ?? 'quit';
  return finding({
    id: 'smtp.command-timeout',
    status: 'error',
    subject: j.label,
    summary: `${j.label} did not answer ${STEP_NAMES[step]} in time (${abort?.detail ?? 'time-out'}): slow is not broken, so this could not be checked.`,
    evidence: { ...j.base, step, reason: abort?.reason ?? 'timeout', detail: abort?.detail ?? null, waitedMs: waitedSinceLastCommand(j.result), transcript: lastLines(j.result) },
    remedy: 'Re-run; if it is only slow, raise MXOPS_SMTP_COMMAND_TIMEOUT_MS (or MXOPS_SMTP_TOTAL_TIMEOUT_MS).',
    ref: 'RFC 5321 §4.5.3.2',
  });
}

function connectionLost(j: Judged, step: SmtpStep, detail: string): Finding {
  return finding({
    id: 'smtp.connection-lost',
    status: 'error',
    subject: j.label,
    summary: `The connection to ${j.label} ended at ${STEP_NAMES[step]} (${detail}); we could not tell why.`,
    evidence: { ...j.base, step, detail, transcript: lastLines(j.result) },
    remedy: 'Re-run; if it persists, the server\'s log says why it dropped the session.',
    ref: 'RFC 5321 §3.8',
  });
}

function protocolError(j: Judged, step: SmtpStep, detail: string): Finding {
  return finding({
    id: 'smtp.protocol-error',
    status: 'fail',
    subject: j.label,
    summary: `${j.label} broke the SMTP protocol at ${STEP_NAMES[step]}: ${detail}.`,
    evidence: { ...j.base, step, detail, transcript: lastLines(j.result) },
    remedy: 'Look for a proxy, firewall inspection or broken server build between senders and the mail server; the transcript shows what it sent.',
    ref: step === 'ehlo-after-tls' ? 'RFC 3207 §4.2' : 'RFC 5321 §4.2, §4.5.3.1',
  });
}

/** Where the session ended when a step we expected has no reply. */
function ended(j: Judged, step: SmtpStep): Finding {
  const abort = j.result.abort;
  if (!abort) return incomplete(j, step);
  switch (abort.reason) {
    case 'timeout':
    case 'total-timeout':
      return commandTimeout(j);
    case 'closed':
      if (abort.step === 'tls') return handshakeFailed(j, j.result.tls);
      if (abort.step === 'ehlo' || abort.step === 'helo') return blockedUs(j, abort.step, 'closed', undefined);
      return connectionLost(j, abort.step, abort.detail);
    case 'error':
      return abort.step === 'tls' ? handshakeFailed(j, j.result.tls) : connectionLost(j, abort.step, abort.detail);
    default:
      return protocolError(j, abort.step, abort.detail);
  }
}

function incomplete(j: Judged, step: SmtpStep): Finding {
  const abort = j.result.abort;
  return finding({
    id: 'smtp.probe-incomplete',
    status: 'error',
    subject: j.label,
    summary: `The probe of ${j.label} stopped before ${STEP_NAMES[step]}${abort ? ` (${abort.detail})` : ' without saying why'}, so this could not be checked.`,
    evidence: { ...j.base, step, abort: abort ? { step: abort.step, reason: abort.reason, detail: abort.detail } : null, transcript: lastLines(j.result) },
    remedy: 'Re-run; if it persists, report it as an mxops bug with this evidence.',
  });
}

function sizeLimit(j: Judged): Finding[] {
  const declared = j.result.extensions.SIZE;
  if (declared === undefined) return [];
  const bytes = declared.trim() === '' ? 0 : Number(declared.trim());
  if (!Number.isSafeInteger(bytes) || bytes < 0) return [];
  const megabytes = Math.round(bytes / 100_000) / 10;
  const small = bytes > 0 && bytes < SMALL_SIZE_LIMIT_BYTES;
  return [
    finding({
      id: 'smtp.size-limit',
      status: small ? 'warn' : 'info',
      subject: j.label,
      summary:
        bytes === 0
          ? `${j.label} declares SIZE without a fixed limit.`
          : small
            ? `${j.label} takes messages up to ${megabytes} MB (SIZE ${bytes}); with base64 encoding, attachments over about ${Math.round(megabytes * 7.5) / 10} MB bounce.`
            : `${j.label} takes messages up to ${megabytes} MB (SIZE ${bytes}).`,
      evidence: { ...j.base, limitBytes: bytes, limitMB: megabytes },
      remedy: small ? 'Raise the limit to 25 MB or more, what the big providers accept (Postfix and Exim message_size_limit, Exchange MaxReceiveSize).' : '',
      ref: 'RFC 1870 §4',
    }),
  ];
}

function extensionList(r: SmtpProbeResult): string[] {
  return Object.entries(r.extensions).map(([keyword, parameters]) => (parameters ? `${keyword} ${parameters}` : keyword));
}

function softwareFinding(j: Judged): Finding | undefined {
  const r = j.result;
  const lines = (source: SessionLine['source'], ...replies: (SmtpReply | undefined)[]): SessionLine[] => replies.flatMap((reply) => (reply ? reply.lines.map((text) => ({ source, text })) : []));
  const recognised = recogniseMta([...lines('banner', r.banner), ...lines('ehlo', r.ehlo, r.helo, r.ehloAfterTls), ...lines('reply', r.starttls, r.mail, r.rcpt)]);
  if (!recognised) return undefined;
  const role = recognised.kind === 'filtering-service' ? ", a filtering service in front of the partner's own mail server" : recognised.kind === 'mailbox-provider' ? ', a hosted mailbox provider' : '';
  return finding({
    id: 'smtp.software',
    status: 'info',
    subject: j.label,
    summary: `${j.label} runs ${recognised.software}${role} (${recognised.confidence} confidence, from "${recognised.line}").`,
    evidence: { ...j.base, software: recognised.software, kind: recognised.kind, confidence: recognised.confidence, line: recognised.line, alsoSeen: recognised.alsoSeen },
  });
}

function okFinding(j: Judged): Finding {
  const r = j.result;
  const bannerMs = r.banner ? Math.round(r.banner.ms) : null;
  const protocol = r.tls?.ok ? (r.tls.protocol ?? 'TLS') : undefined;
  return finding({
    id: 'smtp.ok',
    status: 'pass',
    subject: j.label,
    summary: `${j.label} greeted in ${bannerMs} ms, ${protocol ? `negotiated ${protocol}` : 'spoke without TLS'} and accepted RCPT TO:<${r.request.recipient}>.`,
    evidence: {
      ...j.base,
      connectMs: r.connect?.ok ? Math.round(r.connect.ms) : null,
      bannerMs,
      tlsProtocol: protocol ?? null,
      cipher: r.tls?.cipher ?? null,
      extensions: extensionList(r),
      rcpt: r.rcpt ? formatReply(r.rcpt) : null,
      totalMs: Math.round(r.totalMs),
    },
  });
}
