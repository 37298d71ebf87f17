import type { Finding } from './finding.js';
import type { Verdict } from './sender-verdict.js';
import { SMTP_DELIVERY_RULES, SMTP_SENDER_FAMILIES, type SenderRule, type SmtpSenderFamily } from './smtp-senders.js';

export interface SenderVerdict {
  readonly family: string;
  /** Which software the family stands for. */
  readonly covers: string;
  readonly verdict: Verdict;
  /** What that sender would log or bounce with; for `ok`, what it does instead. */
  readonly expected: string;
  /** Ids of the findings that lead to the verdict. */
  readonly because: readonly string[];
}

type Rule = SenderRule;

type SenderFamily = Pick<SmtpSenderFamily, 'family' | 'covers' | 'rules' | 'okBecause'> & {
  /** Which `error` findings leave this family's fate undecided, when not DNS_UNDECIDED. */
  readonly undecided?: (f: Finding) => boolean;
};

// qmail-send retries soft failures for queuelifetime (7 days) before bouncing (DOMAIN.md §1).
const QMAIL_GIVES_UP =
  'then, after 7 days: "I\'m not going to try again; this message has been in the queue too long."';

const having =
  (id: string, test: (f: Finding) => boolean = () => true) =>
  (findings: readonly Finding[]): readonly Finding[] =>
    findings.filter((f) => f.id === id && test(f));

const ofQtype =
  (...qtypes: string[]) =>
  (f: Finding): boolean =>
    qtypes.includes(String(f.evidence.qtype));

const failing = (f: Finding): boolean => f.status === 'fail';

/** Truncated replies to the given query types from a server whose TCP is also down: nothing gets the answer. */
export const truncatedWithoutTcp =
  (...qtypes: string[]) =>
  (findings: readonly Finding[]): readonly Finding[] => {
    const tcpDown = findings.filter((f) => f.id === 'dns.tcp-unavailable');
    const truncated = findings.filter(
      (f) =>
        f.id === 'dns.truncated' &&
        ofQtype(...qtypes)(f) &&
        tcpDown.some((t) => t.subject === String(f.evidence.server)),
    );
    return truncated.length > 0
      ? [...truncated, ...tcpDown.filter((t) => truncated.some((f) => String(f.evidence.server) === t.subject))]
      : [];
  };

/**
 * No resolver gets an answer for the domain: every delegated nameserver is dead, or none answers
 * with authority. Every sender's lookup fails temporarily, whatever its software (DOMAIN.md §2b).
 */
export const nobodyCanResolve = (findings: readonly Finding[]): readonly Finding[] =>
  findings.filter(
    (f) => f.id === 'dns.nameservers-unreachable' || (f.id === 'dns.lame-delegation' && f.status === 'fail'),
  );

/** The rule for a family whose software logs `text` when the domain's DNS does not answer. */
export const whenNobodyCanResolve = (text: string): Rule => ({ match: nobodyCanResolve, expected: text });

/** Failures every sender shares: there is nowhere to deliver to. */
export const NOWHERE_TO_DELIVER: readonly Rule[] = [
  {
    match: having('dns.not-delegated'),
    expected:
      'the parent zone says the domain does not exist (NXDOMAIN): the message bounces at once, "host or domain name not found"',
  },
  {
    match: having('mx.none', failing),
    expected: 'the domain has no mail server: the message bounces as undeliverable (no MX and no address)',
  },
  {
    match: having('mx.unresolvable', failing),
    expected: 'no MX host has an address: the message is deferred, then bounced',
  },
  {
    match: having('mx.null'),
    expected: 'the domain publishes a null MX: senders that honour RFC 7505 bounce at once (5.1.10)',
  },
];

// qmail's stub asks its caching resolver, never the authoritative servers (DOMAIN.md §1): TCP/53
// blocked there matters to it only through the resolver (RESOLVER_PATH_RULES); the 512-byte buffer
// is what breaks it, however the reply reached it.
const CNAME_CHECK_FAILS = `deferral: CNAME_lookup_failed_temporarily._(#4.4.3)/ (qmail's "CNAME lookup failed temporarily": its first DNS query for the domain got no usable answer)`;
const NO_HOST_FOUND = `deferral: Sorry,_I_couldn't_find_any_host_by_that_name._(#4.1.2)/ (qmail's "couldn't find any host": the MX or A lookup failed temporarily)`;

