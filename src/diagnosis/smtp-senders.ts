/**
 * Sender families whose fate the SMTP/TLS probes decide, in the shape of senders.ts's
 * SENDER_FAMILIES, for senders.ts to append (with its own NOWHERE_TO_DELIVER rules in front).
 *
 * The rules read findings only, grouped per MX address by `evidence.address` (smtp-evidence.ts
 * puts it on every smtp.* and tls.* finding about an address). A sender goes to the next MX when
 * one fails it, so a family fails only when EVERY address we probed fails it.
 *
 * What the rules read from the mtasts and dane checks (src/diagnosis/checks/mtasts.ts, dane.ts);
 * keep these true there, or change this file:
 * - `mtasts.enforce` (info, domain-wide): the MTA-STS policy is in mode enforce.
 *   `mtasts.mx-not-covered` (evidence.host, evidence.mode): an MX host the policy does not name.
 * - `dane.match`, `dane.mismatch`, `dane.no-starttls`, `dane.skipped`: per MX address whose host
 *   publishes DNSSEC-validated TLSA records, with `evidence.address` and `evidence.host`. Any of
 *   them about an address means DANE applies there (RFC 7672 §2.2). A dane finding with a host
 *   but no address is taken for every address of that host; one with neither, for all.
 *   `dane.bogus` (per address, or per host when no session ran): the TLSA RRset or the host's
 *   addresses are DNSSEC-bogus, so DANE senders defer there.
 *   `dane.unvalidated`, `dane.not-applicable` (TLSA in an unsigned zone) and `dane.no-tlsa` mean
 *   DANE senders treat the host as having no TLSA.
 */
import type { EvidenceValue, Finding } from './finding.js';
import type { Verdict } from './sender-verdict.js';

/**
 * A rule as senders.ts has it, plus `verdict`: what a match means, 'fail' when absent. A rule
 * with verdict 'unknown' says the evidence cannot tell; judgeSenders must honour the field
 * (`verdict: rule.verdict ?? 'fail'`), or it would report such a match as a failure.
 */
export interface SenderRule {
  /** The findings that lead to the verdict; empty when the rule does not apply. */
  readonly match: (findings: readonly Finding[]) => readonly Finding[];
  readonly expected: string;
  /**
   * `expected` with the evidence quoted (the server's own reply), from the findings `match`
   * returned. judgeSenders must prefer it when present (`rule.explain?.(causes) ?? rule.expected`);
   * `expected` says the same without the quote, for wherever the causes are not at hand.
   */
  readonly explain?: (causes: readonly Finding[]) => string;
  readonly verdict?: Exclude<Verdict, 'ok'>;
}

export interface SmtpSenderFamily {
  readonly family: string;
  readonly covers: string;
  readonly rules: readonly SenderRule[];
  /**
   * Why it delivers, where that is not "no problem found": a family that enforces what the domain
   * does not publish enforces nothing there, and a reader must not take its "ok" for a validation.
   */
  readonly okBecause?: (findings: readonly Finding[]) => string | undefined;
}

type AddressFindings = readonly Finding[];

function text(value: EvidenceValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * smtp.* and tls.* findings per MX address probed. Addresses our own policy kept us from
 * connecting to are left out: they say nothing about what a sender meets there.
 */
export function findingsByAddress(findings: readonly Finding[]): Map<string, AddressFindings> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const address = text(f.evidence.address);
    if (address === undefined || !/^(?:smtp|tls)\./.test(f.id)) continue;
    groups.set(address, [...(groups.get(address) ?? []), f]);
  }
  for (const [address, group] of groups)
    if (group.every((f) => f.id === 'smtp.refused-by-policy')) groups.delete(address);
  return groups;
}

