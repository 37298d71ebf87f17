/**
 * The SMTP port: one probe is one session with one MX address, driven the way a sender drives it
 * (banner, EHLO, STARTTLS, EHLO, MAIL FROM:<>, RCPT TO, RSET, QUIT; never DATA). The adapter in
 * src/net/ implements it on node:net and node:tls; the queue adapter runs it in a worker. The
 * result is plain data (it travels through Redis), and the diagnosis core turns it into findings.
 */

export interface SmtpProbeRequest {
  /** The MX host name: the TLS server name (SNI) and the name the certificate must match. */
  readonly mxHost: string;
  /** The address to connect to, already resolved; checked against the safety policy at connect. */
  readonly address: string;
  /** 25 on the internet; another port for test beds. */
  readonly port: number;
  /** The name we give in EHLO/HELO. */
  readonly heloName: string;
  /** MAIL FROM: the null reverse-path ('') unless set; null sender probes need no mailbox of ours. */
  readonly mailFrom: string;
  /** RCPT TO: the address whose mail fails, or postmaster@domain (RFC 5321 §4.5.1). */
  readonly recipient: string;
  /**
   * The other MX names that point at this address. One session serves them all, so the
   * certificate is matched against each of them too (TlsOutcome.matchingNames).
   */
  readonly alsoNames?: readonly string[];
}

/** Hard limits so a hostile or broken server cannot hang or bloat a probe. */
export interface SmtpProbeLimits {
  readonly connectTimeoutMs: number;
  /** How long we wait for the 220 greeting; a slow one is reported, not treated as down. */
  readonly bannerTimeoutMs: number;
  /** Per command reply (RFC 5321 §4.5.3.2 allows minutes; senders use less). */
  readonly commandTimeoutMs: number;
  readonly tlsTimeoutMs: number;
  /** The whole session. */
  readonly totalTimeoutMs: number;
  /** Longest reply line accepted (RFC 5321 §4.5.3.1.5: 512 octets; we allow more before giving up). */
  readonly maxLineLength: number;
  /** SMTP text read in the whole session at most (the TLS handshake is bounded by tlsTimeoutMs). */
  readonly maxBytes: number;
}

export const DEFAULT_SMTP_LIMITS: SmtpProbeLimits = {
  connectTimeoutMs: 10_000,
  bannerTimeoutMs: 30_000,
  commandTimeoutMs: 30_000,
  tlsTimeoutMs: 15_000,
  totalTimeoutMs: 90_000,
  maxLineLength: 4_096,
  maxBytes: 256 * 1024,
};

export type SmtpStep =
  'connect' | 'banner' | 'ehlo' | 'helo' | 'starttls' | 'tls' | 'ehlo-after-tls' | 'mail' | 'rcpt' | 'rset' | 'quit';

export interface SmtpReply {
  readonly code: number;
  /** Reply text lines without the code and separator. */
  readonly lines: readonly string[];
  /** From sending the command (or connecting, for the banner) to the end of the reply. */
  readonly ms: number;
}

export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  /** DNS names from subjectAltName (and the CN when there is no SAN). */
  readonly names: readonly string[];
  /** ISO 8601. */
  readonly validFrom: string;
  readonly validTo: string;
  readonly selfSigned: boolean;
  /** The certificate, DER, base64: for DANE selector 0 and for evidence. */
  readonly der: string;
  /** The SubjectPublicKeyInfo, DER, base64: for DANE selector 1. */
  readonly spki: string;
  readonly fingerprintSha256: string;
}

export interface TlsOutcome {
  readonly ok: boolean;
  /** 'TLSv1.3', 'TLSv1.2', ... */
  readonly protocol: string | undefined;
  readonly cipher: string | undefined;
  /** Why the handshake failed, when it did. */
  readonly error: string | undefined;
  /**
   * Leaf first, as Node's TLS stack built it (getPeerCertificate): it may add the trusted root
   * from the store or drop certificates the server sent, so it is not proof of what was on the wire.
   */
  readonly chain: readonly CertificateInfo[];
  /** Whether the chain verifies against Node's bundled Mozilla roots (plus any extra CA given); the name is judged apart. */
  readonly trusted: boolean;
  /** OpenSSL's reason when it does not ('CERT_HAS_EXPIRED', 'SELF_SIGNED_CERT_IN_CHAIN', ...). */
  readonly trustError: string | undefined;
  /** Whether the leaf certificate matches the MX host name (RFC 6125). */
  readonly nameMatches: boolean;
  /**
   * Of the MX host name and the request's alsoNames, those the leaf certificate matches (RFC 6125),
   * as the request spelled them. Absent from results made before it existed (a kept probe).
   */
  readonly matchingNames?: readonly string[];
  readonly ms: number;
}

export type ConnectFailure = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'other';

export interface SmtpProbeResult {
  readonly request: SmtpProbeRequest;
  /**
   * Set when the safety policy stopped the connection: a non-public address (the ipaddr.js range
   * name), or 'invalid' when the address is not an IP address. Nothing was sent.
   */
  readonly refusedByPolicy: { readonly range: string } | undefined;
  readonly connect:
    | { readonly ok: true; readonly ms: number }
    | { readonly ok: false; readonly error: ConnectFailure; readonly detail: string; readonly ms: number }
    | undefined;
  /** The greeting; its `ms` is the banner delay after the connection was made. */
  readonly banner: SmtpReply | undefined;
  readonly ehlo: SmtpReply | undefined;
  /** HELO, sent only when EHLO was refused. */
  readonly helo: SmtpReply | undefined;
  /** EHLO keywords (upper case) with their parameters, from the last EHLO that succeeded. */
  readonly extensions: Readonly<Record<string, string>>;
  readonly starttls: SmtpReply | undefined;
  readonly tls: TlsOutcome | undefined;
  readonly ehloAfterTls: SmtpReply | undefined;
  readonly mail: SmtpReply | undefined;
  readonly rcpt: SmtpReply | undefined;
  /**
   * Where and why the session ended early, if it did. A 421 is reason 'closed' with the reply in
   * `detail`; a refusal that leaves nothing to ask (non-220 banner, EHLO and HELO refused, MAIL
   * refused) is 'protocol'. The reply itself is always in its own field too.
   */
  readonly abort:
    | {
        readonly step: SmtpStep;
        readonly reason:
          'timeout' | 'closed' | 'line-too-long' | 'too-many-bytes' | 'total-timeout' | 'protocol' | 'error';
        readonly detail: string;
      }
    | undefined;
  /** What was said, in order (capped); C: ours, S: theirs. */
  readonly transcript: readonly { readonly from: 'C' | 'S'; readonly text: string; readonly atMs: number }[];
  readonly totalMs: number;
}

/** A result in which nothing happened yet: the start of every probe, and the shape of one that never ran. */
export function blankProbeResult(request: SmtpProbeRequest): SmtpProbeResult {
  return {
    request,
    refusedByPolicy: undefined,
    connect: undefined,
    banner: undefined,
    ehlo: undefined,
    helo: undefined,
    extensions: {},
    starttls: undefined,
    tls: undefined,
    ehloAfterTls: undefined,
    mail: undefined,
    rcpt: undefined,
    abort: undefined,
    transcript: [],
    totalMs: 0,
  };
}

export interface ProbeOptions {
  /** Probe now, never hand back a recent result of the same probe (Re-check: the partner may have just fixed it). */
  readonly fresh?: boolean;
}

export interface SmtpProber {
  /** Never rejects for anything the server does: every outcome is in the result. */
  probe(request: SmtpProbeRequest, options?: ProbeOptions): Promise<SmtpProbeResult>;
}
