import PostalMime from 'postal-mime';
import { readBounceInput } from './bounce-input.js';
import type { BounceFamily } from './bounce-family.js';
import { eximLogOutcome, firstAddress, isExchangeStandIn, readFamily, recogniseFamily } from './bounce-family.js';
import type { BounceStep } from './bounce-step.js';
import { stepFromDsn, stepFromText } from './bounce-step.js';
import type { DeliveryStatus, RecipientStatus } from './delivery-status.js';
import { readDeliveryStatus } from './delivery-status.js';
import type { HeaderField } from './header-block.js';
import { headerValue, headerValues, readHeaderBlock, startsWithHeaders } from './header-block.js';
import type { BounceHop } from './received-hops.js';
import { readReceivedHops } from './received-hops.js';

export type { BounceFamily, BounceStep, BounceHop };

/** What a bounce, a raw message's headers or an MTA log line says (the JSON of `mxops bounce`). */
export interface BounceParse {
  readonly family: BounceFamily;
  /** RFC 3463 enhanced status code, like '4.4.3'. */
  readonly dsn: string | null;
  /** The remote server's reply, code first; null when the sender's own MTA gave up (a DNS failure, say). */
  readonly remoteReply: string | null;
  readonly step: BounceStep;
  readonly sender: string | null;
  readonly recipient: string | null;
  readonly recipientDomain: string | null;
  /** True only for a final non-delivery; false for delay warnings, success notices, auto-replies and plain headers. */
  readonly isBounce: boolean;
  /** The Received chain of the returned message (or of the input when none is returned), oldest first. */
  readonly hops: readonly BounceHop[];
  /** What the report says went wrong, in its words (the diagnostic and the MTA's own reason), for matching hypotheses. */
  readonly reason: string | null;
}

interface Parts {
  readonly fields: readonly HeaderField[];
  readonly body: string;
  readonly deliveryStatus: string | null;
  readonly originalHeaders: string | null;
}

/** Where the copy of the returned message starts in the plain-text reports. */
const ORIGINAL_MARKERS: readonly RegExp[] = [
  /^--- Below this line is a copy of the message\.[ \t]*$/m,
  /^-+ This is a copy of the message, including all the headers\. -+[ \t]*$/m,
  /^-+ (?:Original message follows|Original message|Original Message) -+[ \t]*$/m,
  /^Original message headers:[ \t]*$/im,
];

function splitOriginal(body: string): { report: string; original: string | null } {
  let cut = -1;
  let after = -1;
  for (const marker of ORIGINAL_MARKERS) {
    const match = marker.exec(body);
    if (match && (cut < 0 || match.index < cut)) {
      cut = match.index;
      after = match.index + match[0].length;
    }
  }
  if (cut < 0) return { report: body, original: null };
  return { report: body.slice(0, cut), original: body.slice(after).replace(/^\s*\n/, '') };
}

function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/(?:p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]{0,2000}>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function attachmentText(content: ArrayBuffer | Uint8Array | string): string {
  return typeof content === 'string' ? content : new TextDecoder('utf-8', { fatal: false }).decode(content);
}

async function readParts(text: string): Promise<Parts> {
  if (!startsWithHeaders(text)) return { fields: [], body: text, deliveryStatus: null, originalHeaders: null };
  const { fields, rest } = readHeaderBlock(text);
  try {
    const email = await PostalMime.parse(text, { forceRfc822Attachments: true, attachmentEncoding: 'utf8' });
    let deliveryStatus: string | null = null;
    let originalHeaders: string | null = null;
    for (const attachment of email.attachments) {
      const type = attachment.mimeType.toLowerCase();
      if (deliveryStatus === null && /^message\/(?:global-)?delivery-status$/.test(type))
        deliveryStatus = attachmentText(attachment.content);
      else if (
        originalHeaders === null &&
        /^(?:message\/(?:global|rfc822)|text\/rfc822-headers|message\/global-headers)$/.test(type)
      )
        originalHeaders = attachmentText(attachment.content);
    }
    const body = email.text ?? (email.html === undefined ? '' : htmlToText(email.html));
    // A multipart whose boundary never comes is all preamble, which MIME parsers drop.
    if (body.trim() === '' && email.attachments.length === 0)
      return { fields, body: rest, deliveryStatus: null, originalHeaders: null };
    return { fields, body, deliveryStatus, originalHeaders };
  } catch {
    // Broken MIME (a cut boundary, headers over postal-mime's limits): read what is there as text.
    return { fields, body: rest, deliveryStatus: null, originalHeaders: null };
  }
}

const AUTO_REPLY_SUBJECT =
  /^(?:Out of (?:the )?Office|Automatic reply|Auto(?:matic)?[- ]?(?:Reply|Response)|Auto:|Abwesenheitsnotiz|R[ée]ponse automatique)/i;