export const QMAIL_CLASSIC_RULES: readonly Rule[] = [
  whenNobodyCanResolve(`${CNAME_CHECK_FAILS} ${QMAIL_GIVES_UP}`),
  { match: having('dns.answer-over-512', ofQtype('ANY')), expected: `${CNAME_CHECK_FAILS} ${QMAIL_GIVES_UP}` },
];

export const QMAIL_MX_A_RULES: readonly Rule[] = [
  { match: having('dns.answer-over-512', ofQtype('MX', 'A')), expected: `${NO_HOST_FOUND} ${QMAIL_GIVES_UP}` },
  {
    match: having('mx.ipv6-only', failing),
    expected:
      "failure: Sorry,_I_couldn't_find_a_mail_exchanger_or_IP_address._(#5.4.4)/ (qmail looks up A records only)",
  },
];

/** Replies that do not fit in a Flag Day resolver's 1232-byte EDNS buffer, from a server whose TCP is down: the resolver itself gets nothing. */
const overResolverBufferWithoutTcp = (findings: readonly Finding[]): readonly Finding[] => {
  const tcpDown = findings.filter((f) => f.id === 'dns.tcp-unavailable');
  const tooBig = findings.filter(
    (f) =>
      ((f.id === 'dns.reply-over-1232' && ofQtype('ANY', 'MX', 'A')(f)) ||
        (f.id === 'dns.truncated' && f.evidence.ednsTc === true && ofQtype('MX', 'A')(f))) &&
      tcpDown.some((t) => t.subject === String(f.evidence.server)),
  );
  return tooBig.length > 0
    ? [...tooBig, ...tcpDown.filter((t) => tooBig.some((f) => String(f.evidence.server) === t.subject))]
    : [];
};

/**
 * What breaks the caching resolver a sender's stub asks (sender stub -> its resolver -> the
 * authoritative servers, DOMAIN.md §1). The resolver asks with EDNS at 1232 bytes, so TCP/53 blocked
 * at the authoritative servers hurts only answers that do not fit in that.
 */
export const RESOLVER_PATH_RULES: readonly Rule[] = [
  {
    match: overResolverBufferWithoutTcp,
    expected:
      'the resolver gets TC at 1232 bytes, cannot retry over TCP and answers SERVFAIL: the lookup fails temporarily (deferred, then bounced)',
  },
  {
    match: having('dns.edns-noncompliant', failing),
    expected: 'EDNS queries to some nameservers go unanswered: lookups time out (SERVFAIL) and the message is deferred',
  },
];

const RESOLVER_GIVES_UP =
  "the resolver gets no answer from the domain's nameservers (SERVFAIL or a time-out): the lookup fails temporarily, the message is deferred, then bounced";

/** A bogus chain (DOMAIN.md §2b) that stops senders behind a validating resolver: the MX, or every MX host's addresses. */
const bogusForMail = having('dnssec.bogus', (f) => f.evidence.blocksDelivery === true);

/** "name=partner.test type=MX", from the first RRset a dnssec.bogus finding names. */
function nameServiceError(causes: readonly Finding[]): string {
  const rrsets = causes.flatMap((f) => (Array.isArray(f.evidence.rrsets) ? f.evidence.rrsets : []));
  const [type, name] = String(rrsets[0] ?? 'MX <the domain>').split(' ');
  const reason = causes.map((f) => String(f.evidence.reason)).find((r) => r !== 'undefined') ?? 'bogus';
  return `the resolver answers SERVFAIL (DNSSEC ${reason}); Postfix logs "status=deferred (Host or domain name not found. Name service error for name=${name ?? ''} type=${type ?? 'MX'}: Host not found, try again)", retries until maximal_queue_lifetime (5 days), then bounces; Exim logs "host lookup did not complete"`;
}

