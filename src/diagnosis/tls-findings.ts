/**
 * What one successful STARTTLS handshake shows: the protocol version and the certificate's
 * expiry, name and trust.
 *
 * Certificate problems are `warn`, not `fail`. Mail between MTAs is opportunistic TLS (RFC 3207
 * §4.1, RFC 7435): Postfix (`may`), Exim, Exchange and qmail's TLS patches encrypt without
 * checking the certificate, so an expired, self-signed, untrusted or misnamed certificate does not
 * stop their mail. It stops the senders that authenticate the MX: MTA-STS in enforce mode (RFC 8461
 * §4.2) and DANE (RFC 7672, which checks TLSA records instead of WebPKI trust). Whether the partner
 * publishes such a policy is for the mtasts and dane checks to find, and the sender model
 * (smtp-senders.ts) turns these warnings into failures for those senders.
 */
import { finding, type Evidence, type Finding } from './finding.js';
import type { CertificateInfo, TlsOutcome } from './smtp-port.js';
import type { MailServerSession } from './smtp-sessions.js';
import { serverEvidence, serverLabel } from './smtp-evidence.js';

/** RFC 8996 deprecates TLS 1.0 and 1.1; SSL is long gone (RFC 7568). */
const OLD_PROTOCOLS = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']);

// OpenSSL's verification codes (as Node hands them over) that the findings below explain.
const EXPIRED = 'CERT_HAS_EXPIRED';
const SELF_SIGNED = 'DEPTH_ZERO_SELF_SIGNED_CERT';
const MISSING_INTERMEDIATE = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

// Whether anyone refuses depends on what the domain publishes: only an enforced MTA-STS policy or DANE TLSA records make senders refuse.
const OPPORTUNISTIC =
  'Senders with opportunistic TLS (most MTAs) still deliver; if the domain enforces MTA-STS or publishes DANE TLSA records for this MX, senders that honour them refuse it.';

export interface TlsJudgeOptions {
  /**
   * The wall-clock time to hold `validTo` against. Without it, expiry is known only from the
   * prober's trustError, and OpenSSL reports one error: an expired self-signed certificate shows
   * as self-signed only.
   */
  readonly now?: Date | undefined;
}