const DELAY =
  /Delivery (?:delayed|incomplete|is delayed to these recipients)|Delayed Mail|THIS IS A WARNING ONLY|has not yet been delivered|Delivery Status Notification \(Delay\)|still being retried|Warning: could not send message for past|Delay reason|will (?:continue to )?(?:retry|try)|delivery temporarily suspended/i;
const SUCCESS =
  /Delivery Status Notification \(Success\)|Successful Mail Delivery Report|was successfully delivered|delivered to (?:the )?mailbox|Your message has been delivered|delivery report: delivered/i;
const FAILURE_SUBJECT =
  /Undeliver|Returned mail|Mail delivery failed|failure notice|Delivery Status Notification \(Failure\)|Non[- ]?delivery|Delivery Failure|Mail System Error/i;

function isAutoReply(fields: readonly HeaderField[]): boolean {
  const autoSubmitted = headerValue(fields, 'auto-submitted')?.toLowerCase() ?? '';
  if (autoSubmitted.startsWith('auto-replied')) return true;
  if (fields.some((field) => field.name === 'x-autoreply' || field.name === 'x-autorespond')) return true;
  return AUTO_REPLY_SUBJECT.test(headerValue(fields, 'subject') ?? '');
}

function firstFailed(status: DeliveryStatus | null): RecipientStatus | undefined {
  return status?.recipients.find((recipient) => recipient.action === 'failed') ?? status?.recipients[0];
}