const VALIDATING_RESOLVER: SenderFamily = {
  family: 'validating-resolver',
  covers: 'senders behind a validating resolver: large mailbox providers, most ISP resolvers, Unbound/BIND defaults',
  rules: [
    ...NOWHERE_TO_DELIVER,
    whenNobodyCanResolve(RESOLVER_GIVES_UP),
    { match: bogusForMail, expected: nameServiceError([]), explain: nameServiceError },
    ...RESOLVER_PATH_RULES,
  ],
  // A chain we could not check leaves this family's fate open; the others do not validate.
  undecided: (f) => f.status === 'error' && /^(dns|mx|check|dnssec)\./.test(f.id),
  okBecause: (findings) =>
    findings.some((f) => f.id === 'dnssec.secure')
      ? 'delivers: the mail path validates (DNSSEC secure)'
      : findings.some((f) => f.id === 'dnssec.insecure')
        ? 'delivers: the domain is not signed, so there is nothing to validate'
        : undefined,
};

/** The families of DOMAIN.md §1 and the mainstream MTAs; each rule is one way that sender fails. */
export const SENDER_FAMILIES: readonly SenderFamily[] = [
  {
    family: 'qmail-1.03',
    covers: 'qmail 1.03, netqmail 1.04-1.06, notqmail 1.07 (no oversize-DNS patch)',
    rules: [...NOWHERE_TO_DELIVER, ...QMAIL_CLASSIC_RULES, ...QMAIL_MX_A_RULES, ...RESOLVER_PATH_RULES],
  },
  {
    family: 'notqmail-1.08',
    covers: 'notqmail 1.08 (CNAME check instead of ANY, 512-byte buffer)',
    rules: [
      ...NOWHERE_TO_DELIVER,
      whenNobodyCanResolve(`${CNAME_CHECK_FAILS} ${QMAIL_GIVES_UP}`),
      ...QMAIL_MX_A_RULES,
      ...RESOLVER_PATH_RULES,
    ],
  },
  {
    family: 'notqmail-1.09',
    covers: 'notqmail 1.09+, qmail with the oversize-DNS patch',
    // Big buffer and a TCP retry to its own resolver: only what breaks the resolver breaks it.
    rules: [
      ...NOWHERE_TO_DELIVER,
      whenNobodyCanResolve(`${NO_HOST_FOUND}, retried until the queue lifetime ends, then bounced`),
      {
        match: having('mx.ipv6-only', failing),
        expected: "failure: Sorry,_I_couldn't_find_a_mail_exchanger_or_IP_address._(#5.4.4)/",
      },
      ...RESOLVER_PATH_RULES,
    ],
  },
  {
    family: 'musl-1.2.3',
    covers: 'programs linked with musl libc before 1.2.4 (Alpine before 3.18): 512-byte replies, no TCP retry',
    rules: [
      ...NOWHERE_TO_DELIVER,
      whenNobodyCanResolve(
        'the lookup fails ("Try again": the resolver gets no answer); delivery is retried, then given up',
      ),
      {
        match: having('dns.truncated', ofQtype('MX', 'A', 'AAAA')),
        expected:
          'the resolver hands back the truncated, empty reply: the lookup finds no records ("Name does not resolve") and delivery fails or falls back wrongly',
      },
      ...RESOLVER_PATH_RULES,
    ],
  },
  {
    family: 'no-edns-tcp-blocked',
    covers: 'any resolver that sends no EDNS, when TCP/53 is blocked at the authoritative servers',
    rules: [
      ...NOWHERE_TO_DELIVER,
      whenNobodyCanResolve(RESOLVER_GIVES_UP),
      {
        match: truncatedWithoutTcp('ANY', 'MX', 'A'),
        expected: 'TC over UDP and no answer over TCP: the lookup fails temporarily (TRY_AGAIN / SERVFAIL)',
      },
    ],
  },
  {
    family: 'flagday-2020-resolver',
    covers: 'resolvers with a 1232-byte EDNS buffer (BIND, Unbound, Knot Resolver, PowerDNS since 2020)',
    rules: [...NOWHERE_TO_DELIVER, whenNobodyCanResolve(RESOLVER_GIVES_UP), ...RESOLVER_PATH_RULES],
  },
  VALIDATING_RESOLVER,
  {
    family: 'postfix',
    covers: 'Postfix through the system resolver (glibc, EDNS, TCP retry)',
    rules: [
      ...NOWHERE_TO_DELIVER,
      whenNobodyCanResolve(
        'status=deferred (Host or domain name not found. Name service error for name=<the domain> type=MX: Host not found, try again), retried until maximal_queue_lifetime (5 days), then bounced',
      ),
      {
        match: having('mx.ip-literal'),
        expected:
          'warning: numeric domain name in resource data of MX record: the IP-literal MX host is skipped; with no other MX host the mail is deferred',
      },
      ...RESOLVER_PATH_RULES,
    ],
  },
  {
    family: 'exim',
    covers: 'Exim through the system resolver (glibc, EDNS, TCP retry)',
    rules: [
      ...NOWHERE_TO_DELIVER,
      whenNobodyCanResolve(
        'R=dnslookup defer (-1): host lookup did not complete, then "retry time not reached for any host" until the retry rules give up and bounce',
      ),
      {
        match: having('mx.ip-literal'),
        expected:
          'the IP-literal MX record is rejected as invalid: "all relevant MX records point to non-existent hosts"',
      },
      ...RESOLVER_PATH_RULES,
    ],
  },
];

