/**
 * `smtp.refuses-everyone`: the server greets every client with 421 or 554 instead of 220, and the
 * reply names no client (smtp-refusal.ts greetingNamesUs), so it is not about us: no sender gets a
 * session there. Replies that name us stay `smtp.blocked-us`.
 */
import { finding, type Finding } from './finding.js';
import { formatReply, greetingLines, replyText } from './smtp-evidence.js';
import type { Judged } from './smtp-judged-session.js';
import type { SmtpReply } from './smtp-port.js';

export function refusesEveryone(j: Judged, banner: SmtpReply): Finding {
  const { address, mxHost, port } = j.result.request;
  const text = replyText(banner);
  // RFC 5321 §4.2.1: 4yz is transient, so senders keep the message queued and retry (§4.5.4.1)
  // until their queue lifetime ends. A 554 greeting (§3.1: "no SMTP service here") is bounced at
  // once by Exim and qmail; Postfix defers it (smtp_skip_5xx_greeting) and tries the next MX.
  const fate =
    banner.code === 421
      ? 'so every sender defers mail for this address (and tries the next MX), and bounces it when its queue lifetime runs out if no MX takes it'
      : 'so every sender gives up on this address: most bounce the mail at once, Postfix defers it and tries the next MX';
  return finding({
    id: 'smtp.refuses-everyone',
    status: 'fail',
    subject: j.label,
    summary: `${j.label} refuses every client at connect: it greeted with "${text}" in place of 220 and named no client, ${fate}.`,
    evidence: {
      ...j.base,
      code: banner.code,
      text,
      reply: formatReply(banner),
      bannerMs: Math.round(banner.ms),
      transcript: greetingLines(j.result),
    },
    remedy:
      `Ask the admin of ${mxHost} (${address}) why its mail server turns every client away on port ${port}: an overloaded server (check its connection and process limits, e.g. Postfix default_process_limit, Exim smtp_accept_max), ` +
      'one left in maintenance mode, or a misconfigured or half-started service (is the SMTP service and its content filter started, is the disk full?). ' +
      `If ${mxHost} should take no mail, remove it from the MX records.`,
    ref: 'RFC 5321 §3.1, §3.8, §4.5.4.1',
  });
}
