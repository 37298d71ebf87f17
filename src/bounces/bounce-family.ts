import type { HeaderField } from './header-block.js';
import { headerValue } from './header-block.js';

export type BounceFamily = 'qmail' | 'postfix' | 'exim' | 'exchange' | 'sendmail' | 'gmail' | 'unknown';

/** What a family's own text says about the first failed recipient. */
export interface FamilyReading {
  readonly recipient: string | null;
  readonly remoteReply: string | null;
  /** The explanation of the failure, where the step phrases are. */
  readonly reason: string | null;
}

const ADDRESS = /[^\s<>"'(),;:[\]@]{1,64}@[^\s<>"'(),;:[\]@]{1,253}\.[^\s<>"'(),;:[\]@]{1,63}/;

export function firstAddress(text: string | undefined | null): string | null {
  const match = text ? ADDRESS.exec(text.slice(0, 4096)) : null;
  return match ? match[0].replace(/\.+$/, '') : null;
}

function squash(text: string | null | undefined): string | null {
  const value = text?.replace(/\s+/g, ' ').trim();
  return value ? value : null;
}

/**
 * An Exim main log line: time, message id (6-6-2 characters, 6-11-4 since Exim 4.97), then '**'
 * (failed), '==' (deferred), '=>' or '->' (delivered) and the address.
 */
const EXIM_LOG_LINE =
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})? (?:\[\d+\] )?[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} (\*\*|==|=>|->) (\S+)([^\n]*)$/m;

/** Whether an Exim log line reports a failure ('**'), a deferral ('==') or neither: for isBounce. */
export function eximLogOutcome(report: string): 'failed' | 'deferred' | undefined {
  const flag = EXIM_LOG_LINE.exec(report)?.[1];
  return flag === '**' ? 'failed' : flag === '==' ? 'deferred' : undefined;
}

/** From the report text and the top header fields; the first family whose marks are there. */
export function recogniseFamily(
  report: string,
  fields: readonly HeaderField[],
  reportingMta: string | null,
): BounceFamily {
  const subject = headerValue(fields, 'subject') ?? '';
  const from = headerValue(fields, 'from') ?? '';
  if (
    /Hi\. This is the qmail-send program|\bdelivery \d+: (?:deferral|failure|success):|^[ \t]*(?:@\S{1,40}[ \t]+)?(?:\d+\.\d+[ \t]+)?(?:deferral|failure): \S/m.test(
      report,
    )
  )
    return 'qmail';
  if (
    /Delivery has failed to these recipients or groups|Remote Server returned '|Diagnostic information for administrators|couldn't be delivered to|Your message to \S{1,320} couldn't be delivered/i.test(
      report,
    ) ||
    fields.some((field) => field.name.startsWith('x-ms-exchange-message-is-ndr'))
  )
    return 'exchange';
  if (
    /Delivery Status Notification \((?:Failure|Delay|Success)\)/i.test(subject) ||
    /The response from the remote server was:|^[ \t]*Address not found[ \t]*$/m.test(report) ||
    /@googlemail\.com\b/i.test(from) ||
    /(?:^|\.)(?:googlemail|google)\.com$/i.test(reportingMta ?? '')
  )
    return 'gmail';
  if (
    /This is the mail system at host|postfix\/\w+\[\d+\]|^X-Postfix/im.test(report) ||
    fields.some((field) => field.name === 'x-postfix-queue-id')
  )
    return 'postfix';
  if (/The following addresses had permanent fatal errors|Transcript of session follows|sendmail\[\d+\]/i.test(report))
    return 'sendmail';
  if (EXIM_LOG_LINE.test(report)) return 'exim';
  if (
    /This message was created automatically by mail delivery software|A message that you sent could not be delivered|retry timeout exceeded|Message has been frozen|has not yet been delivered/i.test(
      report,
    ) ||
    fields.some((field) => field.name === 'x-failed-recipients')
  )
    return 'exim';
  return 'unknown';
}

