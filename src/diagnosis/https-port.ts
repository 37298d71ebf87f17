/**
 * The HTTPS port, for the MTA-STS policy fetch (RFC 8461 §3.3). The adapter in src/net/ implements
 * it on node:https with certificate validation on. One GET, no redirects followed, no caching, a
 * deadline and a byte cap; everything that can go wrong comes back as data, never as a rejection.
 */

export interface HttpsFetchOptions {
  /** For the whole exchange: connect, TLS, headers and body. */
  readonly timeoutMs: number;
  /** Body bytes kept at most; a longer body is cut there and marked `truncated`. */
  readonly maxBytes: number;
  /**
   * Where the URL's host is: its addresses as the run's DNS gave them, tried in order. The fetcher
   * resolves nothing itself, so the whole diagnosis asks one resolver (a split-DNS site answers one
   * way); the host name serves for SNI, the certificate check and the Host header.
   */
  readonly addresses: readonly string[];
}

/** The server answered over a validated TLS connection, whatever the HTTP status. */
export interface HttpsResponse {
  readonly ok: true;
  readonly url: string;
  /** The address connected to. */
  readonly address: string | undefined;
  readonly status: number;
  /** The Content-Type header as sent, parameters included. */
  readonly contentType: string | undefined;
  /** The Location header of a redirect, which is reported and never followed (RFC 8461 §3.3). */
  readonly location: string | undefined;
  /** The body as UTF-8 text, at most `maxBytes` bytes of it. */
  readonly body: string;
  /** Body bytes received and kept. */
  readonly bytes: number;
  /** True when the body was longer than `maxBytes` and reading stopped there. */
  readonly truncated: boolean;
  readonly ms: number;
}

/**
 * 'certificate': the chain did not verify or does not name the host (`code` is Node's or
 * OpenSSL's, e.g. ERR_TLS_CERT_ALTNAME_INVALID, CERT_HAS_EXPIRED). 'name-not-found': the host has
 * no address (NXDOMAIN/NODATA); 'name-lookup-failed': resolution settled nothing (time-out,
 * SERVFAIL). 'non-public-address': the host resolves only to addresses no sender on the internet
 * can reach, so nothing was sent.
 */
export type HttpsFailureKind =
  | 'timeout'
  | 'name-not-found'
  | 'name-lookup-failed'
  | 'non-public-address'
  | 'refused'
  | 'unreachable'
  | 'reset'
  | 'certificate'
  | 'tls'
  | 'protocol'
  | 'other';

export interface HttpsFailure {
  readonly ok: false;
  readonly url: string;
  readonly failure: HttpsFailureKind;
  /** Node's error code when there is one ('ECONNREFUSED', 'ERR_TLS_CERT_ALTNAME_INVALID', ...); for a name, the DNS rcode or lookup error. */
  readonly code: string | undefined;
  /** One line for people. */
  readonly detail: string;
  readonly ms: number;
}

export type HttpsResult = HttpsResponse | HttpsFailure;

export interface HttpsFetcher {
  /** GETs `url`. Never rejects for anything the server or the network does. */
  fetch(url: string, options: HttpsFetchOptions): Promise<HttpsResult>;
}
