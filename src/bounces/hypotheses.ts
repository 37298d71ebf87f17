/**
 * Root-cause hypotheses for a parsed bounce, from what DOMAIN.md knows about how each sender
 * fails, each with the checks that test it against the domain today. The first hypothesis whose
 * pattern fits the bounce is the one tested; a final failure that fits none is tested with the
 * generic one (does the diagnosis predict this sender's family fails?).
 */
import { finding, type Finding } from '../diagnosis/finding.js';
import {
  judgeSenders,
  nobodyCanResolve,
  RESOLVER_PATH_RULES,
  NOWHERE_TO_DELIVER,
  QMAIL_CLASSIC_RULES,
  QMAIL_MX_A_RULES,
  truncatedWithoutTcp,
} from '../diagnosis/senders.js';
import type { SenderRule } from '../diagnosis/smtp-senders.js';
import type { BounceFamily } from './bounce-family.js';
import type { BounceParse } from './parse-bounce.js';

export interface Hypothesis {
  /** Stable, like finding ids: scripts triage on it. */
  readonly id: string;
  readonly summary: string;
  /** Whose domain the checks look at: where the mail went, or the sender's own (its SPF/DMARC). */
  readonly domain: 'recipient' | 'sender';
  /** Names of the checks (ALL_CHECKS) that test it; empty: nothing mxops can check tests it. */
  readonly checks: readonly string[];
  /** Whether those checks need the SMTP probes. */
  readonly smtp: boolean;
  /** The findings that bear it out; empty when the checks do not. */
  confirms(findings: readonly Finding[]): readonly Finding[];
}

interface Candidate extends Hypothesis {
  fits(bounce: BounceParse, said: string): boolean;
}

const DNS_CHECKS = ['mx', 'nameservers', 'reply-size', 'edns'] as const;
const SMTP_CHECKS = ['mx', 'smtp'] as const;

const byRules =
  (...rules: readonly SenderRule[]) =>
  (findings: readonly Finding[]): readonly Finding[] =>
    unique(rules.flatMap((rule) => rule.match(findings)));

/** Findings with these ids. Never `error` by default: a time-out is "could not tell", not evidence (DESIGN.md). */
const byIds =
  (ids: readonly string[], statuses: readonly Finding['status'][] = ['fail', 'warn']) =>
  (findings: readonly Finding[]): readonly Finding[] =>
    findings.filter((f) => ids.includes(f.id) && statuses.includes(f.status));

const either =
  (...tests: ((findings: readonly Finding[]) => readonly Finding[])[]) =>
  (findings: readonly Finding[]): readonly Finding[] =>
    unique(tests.flatMap((test) => test(findings)));

/** Answers on the wire that no resolver can get (TC, and TCP/53 closed) or that modern resolvers choke on. */
const unanswerableDns = either(
  byRules(...RESOLVER_PATH_RULES),
  truncatedWithoutTcp('ANY', 'MX', 'A'),
  byIds(
    [
      'dns.no-nameservers',
      'dns.ns-unresolvable',
      'dns.lame-delegation',
      'dns.nameservers-unreachable',
      'dns.not-delegated',
    ],
    ['fail'],
  ),
  byIds(['mx.unresolvable'], ['fail']),
);

const nowhereToDeliver = either(
  byRules(...NOWHERE_TO_DELIVER),
  byIds(['mx.null-mixed', 'mx.ip-literal', 'mx.ipv6-only', 'mx.cname-target'], ['fail', 'warn']),
);

/**
 * DOMAIN.md §1: servers that answer ANY minimally (RFC 8482) defuse the ANY path only at the
 * authoritative server; a resolver answering ANY from its cache (dnscache, common on qmail hosts)
 * returns every RRset it holds, the MX records included. So an ANY answer that fits while the MX
 * answer alone does not still breaks qmail 1.03 behind such a resolver.
 */
function anyFromCache(findings: readonly Finding[]): readonly Finding[] {
  const mx = findings.filter((f) => f.id === 'dns.answer-over-512' && f.evidence.qtype === 'MX');
  const largest = mx.reduce<Finding | undefined>(
    (best, f) => (best === undefined || Number(f.evidence.answerEnd) > Number(best.evidence.answerEnd) ? f : best),
    undefined,
  );
  if (!largest) return [];
  const qname = String(largest.evidence.qname ?? largest.subject);
  const cached = finding({
    id: 'bounce.any-from-cache',
    status: 'fail',
    subject: `ANY ${qname}`,
    summary: `The authoritative servers answer ANY without the MX records (RFC 8482), but a resolver that answers ANY from its cache, as dnscache on many qmail hosts does, includes them, and the MX answer alone ends at byte ${String(largest.evidence.answerEnd)}: past the 512 bytes qmail 1.03 reads.`,
    evidence: { qname, mxAnswerEnd: largest.evidence.answerEnd ?? null },
    remedy:
      'Shrink the MX set (fewer or shorter names) so the MX answer ends within 512 bytes, or have the partner apply the oversize-DNS patch (qmail-103.patch) or move to notqmail 1.09+.',
    ref: 'RFC 8482 §4.1; DOMAIN.md §1',
  });
  return [cached, ...mx];
}