/** RFC 3463 code from reply text: after a reply code ('550 5.1.1'), qmail's '(#4.4.3)', or alone. */
function dsnFromText(text: string | null): string | null {
  if (!text) return null;
  return (
    /\b[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ??
    /\(#([245]\.\d{1,3}\.\d{1,3})\)/.exec(text)?.[1] ??
    /(?:^|[\s([;:'"=])([245]\.\d{1,3}\.\d{1,3})(?![.\d])/.exec(text)?.[1] ??
    null
  );
}

function bounceVerdict(
  family: BounceFamily,
  report: string,
  fields: readonly HeaderField[],
  status: DeliveryStatus | null,
): boolean {
  // A report cut before its Action fields says nothing here; the text decides then.
  if (status && status.recipients.some((recipient) => recipient.action !== null))
    return status.recipients.some((recipient) => recipient.action === 'failed');
  // Exim, Postfix and Gmail mark their bounces auto-replied too (RFC 3834 §5); only an unrecognised report is an auto-reply.
  if (family === 'unknown' && isAutoReply(fields)) return false;
  const subject = headerValue(fields, 'subject') ?? '';
  const text = `${subject}\n${report}`;
  // qmail-send and Postfix log lines say it themselves.
  if (/\b(?:deferral|success): /.test(report) && !/\bfailure: /.test(report)) return false;
  if (/\bfailure: \S/.test(report) || /status=bounced\b/.test(report)) return true;
  if (/status=(?:deferred|sent)\b/.test(report)) return false;
  // Sendmail's and Exim's log lines: 'stat=Deferred' and '==' are deferrals, '**' a bounce.
  if (/\bstat=(?:Deferred|Sent)\b/.test(report)) return false;
  const exim = eximLogOutcome(report);
  if (exim) return exim === 'failed';
  if (DELAY.test(text) || SUCCESS.test(text)) return false;
  return family !== 'unknown' || FAILURE_SUBJECT.test(subject);
}

function addressOf(value: string | undefined): string | null {
  return firstAddress(value);
}

/** The sender of the returned message, from the log, the returned headers, or who the report went to. */
function findSender(
  report: string,
  fields: readonly HeaderField[],
  original: readonly HeaderField[],
  isReport: boolean,
  deliveryStatus: string | null,
): string | null {
  // Postfix and Sendmail log 'from=<a@b>', Exim its arrival line '<= a@b'.
  const logged =
    /\bfrom[= ]<([^>\s]{1,320})>/.exec(report)?.[1] ??
    /^\S+ \S+ (?:\S+ )?[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} <= ([^\s<>]{1,320}@[^\s<>]{1,255}) /m.exec(
      report,
    )?.[1];
  if (logged) return logged;
  // Postfix names the envelope sender in its report's per-message fields, returned headers or not.
  const envelope = /^X-Postfix-Sender:[ \t]*rfc822;[ \t]*<?([^>\s]{1,320}@[^>\s]{1,255})>?/im.exec(
    deliveryStatus ?? '',
  )?.[1];
  if (envelope) return envelope;
  const returned = addressOf(headerValue(original, 'return-path')) ?? addressOf(headerValue(original, 'from'));
  if (returned) return returned;
  return isReport
    ? addressOf(headerValue(fields, 'to'))
    : (addressOf(headerValue(fields, 'return-path')) ?? addressOf(headerValue(fields, 'from')));
}

function domainOf(address: string | null): string | null {
  if (address === null) return null;
  const at = address.lastIndexOf('@');
  const domain =
    at < 0
      ? ''
      : address
          .slice(at + 1)
          .replace(/[>.]+$/, '')
          .toLowerCase();
  return domain === '' ? null : domain;
}

async function parseText(text: string): Promise<BounceParse> {
  const parts = await readParts(text);
  const { report, original: inlineOriginal } = splitOriginal(parts.body);
  // A delivery-status part pasted on its own (its Action and Status lines, no MIME around them) reads as one.
  const pastedStatus =
    parts.deliveryStatus === null && /^Action:[ \t]*\S/im.test(text) && /^Status:[ \t]*[245]\.\d/im.test(text)
      ? text
      : null;
  const deliveryStatus = parts.deliveryStatus ?? pastedStatus;
  const status = deliveryStatus === null ? null : readDeliveryStatus(deliveryStatus);
  const originalText = parts.originalHeaders ?? inlineOriginal;
  const original = originalText === null ? [] : readHeaderBlock(originalText.replace(/^\s+/, '')).fields;
  const analysed = parts.fields.length === 0 ? report : `${report}\n${parts.deliveryStatus ?? ''}`;
  const family = recogniseFamily(analysed, parts.fields, status?.reportingMta ?? null);
  const reading = readFamily(family, report, parts.fields);
  const failed = firstFailed(status);
  const autoReply = family === 'unknown' && status === null && parts.fields.length > 0 && isAutoReply(parts.fields);
  const isReport =
    family !== 'unknown' ||
    status !== null ||
    autoReply ||
    FAILURE_SUBJECT.test(headerValue(parts.fields, 'subject') ?? '');

  // An Exchange delay notice's report gives its own '400 4.4.7 Message delayed': the remote's reply and code are in the text.
  const standIn = family === 'exchange' && isExchangeStandIn(failed?.diagnostic);
  const smtpDiagnostic = failed?.diagnosticType === 'smtp' && !standIn ? failed.diagnostic : null;
  // Gmail labels its own DNS errors 'smtp;' too: a server's reply starts with its code (RFC 5321 §4.2).
  const remoteReply =
    [smtpDiagnostic?.replace(/\s+/g, ' ').trim(), reading.remoteReply].find(
      (reply) => reply !== undefined && reply !== null && /^[2-5]\d\d(?:[ -]|$)/.test(reply),
    ) ?? null;
  const logged = /\bdsn=([245]\.\d{1,3}\.\d{1,3})\b/.exec(report)?.[1];
  const dsn =
    (standIn ? null : failed?.status) ??
    dsnFromText(remoteReply) ??
    logged ??
    dsnFromText(reading.reason) ??
    dsnFromText(failed?.diagnostic ?? null);
  const reasonText = [failed?.diagnostic ?? '', reading.reason ?? ''].join('\n');
  let step = stepFromText(reasonText);
  if (step === 'unknown' && isReport && !autoReply) step = stepFromText(report);
  if (step === 'unknown') step = stepFromDsn(dsn, remoteReply !== null);

  let recipient = failed?.recipient ?? reading.recipient;
  if (recipient === null && parts.fields.length > 0) {
    recipient = autoReply
      ? addressOf(headerValue(parts.fields, 'from'))
      : !isReport
        ? (addressOf(headerValue(parts.fields, 'delivered-to')) ?? addressOf(headerValue(parts.fields, 'to')))
        : addressOf(headerValue(original, 'to'));
  }
  const received = headerValues(original, 'received');
  const hops = readReceivedHops(received.length > 0 ? received : headerValues(parts.fields, 'received'));
  return {
    family,
    dsn,
    remoteReply,
    step,
    sender: findSender(report, parts.fields, original, isReport, parts.deliveryStatus),
    recipient,
    recipientDomain: domainOf(recipient),
    isBounce: bounceVerdict(family, report, parts.fields, status),
    hops,
    reason: reasonText.replace(/\s+/g, ' ').trim() || null,
  };
}

/**
 * Reads a non-delivery report (RFC 3464 multipart/report or the plain-text ones), a raw message's
 * headers, or an MTA log line. Input over BOUNCE_INPUT_MAX_BYTES is cut there; binary input is
 * refused with AppError BAD_INPUT. Anything else, however malformed, gives a parse.
 */
export async function parseBounce(input: string | Uint8Array): Promise<BounceParse> {
  return parseText(readBounceInput(input).text);
}