/** qmail-send bounces: '<addr>:' then the reason, one block per recipient. */
function readQmail(report: string): FamilyReading {
  const block = /^<([^>\s]{1,320})>:[ \t]*\n([\s\S]*?)(?:\n[ \t]*\n|(?![\s\S]))/m.exec(report);
  if (block) {
    const reason = block[2] ?? '';
    const said = /Remote host said:\s*([\s\S]*?)(?:\n(?:Giving up|I'm not going)|$)/.exec(reason);
    return { recipient: block[1] ?? null, remoteReply: squash(said?.[1]), reason };
  }
  // qmail-send log lines write spaces as '_' and line breaks as '/'.
  const line =
    /delivery (\d+): (?:deferral|failure|success): (\S*)/.exec(report) ??
    /(?:deferral|failure|success): (\S*)/.exec(report);
  if (!line) return { recipient: null, remoteReply: null, reason: null };
  const number = line.length > 2 ? line[1] : undefined;
  const reason = (line[line.length - 1] ?? '').replace(/_/g, ' ').replace(/\//g, '\n').trim();
  const said = /Remote host said: ([^\n]*)/.exec(reason);
  const start =
    number === undefined
      ? null
      : new RegExp(`starting delivery ${number}: msg \\d+ to (?:remote|local) (\\S+)`).exec(report);
  return { recipient: start?.[1] ?? null, remoteReply: squash(said?.[1]), reason };
}

/** smtp_proto.c quotes the server's answer to STARTTLS after 'TLS is required, but host %s refused to start TLS: '. */
const REFUSED_TLS = /refused to start TLS:\s*([2-5]\d\d\b[\s\S]*)$/;

function readPostfix(report: string): FamilyReading {
  const line = /^<([^>\s]{1,320})>(?: \(expanded from <[^>]*>\))?:[ \t]*([\s\S]*?)(?:\n[ \t]*\n|(?![\s\S]))/m.exec(
    report,
  );
  if (line) {
    const reason = line[2] ?? '';
    const said =
      /\bsaid:\s*([\s\S]*?)(?:[ \t\n]{0,20}\(in reply to [^)]{0,100}\)|$)/.exec(reason) ?? REFUSED_TLS.exec(reason);
    return { recipient: line[1] ?? null, remoteReply: squash(said?.[1]), reason };
  }
  // A Postfix log line: 'to=<bob@partner.test>, relay=..., dsn=4.4.1, status=deferred (reason)'.
  const log = /to=<([^>\s]{0,320})>[^\n]*?status=\w+ \(([^\n]*)\)[ \t]*$/m.exec(report);
  if (log) {
    const reason = log[2] ?? '';
    const said = /\bsaid:\s*(.*?)(?:[ \t]{0,20}\(in reply to [^)]{0,100}\)|$)/.exec(reason) ?? REFUSED_TLS.exec(reason);
    return { recipient: log[1] || null, remoteReply: squash(said?.[1]), reason };
  }
  return { recipient: null, remoteReply: null, reason: null };
}

/** Exim's "SMTP error from remote mail server after RCPT TO:<bob@x>: 550 ...": the reply, with its continuation lines. */
const SMTP_ERROR_AFTER =
  /SMTP error from remote mail server after [^\n]{0,200}?:(?:<[^>\n]{0,320}>:)?[ \t]*([^\n]*(?:\n[ \t]+[^\n]*)*)/i;

function readExim(report: string, fields: readonly HeaderField[]): FamilyReading {
  const log = EXIM_LOG_LINE.exec(report);
  if (log) {
    const rest = log[3] ?? '';
    return { recipient: firstAddress(log[2]), remoteReply: squash(SMTP_ERROR_AFTER.exec(rest)?.[1]), reason: rest };
  }
  // Bounces: "The following address(es) failed:"; delay warnings: "The address to which the message has not yet been delivered is:".
  const failed =
    /(?:failed|not yet been delivered to the following addresses?|has not yet been delivered (?:is|are))[^\n]*:[ \t]*\n+[ \t]*([^\s@]{1,64}@\S{1,255})[^\n]*\n([\s\S]*?)(?:\n[ \t]*\n|$)/i.exec(
      report,
    );
  const recipient = firstAddress(failed?.[1]) ?? firstAddress(headerValue(fields, 'x-failed-recipients'));
  const reason = failed?.[2] ?? report;
  return { recipient, remoteReply: squash(SMTP_ERROR_AFTER.exec(reason)?.[1]), reason };
}

/** What an Exchange delay notice reports as its own diagnostic: the remote server's reply is in the text. */
export function isExchangeStandIn(diagnostic: string | null | undefined): boolean {
  return /^400 4\.4\.7 Message delayed$/i.test(squash(diagnostic) ?? '');
}

/**
 * Exchange quotes the remote server as "Remote Server returned '<reply>'" (an NDR) or, in a delay
 * notice, "Remote Server at <host> (<address>) returned '<reply>'", first its own stand-in and
 * then one dated line per attempt. A reply may hold an apostrophe, so a quote that ends its line
 * closes it; a reply wrapped over lines has none and ends at the next quote.
 */
const REMOTE_SERVER_RETURNED =
  /Remote Server (?:at [^']{1,300}?\s)?returned '(?:([^\n]{0,2000})'[ \t]*\r?$|([^']{0,4000})')/gim;

function readExchange(report: string): FamilyReading {
  const list =
    /(?:Delivery (?:has failed|is delayed) to these recipients or groups|rejected your message to the following e-?mail addresses):\s*\n\s*([^\n]+)/i.exec(
      report,
    );
  const recipient =
    firstAddress(list?.[1]) ??
    firstAddress(/Your message to (\S{1,320}) couldn't be delivered/i.exec(report)?.[1]) ??
    firstAddress(/^[ \t]*([^\s@]{1,64}@\S{1,255})[ \t]*\n[ \t]*Remote Server returned/im.exec(report)?.[1]);
  // After the stand-in come the dated attempts, the latest last.
  const returned = [...report.matchAll(REMOTE_SERVER_RETURNED)]
    .filter((match) => !isExchangeStandIn(match[1] ?? match[2]))
    .at(-1);
  return { recipient, remoteReply: squash(returned?.[1] ?? returned?.[2]), reason: returned?.[0] ?? report };
}

function readSendmail(report: string): FamilyReading {
  // A maillog line: 'to=<bob@partner.test>, ..., dsn=4.0.0, stat=Deferred: Connection refused by ...'.
  const log = /\bto=<?([^>,\s]{1,320})>?,[^\n]*?\bstat=([^\n]*)$/m.exec(report);
  if (log) {
    const stat = log[2] ?? '';
    const reply = /\b([45]\d\d[ -][^\n]*)$/.exec(stat.replace(/^\w+:\s*/, ''));
    return { recipient: firstAddress(log[1]), remoteReply: squash(reply?.[1]), reason: stat };
  }
  const fatal =
    /The following addresses had (?:permanent fatal errors|transient non-fatal errors) -----\s*\n\s*([^\n]+)(?:\n\s*\(reason: ([^)\n]*)\))?/i.exec(
      report,
    );
  const transcript = /^(?:>>> ([^\n]*)\n)?<<< ([45]\d\d[^\n]*)/m.exec(report);
  const remoteReply = squash(transcript?.[2]) ?? squash(fatal?.[2]);
  const reason = [
    transcript?.[1] ? `${transcript[1]}` : '',
    fatal?.[2] ?? '',
    /while talking to [^\n]*/i.exec(report)?.[0] ?? '',
  ].join('\n');
  return { recipient: firstAddress(fatal?.[1]), remoteReply, reason };
}

function readGmail(report: string): FamilyReading {
  const recipient = firstAddress(/(?:wasn't|was not|hasn't been|has not been) delivered to (\S+)/i.exec(report)?.[1]);
  const response = /The response (?:from the remote server )?was:[ \t]*\n[ \t]*([\s\S]*?)(?:\n[ \t]*\n|$)/i.exec(
    report,
  );
  return { recipient, remoteReply: squash(response?.[1]), reason: report };
}

export function readFamily(family: BounceFamily, report: string, fields: readonly HeaderField[]): FamilyReading {
  switch (family) {
    case 'qmail':
      return readQmail(report);
    case 'postfix':
      return readPostfix(report);
    case 'exim':
      return readExim(report, fields);
    case 'exchange':
      return readExchange(report);
    case 'sendmail':
      return readSendmail(report);
    case 'gmail':
      return readGmail(report);
    case 'unknown':
      return { recipient: null, remoteReply: null, reason: null };
  }
}