/** What the sender said in words, its DSN and the remote reply: what the patterns read. */
function saidOf(bounce: BounceParse): string {
  return [bounce.reason, bounce.remoteReply, bounce.dsn]
    .filter((part) => part !== null)
    .join('\n')
    .replace(/_/g, ' ');
}

const isHard = (bounce: BounceParse): boolean => bounce.dsn?.startsWith('5.') ?? false;
const dsnIn = (bounce: BounceParse, ...prefixes: string[]): boolean =>
  prefixes.some((prefix) => bounce.dsn?.startsWith(prefix) ?? false);

const CANDIDATES: readonly Candidate[] = [
  {
    id: 'qmail-any-answer-too-big',
    summary:
      'qmail\'s "CNAME lookup" is an ANY query for the recipient domain: its answer section ends past the 512 bytes a qmail 1.03-family sender reads (or no resolver gets an answer at all: dead or lame nameservers), so qmail defers the mail and bounces it after a week.',
    domain: 'recipient',
    checks: DNS_CHECKS,
    smtp: false,
    fits: (_bounce, said) => /CNAME lookup failed temporarily/i.test(said),
    confirms: (findings) => {
      const direct = byRules(...QMAIL_CLASSIC_RULES)(findings);
      return direct.length > 0 ? direct : anyFromCache(findings);
    },
  },
  {
    id: 'qmail-mx-or-a-answer-too-big',
    summary:
      "The recipient domain's MX answer, or an MX host's A answer, ends past the 512 bytes a qmail-family sender reads (or its resolver gets no answer: dead nameservers, or past 1232 bytes with TCP/53 closed), so qmail finds no host, defers the mail and bounces it after a week.",
    domain: 'recipient',
    checks: DNS_CHECKS,
    smtp: false,
    fits: (_bounce, said) => /couldn't find any host by that name/i.test(said),
    // The size rule, or anything that stops the sender's resolver (qmail reports both as #4.1.2).
    confirms: either(
      byRules(QMAIL_MX_A_RULES[0]!, ...RESOLVER_PATH_RULES),
      nobodyCanResolve,
      byIds(['mx.unresolvable'], ['fail']),
    ),
  },
  {
    id: 'no-ipv4-mail-server',
    summary:
      "None of the recipient domain's mail servers has an IPv4 address (or the domain has none at all), and qmail looks up A records only.",
    domain: 'recipient',
    checks: ['mx'],
    smtp: false,
    fits: (_bounce, said) => /couldn't find a mail exchanger or IP address/i.test(said),
    confirms: nowhereToDeliver,
  },
  {
    id: 'nowhere-to-deliver',
    summary:
      'The recipient domain publishes no usable mail server: no MX and no address, a null MX, or MX hosts that do not resolve.',
    domain: 'recipient',
    checks: ['mx', 'nameservers'],
    smtp: false,
    fits: (bounce, said) =>
      bounce.step === 'dns' &&
      (isHard(bounce) ||
        /all relevant MX records point to non-existent hosts|Unrouteable address|Domain (?:name )?not found|NXDOMAIN|no such domain|Host unknown|Host not found(?!, try again)/i.test(
          said,
        )) &&
      !/try again|temporar/i.test(said),
    confirms: nowhereToDeliver,
  },
  {
    id: 'dns-unanswerable',
    summary:
      "The recipient domain's DNS fails for the sender's resolver: answers too big for UDP with TCP/53 blocked, nameservers that drop EDNS queries, or lame or unreachable nameservers, so the lookup fails temporarily and the mail is deferred.",
    domain: 'recipient',
    checks: DNS_CHECKS,
    smtp: false,
    fits: (bounce) => bounce.step === 'dns',
    confirms: either(unanswerableDns, byRules(...QMAIL_CLASSIC_RULES, ...QMAIL_MX_A_RULES)),
  },
  {
    id: 'mail-server-unreachable',
    summary: "The recipient domain's mail servers do not accept connections on port 25 (refused, filtered or down).",
    domain: 'recipient',
    checks: SMTP_CHECKS,
    smtp: true,
    fits: (bounce) => bounce.step === 'connect',
    // Refused or unreachable, at every address probed; our own port 25 being blocked (smtp.outbound-blocked) says nothing.
    confirms: byIds(['smtp.connect-failed', 'smtp.connect-timeout'], ['fail']),
  },
  {
    id: 'mail-server-greeting',
    summary:
      "The recipient's mail servers answer the connection without a proper greeting or refuse the sender's EHLO: a tarpit, a server that is not SMTP, or a block on the sender.",
    domain: 'recipient',
    checks: SMTP_CHECKS,
    smtp: true,
    fits: (bounce) => bounce.step === 'greeting' || bounce.step === 'helo',
    // smtp.blocked-us is about mxops's address, not the sender's: not evidence here.
    confirms: byIds([
      'smtp.refuses-everyone',
      'smtp.banner-not-220',
      'smtp.banner-slow',
      'smtp.protocol-error',
      'smtp.connection-lost',
      'smtp.helo-only',
    ]),
  },
  {
    id: 'tls-negotiation',
    summary:
      "TLS with the recipient's mail servers fails: no or broken STARTTLS, a certificate that is expired, untrusted or for another name, or one that the published TLSA records or MTA-STS policy do not allow.",
    domain: 'recipient',
    checks: ['mx', 'smtp', 'dane', 'mta-sts'],
    smtp: true,
    fits: (bounce) => bounce.step === 'starttls',
    confirms: byIds(
      [
        'smtp.starttls-missing',
        'smtp.starttls-failed',
        'tls.cert-expired',
        'tls.cert-name-mismatch',
        'tls.cert-untrusted',
        'tls.cert-self-signed',
        'tls.version-old',
        'dane.mismatch',
        'dane.no-starttls',
        'mtasts.mx-not-covered',
      ],
      ['fail', 'warn'],
    ),
  },
  {
    id: 'recipient-unknown',
    summary:
      "The recipient's mail server does not accept this address: the mailbox does not exist (or no longer does) there.",
    domain: 'recipient',
    checks: SMTP_CHECKS,
    smtp: true,
    fits: (bounce) =>
      bounce.recipient !== null &&
      dsnIn(bounce, '5.1.1', '5.1.10', '5.1.6', '5.2.1') &&
      (bounce.step === 'rcpt' || bounce.step === 'unknown'),
    confirms: byIds(['smtp.rcpt-rejected'], ['fail']),
  },
  {
    id: 'relay-denied',
    summary:
      "The server the sender reached does not take mail for the recipient domain (relaying denied): the domain's MX records point at a server that does not know it, or the nameservers disagree on the MX set and some senders get a stale one.",
    domain: 'recipient',
    checks: ['mx', 'nameservers', 'smtp'],
    smtp: true,
    fits: (_bounce, said) =>
      /Relay(?:ing)? (?:access )?(?:denied|not (?:permitted|allowed))|not permitted to relay|unable to relay|we do not relay/i.test(
        said,
      ),
    confirms: byIds(['smtp.rcpt-rejected', 'dns.ns-inconsistent', 'mx.cname-target'], ['fail', 'warn']),
  },
  {
    id: 'rcpt-deferred',
    summary:
      "The recipient's mail server answers RCPT with a temporary refusal: greylisting, a full mailbox or a rate limit.",
    domain: 'recipient',
    checks: SMTP_CHECKS,
    smtp: true,
    fits: (bounce) => bounce.step === 'rcpt' && (bounce.dsn?.startsWith('4.') ?? /^4/.test(bounce.remoteReply ?? '')),
    confirms: byIds(['smtp.rcpt-temporary'], ['fail', 'warn', 'info']),
  },
  {
    id: 'message-too-big',
    summary: "The message is larger than the recipient's mail server accepts (its SIZE limit).",
    domain: 'recipient',
    checks: SMTP_CHECKS,
    smtp: true,
    fits: (bounce, said) =>
      dsnIn(bounce, '5.3.4', '4.3.4', '5.2.3', '4.2.3') || /message (?:size )?exceeds|too (?:big|large)/i.test(said),
    confirms: byIds(['smtp.size-limit'], ['fail', 'warn', 'info']),
  },
  {
    id: 'message-content',
    summary:
      "The recipient's server could not take the message's content (RFC 3463 5.6.x: conversion, encoding, format); nothing in the domain's DNS or mail servers explains that, so look at the message itself.",
    domain: 'recipient',
    checks: [],
    smtp: false,
    fits: (bounce) => dsnIn(bounce, '5.6.', '4.6.'),
    confirms: () => [],
  },
  {
    id: 'sender-authentication',
    summary:
      "The recipient refused the message by policy because the sender's domain does not authenticate it: its SPF does not list the sending server, or its DMARC policy rejects mail that fails SPF and DKIM.",
    domain: 'sender',
    checks: ['spf', 'dmarc'],
    smtp: false,
    fits: (bounce, said) =>
      bounce.sender !== null &&
      (dsnIn(bounce, '5.7.23', '5.7.25', '5.7.26', '5.7.27', '5.7.1') ||
        /\bSPF\b|\bDMARC\b|\bDKIM\b|unauthenticated/i.test(said)) &&
      /SPF|DMARC|DKIM|authenticat/i.test(said),
    confirms: byIds([
      'spf.missing',
      'spf.syntax',
      'spf.multiple-records',
      'spf.too-many-lookups',
      'spf.void-lookups',
      'dmarc.syntax',
      'dmarc.multiple-records',
    ]),
  },
  {
    id: 'sender-address-rejected',
    summary:
      "The recipient's mail server refused the envelope sender at MAIL FROM, before any recipient was named: commonly because the sender's domain does not resolve for it (no MX or address: 'sender domain must exist'), or the sender's address or server is on its blocklist.",
    domain: 'sender',
    checks: ['mx', 'nameservers', 'spf'],
    smtp: false,
    fits: (bounce) => bounce.sender !== null && bounce.step === 'mail',
    confirms: byIds(
      [
        'mx.none',
        'mx.unresolvable',
        'mx.null',
        'dns.not-delegated',
        'dns.nameservers-unreachable',
        'dns.lame-delegation',
        'spf.missing',
      ],
      ['fail', 'warn'],
    ),
  },
];

