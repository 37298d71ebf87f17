/**
 * The envelope: the SIZE limit EHLO declares (RFC 1870), MAIL FROM and RCPT TO.
 */
import { finding, type Finding } from './finding.js';
import { formatReply, replyText } from './smtp-evidence.js';
import { stepLines, type Judged } from './smtp-judged-session.js';
import type { SmtpReply } from './smtp-port.js';

/**
 * A SIZE limit below this stops ordinary attachments (base64 makes them a third larger). Postfix's
 * default of 10 240 000 bytes sits just above it, on purpose: a default is not worth a warning.
 */
export const SMALL_SIZE_LIMIT_BYTES = 10_000_000;

export function sizeLimit(j: Judged): Finding[] {
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
      remedy: small
        ? 'Raise the limit to 25 MB or more, what the big providers accept (Postfix and Exim message_size_limit, Exchange MaxReceiveSize).'
        : '',
      ref: 'RFC 1870 §4',
    }),
  ];
}

export function mailRejected(j: Judged, reply: SmtpReply): Finding {
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
    evidence: {
      ...j.base,
      mailFrom: from,
      reply: formatReply(reply),
      replyMs: Math.round(reply.ms),
      transcript: stepLines(j.result, 'mail'),
    },
    remedy:
      from === ''
        ? 'Accept the null reverse-path <> (RFC 5321 §4.5.5); rejecting it loses every bounce and delivery notification sent to the domain.'
        : 'See the reply text for the reason.',
    ref: 'RFC 5321 §4.5.5, §6.1',
  });
}

export function rcptRejected(j: Judged, reply: SmtpReply): Finding {
  const recipient = j.result.request.recipient;
  const postmaster = /^postmaster@/i.test(recipient);
  const relay =
    /\brelay(?:ing)? (?:access )?(?:denied|not permitted)|\bnot permitted to relay|\bunable to relay\b/i.test(
      replyText(reply),
    );
  return finding({
    id: 'smtp.rcpt-rejected',
    status: 'fail',
    subject: j.label,
    summary:
      `${j.label} rejected RCPT TO:<${recipient}> with "${replyText(reply)}"` +
      (relay
        ? ': it does not consider itself a mail server for this domain (relay denied), though the MX record points at it'
        : '') +
      (postmaster ? '; RFC 5321 §4.5.1 requires every mail domain to accept mail for postmaster.' : '.'),
    evidence: {
      ...j.base,
      recipient,
      postmaster,
      reply: formatReply(reply),
      replyMs: Math.round(reply.ms),
      transcript: stepLines(j.result, 'rcpt'),
    },
    remedy: relay
      ? `Add the domain of ${recipient} to the domains ${j.result.request.mxHost} accepts (Postfix relay_domains or virtual_mailbox_domains; Exchange accepted domains), or fix the MX record.`
      : postmaster
        ? `Create postmaster@ for the domain (an alias to the people who run mail), and exempt it from recipient filtering.`
        : `Check that ${recipient} exists and that no filter rejects it; the reply text gives the server's reason.`,
    ref: postmaster ? 'RFC 5321 §4.5.1' : 'RFC 5321 §4.2.2, §4.2.3',
  });
}

export function rcptTemporary(j: Judged, reply: SmtpReply): Finding {
  const text = replyText(reply);
  const greylisting =
    /gr[ae]y|try again later|please retry|retry later|deferred/i.test(text) &&
    (reply.code === 450 || reply.code === 451);
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
        ? {
            id: j.session.followUp.id,
            dueAt: j.session.followUp.dueAt,
            read: `mxops follow-up ${j.session.followUp.id} --wait`,
          }
        : 'none scheduled: run with --queue (and workers) to re-probe after the greylisting delay',
    },
    remedy: greylisting
      ? "Nothing, if the delay is acceptable; whitelist the partner's sending servers to spare their mail the wait."
      : "If it persists, check the server's log for the reason of the temporary failure.",
    ref: 'RFC 5321 §4.2.1, §4.5.4.1; RFC 6647',
  });
}