export function judgeTls(session: MailServerSession, tls: TlsOutcome, options: TlsJudgeOptions = {}): Finding[] {
  const { result } = session;
  const label = serverLabel(session);
  const leaf = tls.chain[0];
  const base: Evidence = {
    ...serverEvidence(session),
    protocol: tls.protocol ?? null,
    cipher: tls.cipher ?? null,
    tlsMs: Math.round(tls.ms),
  };
  const certificate: Evidence = leaf
    ? { ...base, ...describe(leaf), trusted: tls.trusted, trustError: tls.trustError ?? null }
    : { ...base, certificate: null, trustError: tls.trustError ?? null };
  const findings: Finding[] = [
    finding({
      id: 'tls.negotiated',
      status: 'info',
      subject: label,
      summary: leaf
        ? `${label} negotiated ${tls.protocol ?? 'TLS'}${tls.cipher ? ` (${tls.cipher})` : ''}; its certificate for ${leaf.names.join(', ') || leaf.subject} from ${leaf.issuer} is valid until ${leaf.validTo}.`
        : `${label} negotiated ${tls.protocol ?? 'TLS'}${tls.cipher ? ` (${tls.cipher})` : ''} without presenting a certificate.`,
      evidence: {
        ...certificate,
        nameMatches: tls.nameMatches,
        chain: tls.chain.map((c) => `${c.subject} <- ${c.issuer} (until ${c.validTo})`),
      },
      ref: 'RFC 3207',
    }),
  ];

  if (tls.protocol !== undefined && OLD_PROTOCOLS.has(tls.protocol)) {
    findings.push(
      finding({
        id: 'tls.version-old',
        status: 'warn',
        subject: label,
        summary: `${label} negotiated ${tls.protocol} although mxops offered up to TLS 1.3, so ${tls.protocol} is the best it has; senders that require TLS 1.2 (RFC 8996, OpenSSL 3 at security level 2) fail the handshake and fall back to clear text or defer.`,
        evidence: base,
        remedy: `Enable TLS 1.2 and 1.3 on ${result.request.mxHost} (upgrade the TLS library if it predates OpenSSL 1.0.1), keeping 1.0/1.1 only while legacy partners still need them.`,
        ref: 'RFC 8996 §2-3',
      }),
    );
  }

  if (!leaf) {
    findings.push(
      finding({
        id: 'tls.cert-untrusted',
        status: 'warn',
        subject: label,
        summary: `${label} completed the handshake without a certificate, so no sender can authenticate it. ${OPPORTUNISTIC}`,
        evidence: certificate,
        remedy: `Configure a certificate for ${result.request.mxHost} from a public CA (or publish DANE TLSA records for it).`,
        ref: 'RFC 8461 §4.2; RFC 7672 §3',
      }),
    );
    return findings;
  }

  const pastValidTo = options.now !== undefined && Date.parse(leaf.validTo) < options.now.getTime();
  const expired = pastValidTo || tls.trustError === EXPIRED;
  if (expired) {
    findings.push(
      finding({
        id: 'tls.cert-expired',
        status: 'warn',
        subject: label,
        summary: pastValidTo
          ? `The certificate ${label} serves expired on ${leaf.validTo}. ${OPPORTUNISTIC}`
          : `The certificate chain ${label} serves has expired (OpenSSL: ${EXPIRED}; the leaf is marked valid until ${leaf.validTo}, so if that is still ahead, an intermediate expired). ${OPPORTUNISTIC}`,
        evidence: { ...certificate, chainValidTo: tls.chain.map((c) => c.validTo) },
        remedy: `Renew the certificate of ${result.request.mxHost} (and any expired intermediate it sends), then restart or reload the mail server so it serves the new one; automate renewal.`,
        ref: 'RFC 5280 §4.1.2.5; RFC 8461 §4.2',
      }),
    );
  }

  const selfSigned = leaf.selfSigned || tls.trustError === SELF_SIGNED;
  if (selfSigned) {
    findings.push(
      finding({
        id: 'tls.cert-self-signed',
        status: 'warn',
        subject: label,
        summary: `${label} serves a self-signed certificate (${leaf.subject}). ${OPPORTUNISTIC} Under DANE-EE (TLSA 3 1 1) a self-signed certificate is fine if the TLSA record matches it.`,
        evidence: certificate,
        remedy: `Serve a certificate for ${result.request.mxHost} from a public CA (Let's Encrypt will do), or publish a DANE-EE TLSA record for this one.`,
        ref: 'RFC 8461 §4.2; RFC 7672 §3.1.1',
      }),
    );
  }

  if (!tls.trusted && !expired && !selfSigned) {
    const missingIntermediate = tls.trustError !== undefined && MISSING_INTERMEDIATE.has(tls.trustError);
    findings.push(
      finding({
        id: 'tls.cert-untrusted',
        status: 'warn',
        subject: label,
        summary: `The certificate ${label} serves does not verify against public roots (${tls.trustError ?? 'no reason given'})${missingIntermediate ? ': the intermediate certificate seems to be missing from what the server sends' : ''}. ${OPPORTUNISTIC}`,
        evidence: certificate,
        remedy: missingIntermediate
          ? `Serve the full chain on ${result.request.mxHost}: the leaf followed by its intermediates (Postfix smtpd_tls_chain_files, Exim tls_certificate with the fullchain file).`
          : `Serve a certificate for ${result.request.mxHost} issued by a public CA, with its intermediates.`,
        ref: 'RFC 5280 §6; RFC 8461 §4.2',
      }),
    );
  }

  const unmatched = unmatchedNames(session, tls);
  if (unmatched.length > 0) {
    const names = unmatched.join(', ');
    findings.push(
      finding({
        id: 'tls.cert-name-mismatch',
        status: 'warn',
        subject: label,
        summary: `The certificate ${label} serves names ${leaf.names.join(', ') || leaf.subject}, not the MX ${unmatched.length === 1 ? 'host' : 'hosts'} ${names}. ${OPPORTUNISTIC}`,
        evidence: { ...certificate, unmatchedHosts: unmatched },
        remedy: `Add ${names} to the certificate's subjectAltName, or point the MX ${unmatched.length === 1 ? 'record' : 'records'} at a name the certificate carries.`,
        ref: 'RFC 6125 §6; RFC 8461 §4.2',
      }),
    );
  }
  return findings;
}

/**
 * The MX names at the address the certificate does not carry. Each name is known when the prober
 * matched them all (matchingNames); a result without that knows the session's own name only.
 */
function unmatchedNames({ hosts, result }: MailServerSession, tls: TlsOutcome): string[] {
  const matching = tls.matchingNames;
  if (!matching) return tls.nameMatches ? [] : [result.request.mxHost];
  return (hosts.length > 0 ? hosts : [result.request.mxHost]).filter((host) => !matching.includes(host));
}

function describe(leaf: CertificateInfo): Evidence {
  return {
    certSubject: leaf.subject,
    issuer: leaf.issuer,
    names: leaf.names,
    validFrom: leaf.validFrom,
    validTo: leaf.validTo,
    selfSigned: leaf.selfSigned,
    fingerprintSha256: leaf.fingerprintSha256,
  };
}