/** For a final failure no pattern explains: the family of sender that produced it, as the diagnosis judges it. */
function senderFamilyFails(family: BounceFamily): Hypothesis {
  const judged = FAMILY_JUDGED[family];
  return {
    id: 'sender-family-fails',
    summary: `Something at the recipient domain fails ${judged.who} temporarily for days (DNS sizes, TCP/53, EDNS, or its mail servers), so the message stayed queued until the sender gave up.`,
    domain: 'recipient',
    checks: [...DNS_CHECKS, 'smtp'],
    smtp: true,
    confirms: (findings) => {
      const verdicts = judgeSenders(findings, { smtp: true }).filter(
        (verdict) => judged.families.includes(verdict.family) && verdict.verdict === 'fail',
      );
      const because = new Set(verdicts.flatMap((verdict) => verdict.because));
      return findings.filter((f) => because.has(f.id) && f.status !== 'pass');
    },
  };
}

/** The sender families of the diagnosis that a bounce family stands for; the unknown ones: any mainstream sender. */
const FAMILY_JUDGED: Record<BounceFamily, { readonly who: string; readonly families: readonly string[] }> = {
  qmail: { who: 'a qmail sender', families: ['qmail-1.03', 'notqmail-1.08', 'notqmail-1.09'] },
  postfix: { who: 'a Postfix sender', families: ['postfix'] },
  exim: { who: 'an Exim sender', families: ['exim'] },
  exchange: { who: 'an Exchange sender', families: ['flagday-2020-resolver'] },
  sendmail: { who: 'a Sendmail sender', families: ['flagday-2020-resolver', 'no-edns-tcp-blocked'] },
  gmail: { who: "Google's servers", families: ['flagday-2020-resolver'] },
  unknown: { who: 'the sender', families: ['postfix', 'exim', 'flagday-2020-resolver'] },
};

/** Said when there is no failure to explain (a success notice, an auto-reply, plain headers). */
export const NO_FAILURE: Hypothesis = {
  id: 'no-failure',
  summary:
    'This is not a failed delivery (a success notice, an auto-reply or plain message headers): there is nothing to explain.',
  domain: 'recipient',
  checks: [],
  smtp: false,
  confirms: () => [],
};

/** Every hypothesis this file can choose (the fallback as it is for an unknown sender), for tests and docs. */
export const HYPOTHESES: readonly Hypothesis[] = [...CANDIDATES, senderFamilyFails('unknown'), NO_FAILURE];

/** The hypothesis to test for a parsed bounce. */
export function chooseHypothesis(bounce: BounceParse): Hypothesis {
  const failed = bounce.isBounce || bounce.step !== 'unknown' || /^[45]\./.test(bounce.dsn ?? '');
  if (!failed) return NO_FAILURE;
  const said = saidOf(bounce);
  return CANDIDATES.find((candidate) => candidate.fits(bounce, said)) ?? senderFamilyFails(bounce.family);
}

function unique(findings: readonly Finding[]): Finding[] {
  return [...new Set(findings)];
}