/** The causes when `causes` finds some at every probed address; empty when any address is spared (or none was probed). */
function atEveryAddress(
  findings: readonly Finding[],
  causes: (group: AddressFindings, address: string) => readonly Finding[],
): Finding[] {
  const groups = [...findingsByAddress(findings)];
  if (groups.length === 0) return [];
  const found: Finding[] = [];
  for (const [address, group] of groups) {
    const here = causes(group, address);
    if (here.length === 0) return [];
    found.push(...here);
  }
  return found;
}

const having = (ids: ReadonlySet<string>, group: AddressFindings): Finding[] => group.filter((f) => ids.has(f.id));

/**
 * What stops every sender at an address: nothing listens, it turns every client away at the
 * greeting, it is no SMTP server, or it refuses the message with 5xx. A refused STARTTLS or a
 * failed handshake is not here: opportunistic senders go on in clear (Postfix, Exim retry without
 * TLS).
 */
function undeliverable(f: Finding): boolean {
  if (f.status !== 'fail') return false;
  return [
    'smtp.connect-failed',
    'smtp.refuses-everyone',
    'smtp.banner-not-220',
    'smtp.protocol-error',
    'smtp.mail-rejected',
    'smtp.rcpt-rejected',
  ].includes(f.id);
}

/** "421 ...", "554 ...": each distinct greeting the refusing addresses gave, quoted. */
function refusalTexts(causes: readonly Finding[]): string {
  return [...new Set(causes.map((f) => text(f.evidence.text)).filter((t) => t !== undefined))]
    .map((t) => `"${t}"`)
    .join(', ');
}

// RFC 5321 §4.2.1, §4.5.4.1: a 421 is transient, so the message stays queued and is retried until
// the queue lifetime ends (Postfix maximal_queue_lifetime 5 days, qmail 7, Exim's retry rules).
// A 554 greeting is permanent: Exim and qmail bounce at once, Postfix (smtp_skip_5xx_greeting)
// defers and tries again.
function refusedAtConnectText(causes: readonly Finding[]): string {
  const permanent = causes.every((f) => typeof f.evidence.code === 'number' && f.evidence.code >= 500);
  const fate = permanent
    ? 'most senders bounce the message at once; Postfix defers it and bounces it after the queue lifetime'
    : 'the message is deferred and retried, then bounced after the queue lifetime';
  return `${refusalTexts(causes)} at every MX address: ${fate}`;
}

/** Rules every sender shares once the SMTP probes ran; senders.ts may append them to its DNS families too. */
export const SMTP_DELIVERY_RULES: readonly SenderRule[] = [
  {
    // Every address turned every client away at the greeting: no sender gets a session anywhere.
    // Where only some addresses do, senders go on to the next MX (RFC 5321 §5.1), so this rule
    // leaves their verdict alone; the next one still fails them if the other addresses take no
    // mail either.
    match: (findings) => atEveryAddress(findings, (group) => group.filter((f) => f.id === 'smtp.refuses-everyone')),
    expected:
      'every MX address refuses every client at connect (421, or 554, in place of the 220 greeting; the reply is in smtp.refuses-everyone): the message is deferred and retried, then bounced after the queue lifetime (a 554 is bounced at once by most senders)',
    explain: refusedAtConnectText,
  },
  {
    match: (findings) => atEveryAddress(findings, (group) => group.filter(undeliverable)),
    expected:
      "no MX address takes the message (connection refused, refused at connect, no SMTP greeting, or a 5xx to MAIL/RCPT): a 5xx bounces at once with the server's text, the rest is retried and then bounced",
  },
];

// RFC 8461 §4.2 and §5: an enforcing sender delivers only over TLS to an MX whose certificate is
// trusted, unexpired and names the MX host, and only to MX hosts the policy names (§4.1).
// The name is judged per MX name (mtaStsRefusalsAt): the rest is the same whichever name leads to the address.
const MTA_STS_REFUSES = new Set([
  'smtp.starttls-missing',
  'smtp.starttls-failed',
  'smtp.helo-only',
  'tls.cert-expired',
  'tls.cert-untrusted',
  'tls.cert-self-signed',
]);

