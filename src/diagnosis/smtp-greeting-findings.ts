/**
 * The greeting and the EHLO or HELO that answers it: a missing, wrong or slow banner, and a server
 * that speaks only HELO.
 */
import { finding, type Finding } from './finding.js';
import { blockedUs } from './smtp-blocked-us-finding.js';
import { connectionLost, incomplete } from './smtp-early-end-findings.js';
import { exchangeLines, formatReply, greetingLines, lastLines, replyText } from './smtp-evidence.js';
import type { Judged } from './smtp-judged-session.js';
import type { SmtpReply } from './smtp-port.js';
import { greetingNamesUs, refusalOf } from './smtp-refusal.js';
import { refusesEveryone } from './smtp-refuses-everyone-finding.js';
import { firewallInspection } from './smtp-starttls-findings.js';

/**
 * A greeting slower than this is reported. RFC 5321 §4.5.3.2 has senders wait 5 minutes for it,
 * so a slow greeting is not a broken one; but greet pauses and tarpits cost every connection that
 * long, and senders with short time-outs (and impatient tools) give up.
 */
export const SLOW_BANNER_MS = 10_000;

export function missingBanner(j: Judged): Finding {
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
      remedy:
        'Re-run with a longer banner time-out (MXOPS_SMTP_BANNER_TIMEOUT_MS); if the greeting is delayed on purpose, keep the delay well under a minute.',
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

/** The greetings that refuse the session outright (RFC 5321 §3.1, §4.3.2): 421 closing, 554 no service. */
const REFUSING_GREETINGS: ReadonlySet<number> = new Set([421, 554]);

export function unexpectedBanner(j: Judged, banner: SmtpReply): Finding {
  const namesUs = greetingNamesUs(banner, j.result.request);
  // At the greeting the server knows nothing of us but our address: a refusal that names no client
  // is the one every client gets, so it is the partner's problem, not ours.
  if (REFUSING_GREETINGS.has(banner.code) && !namesUs) return refusesEveryone(j, banner);
  const refusal = refusalOf(banner) ?? (namesUs ? 'client-refused' : undefined);
  if (refusal) return blockedUs(j, 'banner', refusal, banner);
  if (banner.code >= 400 && banner.code < 500) return blockedUs(j, 'banner', 'temporary', banner);
  return finding({
    id: 'smtp.banner-not-220',
    status: 'fail',
    subject: j.label,
    summary: `${j.label} greeted with "${replyText(banner)}" instead of 220, so senders cannot go on.`,
    evidence: {
      ...j.base,
      reply: formatReply(banner),
      bannerMs: Math.round(banner.ms),
      transcript: greetingLines(j.result),
    },
    remedy: `Have the server at ${j.result.request.address} greet with 220, as RFC 5321 requires, or remove it from the MX records.`,
    ref: 'RFC 5321 §4.2, §4.3.1',
  });
}

export function slowBanner(j: Judged, banner: SmtpReply): Finding {
  const seconds = (banner.ms / 1000).toFixed(1);
  return finding({
    id: 'smtp.banner-slow',
    status: 'warn',
    subject: j.label,
    summary: `${j.label} is slow, not down: its greeting took ${seconds} s; senders wait up to 5 minutes, but a greet pause or tarpit costs every sender that long per connection and impatient senders give up.`,
    evidence: {
      ...j.base,
      bannerMs: Math.round(banner.ms),
      thresholdMs: SLOW_BANNER_MS,
      connectMs: j.result.connect?.ok ? Math.round(j.result.connect.ms) : null,
      transcript: greetingLines(j.result),
    },
    remedy:
      'If the delay is deliberate (Postfix postscreen_greet_wait, a tarpit), keep it to a few seconds; otherwise look for slow reverse-DNS or RBL lookups done before the greeting.',
    ref: 'RFC 5321 §4.5.3.2',
  });
}

export function heloOnly(j: Judged, ehlo: SmtpReply, helo: SmtpReply): Finding {
  const masked = firewallInspection(j.result);
  return finding({
    id: 'smtp.helo-only',
    status: 'warn',
    subject: j.label,
    summary: `${j.label} refused EHLO ("${replyText(ehlo)}") and took only HELO: without ESMTP there is no STARTTLS (mail travels in clear), no SIZE and no 8BITMIME${masked ? `; ${masked}` : ''}.`,
    evidence: {
      ...j.base,
      ehlo: formatReply(ehlo),
      helo: formatReply(helo),
      transcript: [...exchangeLines(j.result, 'EHLO '), ...exchangeLines(j.result, 'HELO ')],
      ...(masked ? { maskedBy: masked } : {}),
    },
    remedy: masked
      ? 'Turn off the firewall\'s SMTP inspection for port 25 (Cisco ASA: "no inspect esmtp"), which hides ESMTP from senders.'
      : 'Enable ESMTP on the mail server (every MTA of the last 25 years speaks it), with STARTTLS.',
    ref: 'RFC 5321 §3.2, §4.1.1.1',
  });
}