/**
 * Which `error` findings leave a family's fate undecided: for the DNS families, unanswered DNS
 * (or a crashed check), since an SMTP time-out says nothing about reply sizes; for the families
 * the SMTP probes decide, anything about delivery (a blocklist that refused us is not).
 */
const DNS_UNDECIDED = (f: Finding): boolean => f.status === 'error' && /^(dns|mx|check)\./.test(f.id);
const DELIVERY_UNDECIDED = (f: Finding): boolean =>
  f.status === 'error' && /^(dns|mx|check|smtp|tls|dane|mtasts)\./.test(f.id);

export interface JudgeOptions {
  /** Whether the run probed the mail servers: only then are the SMTP families and rules judged. */
  readonly smtp: boolean;
}

export function judgeSenders(findings: readonly Finding[], options: JudgeOptions = { smtp: false }): SenderVerdict[] {
  const dnsFamilies = SENDER_FAMILIES.map((f) => ({
    ...f,
    rules: options.smtp ? [...f.rules, ...SMTP_DELIVERY_RULES] : f.rules,
    undecided: f.undecided ?? DNS_UNDECIDED,
  }));
  const smtpFamilies = options.smtp
    ? SMTP_SENDER_FAMILIES.map((f) => ({
        ...f,
        rules: [...NOWHERE_TO_DELIVER, whenNobodyCanResolve(RESOLVER_GIVES_UP), ...f.rules],
        undecided: DELIVERY_UNDECIDED,
      }))
    : [];
  const bogus = bogusForMail(findings).length > 0;
  const verdicts = [...dnsFamilies, ...smtpFamilies].map(
    ({ family, covers, rules, undecided, okBecause }): SenderVerdict => {
      for (const rule of rules) {
        const causes = rule.match(findings);
        if (causes.length > 0)
          return {
            family,
            covers,
            verdict: rule.verdict ?? 'fail',
            expected: rule.explain?.(causes) ?? rule.expected,
            because: unique(causes),
          };
      }
      const unknown = findings.filter(undecided);
      if (unknown.length > 0) {
        return {
          family,
          covers,
          verdict: 'unknown',
          expected: 'could not tell: part of the diagnosis is missing (see the errors)',
          because: unique(unknown),
        };
      }
      return {
        family,
        covers,
        verdict: 'ok',
        expected: okBecause?.(findings) ?? 'delivers: none of the problems this sender trips on were found',
        because: [],
      };
    },
  );
  // Every other family's verdict assumes a resolver that does not validate: say so where it matters.
  return bogus
    ? verdicts.map((v) =>
        v.family === VALIDATING_RESOLVER.family || v.verdict === 'fail'
          ? v
          : {
              ...v,
              expected: `${v.expected} (assuming its resolver does not validate DNSSEC; behind a validating resolver it defers like validating-resolver)`,
            },
      )
    : verdicts;
}

function unique(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.id))];
}