// RFC 7672 §2.2: with TLSA records, STARTTLS is mandatory; §3.1: the certificate must match a
// TLSA record. Expiry, names and WebPKI trust do not matter under DANE-EE, so they are not here.
const NO_TLS = new Set(['smtp.starttls-missing', 'smtp.starttls-failed', 'smtp.helo-only']);
const DANE_APPLIES = new Set(['dane.match', 'dane.mismatch', 'dane.no-starttls', 'dane.skipped', 'dane.bogus']);
// A bogus TLSA RRset: the sender's validating resolver answers SERVFAIL and RFC 7672 §2.2.1 has it defer.
const DANE_REFUSES = new Set(['dane.mismatch', 'dane.no-starttls', 'dane.bogus']);

function sameHost(a: string, b: string): boolean {
  const bare = (name: string): string => name.replace(/\.$/, '').toLowerCase();
  return bare(a) === bare(b);
}

/** Whether a finding from another check is about this address: by address, else by host, else domain-wide. */
function concerns(f: Finding, address: string, hosts: readonly string[]): boolean {
  const about = text(f.evidence.address);
  if (about !== undefined) return about === address;
  const aboutHost = text(f.evidence.host);
  if (aboutHost !== undefined) return hosts.some((host) => sameHost(aboutHost, host));
  return true;
}

