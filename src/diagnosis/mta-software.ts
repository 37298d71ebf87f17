/**
 * Which mail software answers at an MX, recognised from what it says: the product name in the
 * banner, a service's host names, EHLO keywords or phrases only one implementation uses. Mail
 * administrators often hide the name, so a miss means "not recognised", never "unknown product".
 */

export type Confidence = 'high' | 'medium' | 'low';
export type SoftwareKind = 'mta' | 'mailbox-provider' | 'filtering-service';

/** Where a line came from: the greeting, an EHLO/HELO answer, or any other reply. */
export type LineSource = 'banner' | 'ehlo' | 'reply';

export interface SessionLine {
  readonly source: LineSource;
  /** The reply text without the code, as SmtpReply.lines holds it. */
  readonly text: string;
}

export interface RecognisedMta {
  readonly software: string;
  readonly kind: SoftwareKind;
  readonly confidence: Confidence;
  /** The line that gave it away, with its source: 'banner: mx.example.com ESMTP Postfix'. */
  readonly line: string;
  /** Other products some line also pointed at (an appliance in front of an MTA, say). */
  readonly alsoSeen: readonly string[];
}

interface Rule {
  readonly software: string;
  readonly kind: SoftwareKind;
  readonly confidence: Confidence;
  /** Which lines the pattern is tried on. */
  readonly sources: readonly LineSource[];
  readonly pattern: RegExp;
}

const ANY: readonly LineSource[] = ['banner', 'ehlo', 'reply'];
const GREETINGS: readonly LineSource[] = ['banner', 'ehlo'];
const EHLO: readonly LineSource[] = ['ehlo'];

/**
 * In order of preference when two rules are equally sure: services first, because the host we
 * talk to is the service, whatever runs behind it.
 */
const RULES: readonly Rule[] = [
  // Filtering services: their host names are in the banner and the EHLO greeting.
  {
    software: 'Proofpoint',
    kind: 'filtering-service',
    confidence: 'high',
    sources: ANY,
    pattern: /\b(?:pphosted|ppe-hosted)\.com\b|\bproofpoint\b/i,
  },
  { software: 'Mimecast', kind: 'filtering-service', confidence: 'high', sources: ANY, pattern: /\bmimecast\b/i },
  {
    software: 'Barracuda',
    kind: 'filtering-service',
    confidence: 'high',
    sources: ANY,
    pattern: /\bbarracuda(?:networks)?\b/i,
  },
  {
    software: 'Cisco Secure Email (IronPort)',
    kind: 'filtering-service',
    confidence: 'high',
    sources: ANY,
    pattern: /\biphmx\.com\b|\bironport\b|\bcisco\b/i,
  },
  // Mailbox providers.
  {
    software: 'Microsoft 365 (Exchange Online)',
    kind: 'mailbox-provider',
    confidence: 'high',
    sources: ANY,
    pattern: /\.(?:mail|outbound)\.protection\.outlook\.com\b/i,
  },
  // 'mx.google.com ESMTP <id> - gsmtp'; EHLO: 'mx.google.com at your service, [203.0.113.5]'.
  {
    software: 'Google (Gmail / Google Workspace)',
    kind: 'mailbox-provider',
    confidence: 'high',
    sources: ANY,
    pattern: /\bgsmtp\b|\bmx\.google\.com at your service\b/i,
  },
  // Product names in the banner.
  {
    software: 'Microsoft Exchange',
    kind: 'mta',
    confidence: 'high',
    sources: GREETINGS,
    pattern: /\bMicrosoft ESMTP MAIL Service\b/i,
  },
  { software: 'Postfix', kind: 'mta', confidence: 'high', sources: GREETINGS, pattern: /\bPostfix\b/i },
  { software: 'Exim', kind: 'mta', confidence: 'high', sources: GREETINGS, pattern: /\bExim\b/i },
  { software: 'Sendmail', kind: 'mta', confidence: 'high', sources: GREETINGS, pattern: /\bSendmail\b/i },
  { software: 'OpenSMTPD', kind: 'mta', confidence: 'high', sources: GREETINGS, pattern: /\bOpenSMTPD\b/i },
  { software: 'qmail', kind: 'mta', confidence: 'high', sources: GREETINGS, pattern: /\b(?:net|not|s\/)?qmail\b/i },
  { software: 'Haraka', kind: 'mta', confidence: 'high', sources: GREETINGS, pattern: /\bHaraka\b/i },
  // EHLO keywords and phrases only one implementation uses.
  {
    software: 'Microsoft Exchange',
    kind: 'mta',
    confidence: 'medium',
    sources: EHLO,
    pattern: /^(?:X-ANONYMOUSTLS|XEXCH50|X-EXPS|X-LINK2STATE|XRDST|XSHADOW(?:REQUEST)?)\b/i,
  },
  { software: 'Exim', kind: 'mta', confidence: 'medium', sources: EHLO, pattern: /^X_PIPE_CONNECT\b/i },
  { software: 'Sendmail', kind: 'mta', confidence: 'medium', sources: EHLO, pattern: /^DELIVERBY\b/i },
  // Both say 'Hello <name> [<address>], pleased to meet you'.
  {
    software: 'Sendmail or OpenSMTPD',
    kind: 'mta',
    confidence: 'medium',
    sources: EHLO,
    pattern: /\bHello\b.*\bpleased to meet you\b/i,
  },
  {
    software: 'smtp-server (Nodemailer)',
    kind: 'mta',
    confidence: 'medium',
    sources: EHLO,
    pattern: /\bNice to meet you\b/i,
  },
  // qmail ends its own replies with an enhanced code in parentheses: '502 unimplemented (#5.5.1)'.
  { software: 'qmail', kind: 'mta', confidence: 'medium', sources: ANY, pattern: /\(#\d\.\d{1,3}\.\d{1,3}\)\s*$/ },
  // Postfix's default message_size_limit; others may choose it too.
  { software: 'Postfix', kind: 'mta', confidence: 'low', sources: EHLO, pattern: /^SIZE 10240000$/i },
];

const RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

/** The best guess at the software behind these lines, or undefined when nothing gives it away. */
export function recogniseMta(lines: readonly SessionLine[]): RecognisedMta | undefined {
  const hits = RULES.flatMap((rule, order) => {
    const line = lines.find((l) => rule.sources.includes(l.source) && rule.pattern.test(l.text.trim()));
    return line ? [{ rule, order, line }] : [];
  }).sort((a, b) => RANK[a.rule.confidence] - RANK[b.rule.confidence] || a.order - b.order);
  const best = hits[0];
  if (!best) return undefined;
  return {
    software: best.rule.software,
    kind: best.rule.kind,
    confidence: best.rule.confidence,
    line: `${best.line.source}: ${best.line.text}`,
    alsoSeen: [...new Set(hits.map((h) => h.rule.software))].filter((name) => name !== best.rule.software),
  };
}
