/**
 * One reading of what went wrong on a socket (TCP, UDP or TLS), from Node's error code. The DNS
 * client, the SMTP channel and the HTTPS fetcher each put it in their own words on top, so an
 * errno means the same thing in every part of a report.
 */
export type SocketErrorKind = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'certificate' | 'tls' | 'other';

const KIND_BY_CODE: ReadonlyMap<string, SocketErrorKind> = new Map([
  ['ETIMEDOUT', 'timeout'],
  ['ECONNREFUSED', 'refused'],
  ['EHOSTUNREACH', 'unreachable'],
  ['ENETUNREACH', 'unreachable'],
  ['ECONNRESET', 'reset'],
  // A write to a connection the peer has already torn down: the reset, seen from the sending side.
  ['EPIPE', 'reset'],
]);

/** OpenSSL's verify results as Node reports them: the certificate, not the connection, is at fault. */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);

/** The kind of a socket error; anything without a code, or with one not listed here, is 'other'. */
export function classifySocketError(error: { readonly code?: string | undefined }): SocketErrorKind {
  const { code } = error;
  if (code === undefined) return 'other';
  if (CERTIFICATE_CODES.has(code)) return 'certificate';
  // Node's own TLS errors (ERR_SSL_WRONG_VERSION_NUMBER, ...): the handshake, not the certificate, failed.
  return KIND_BY_CODE.get(code) ?? (code.startsWith('ERR_SSL') ? 'tls' : 'other');
}