function names(value: EvidenceValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Every MX name at the address (smtp-evidence.ts's `hosts`; `host` alone in findings made before it). */
function hostsOf(group: AddressFindings): string[] {
  const withHosts = group.find((f) => names(f.evidence.hosts).length > 0);
  if (withHosts) return names(withHosts.evidence.hosts);
  const host = group.map((f) => text(f.evidence.host)).find((h) => h !== undefined);
  return host === undefined ? [] : [host];
}

/**
 * Why an MTA-STS sender gets nowhere at this address. What the server does wrong refuses it
 * whichever name leads there; the certificate's names and the policy's mx list are per name, and
 * the sender gets through by any name the certificate carries and the policy names.
 */
function mtaStsRefusalsAt(group: AddressFindings, address: string, uncovered: readonly Finding[]): Finding[] {
  const everywhere = having(MTA_STS_REFUSES, group);
  if (everywhere.length > 0) return everywhere;
  const mismatches = group.filter((f) => f.id === 'tls.cert-name-mismatch');
  const stops = (host: string | undefined): Finding[] => [
    ...mismatches.filter(
      (f) =>
        host === undefined ||
        !f.evidence.unmatchedHosts ||
        names(f.evidence.unmatchedHosts).some((name) => sameHost(name, host)),
    ),
    ...(host === undefined ? [] : uncovered.filter((f) => concerns(f, address, [host]))),
  ];
  const hosts = hostsOf(group);
  const perHost = (hosts.length > 0 ? hosts : [undefined]).map(stops);
  return perHost.every((found) => found.length > 0) ? perHost.flat() : [];
}

const MODERN_TLS = new Set(['TLSv1.2', 'TLSv1.3']);
// What lets a TLS 1.0/1.1-only sender deliver at an address: old TLS there, or no TLS at all.
const OLD_SENDER_GETS_THROUGH = new Set(['tls.version-old', 'smtp.starttls-missing', 'smtp.helo-only']);

export const SMTP_SENDER_FAMILIES: readonly SmtpSenderFamily[] = [
  {
    family: 'tls1.0-only-sender',
    covers:
      'senders that speak TLS 1.0/1.1 at best: Exchange 2010 / Windows Server 2008 R2 without TLS 1.2 enabled, MTAs built on OpenSSL before 1.0.1, old appliances',
    rules: [
      ...SMTP_DELIVERY_RULES,
      {
        // One handshake at our highest version shows the server's best version, never its
        // lowest: TLSv1.3 negotiated says nothing about whether TLS 1.0 would still be accepted.
        // So this can prove "ok" (an address negotiated TLS 1.0/1.1, or offers no STARTTLS and
        // takes mail in clear) but never "fail"; where every address that offers STARTTLS
        // negotiated 1.2 or later, the verdict is unknown. Proving failure needs a second
        // handshake capped at TLS 1.1, which SmtpProbeResult does not carry.
        verdict: 'unknown',
        match: (findings) => {
          const groups = [...findingsByAddress(findings).values()];
          if (groups.some((group) => group.some((f) => OLD_SENDER_GETS_THROUGH.has(f.id)))) return [];
          return groups.flatMap((group) =>
            group.filter((f) => f.id === 'tls.negotiated' && MODERN_TLS.has(String(f.evidence.protocol))),
          );
        },
        expected:
          'could not tell: every MX that offers STARTTLS negotiated TLS 1.2 or later with mxops, and one handshake cannot show whether TLS 1.0/1.1 is still accepted; if not, this sender\'s handshake fails ("unsupported protocol") and it retries in clear or defers. Test with: openssl s_client -starttls smtp -connect <mx>:25 -tls1_1',
      },
    ],
  },
  {
    family: 'mta-sts-enforcing-sender',
    covers:
      'senders that enforce MTA-STS (RFC 8461), e.g. Gmail and Microsoft 365, when the domain publishes a policy in mode enforce',
    rules: [
      ...SMTP_DELIVERY_RULES,
      {
        match: (findings) => {
          const policy = findings.filter((f) => f.id === 'mtasts.enforce');
          if (policy.length === 0) return [];
          const uncovered = findings.filter((f) => f.id === 'mtasts.mx-not-covered' && f.evidence.mode === 'enforce');
          const causes = atEveryAddress(findings, (group, address) => mtaStsRefusalsAt(group, address, uncovered));
          return causes.length > 0 ? unique([...policy, ...causes]) : [];
        },
        expected:
          'no MX passes MTA-STS validation (named by the policy, STARTTLS with a trusted, unexpired certificate naming the MX host): the sender will not deliver in clear or to an unvalidated MX, defers the message and bounces it when its retries run out; TLS-RPT reports name the failure (starttls-not-supported, certificate-expired, certificate-host-mismatch, certificate-not-trusted)',
      },
    ],
    okBecause: (findings) =>
      findings.some((f) => f.id === 'mtasts.enforce')
        ? undefined
        : 'delivers as any sender does: the domain publishes no MTA-STS policy in enforce mode, so there is nothing to enforce here',
  },
  {
    family: 'dane-enforcing-sender',
    covers:
      'senders that verify DANE TLSA records (RFC 7672): Postfix with smtp_tls_security_level = dane, Exim with DANE, Microsoft 365, many European providers',
    rules: [
      ...SMTP_DELIVERY_RULES,
      {
        match: (findings) => {
          const dane = findings.filter((f) => DANE_APPLIES.has(f.id));
          if (dane.length === 0) return [];
          const causes = atEveryAddress(findings, (group, address) => {
            const here = dane.filter((f) => concerns(f, address, hostsOf(group)));
            if (here.length === 0) return [];
            return [...here.filter((f) => DANE_REFUSES.has(f.id)), ...having(NO_TLS, group)];
          });
          return unique(causes);
        },
        expected:
          'no MX can be reached the way DANE requires (STARTTLS with a certificate that matches a TLSA record): the sender defers the message ("TLSA ... no match" or "TLS is required, but was not offered") and bounces it when its retries run out',
      },
    ],
    okBecause: (findings) =>
      findings.some((f) => DANE_APPLIES.has(f.id))
        ? undefined
        : 'delivers as any sender does: no MX host publishes usable TLSA records, so DANE does not apply here',
  },
];

function unique(findings: readonly Finding[]): Finding[] {
  return [...new Set(findings)];
}
