import dns from 'node:dns';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { nonPublicRange } from '../diagnosis/address-scope.js';
import type { HttpsFailureKind, HttpsFetcher, HttpsFetchOptions, HttpsResult } from '../diagnosis/https-port.js';

export interface HttpsFetcherOptions {
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots: for test beds. */
  readonly ca?: string | readonly string[];
  /**
   * Tests only: where to connect for a URL host instead of resolving it (mta-sts.partner.test ->
   * 127.0.0.1 and the test server's port). SNI, the certificate name check and the Host header
   * still use the URL's host. It bypasses the public-address rule, which is why production
   * never sets it.
   */
  readonly connectTo?: (host: string) => { readonly address: string; readonly port: number } | undefined;
}

/** OpenSSL's verify results as Node reports them: the certificate, not the connection, is at fault. */
const CERTIFICATE_CODES = new Set([
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

const FAILURE_BY_CODE: Record<string, HttpsFailureKind> = {
  ENOTFOUND: 'name-not-found',
  ENODATA: 'name-not-found',
  EAI_AGAIN: 'name-lookup-failed',
  ENONPUBLIC: 'non-public-address',
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ETIMEDOUT: 'timeout',
};

/**
 * HttpsFetcher on node:https: certificate validation on (Node's roots plus `ca`), one GET,
 * redirects returned and never followed, no cache, no keep-alive, one deadline for the whole
 * exchange and a byte cap on the body (RFC 8461 §3.3).
 */
export function createHttpsFetcher(options: HttpsFetcherOptions = {}): HttpsFetcher {
  const extra = options.ca === undefined ? [] : typeof options.ca === 'string' ? [options.ca] : options.ca;
  const ca = extra.length > 0 ? [...tls.rootCertificates, ...extra] : undefined;
  return {
    fetch(url: string, limits: HttpsFetchOptions): Promise<HttpsResult> {
      const started = performance.now();
      const elapsed = (): number => performance.now() - started;
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return Promise.resolve({
          ok: false,
          url,
          failure: 'protocol',
          code: undefined,
          detail: `"${url}" is not a URL`,
          ms: 0,
        });
      }
      if (target.protocol !== 'https:')
        return Promise.resolve({
          ok: false,
          url,
          failure: 'protocol',
          code: undefined,
          detail: `only https: URLs are fetched, not ${target.protocol}`,
          ms: 0,
        });
      const override = options.connectTo?.(target.hostname);
      return new Promise<HttpsResult>((resolve) => {
        let done = false;
        const finish = (result: HttpsResult): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          request.destroy();
          resolve(result);
        };
        const fail = (error: NodeJS.ErrnoException): void =>
          finish({
            ok: false,
            url,
            failure: classify(error.code),
            code: error.code,
            detail: error.message,
            ms: elapsed(),
          });
        const request = https.request({
          host: override?.address ?? target.hostname,
          port: override?.port ?? (target.port === '' ? 443 : Number(target.port)),
          path: `${target.pathname}${target.search}`,
          method: 'GET',
          servername: target.hostname,
          headers: { host: target.host, accept: 'text/plain', 'user-agent': 'mxops' },
          ca,
          rejectUnauthorized: true,
          agent: false,
          lookup: override ? undefined : publicOnlyLookup,
        });
        let address: string | undefined;
        request.on('socket', (socket) => socket.once('connect', () => (address = socket.remoteAddress)));
        const timer = setTimeout(
          () =>
            finish({
              ok: false,
              url,
              failure: 'timeout',
              code: undefined,
              detail: `no complete answer in ${limits.timeoutMs} ms`,
              ms: elapsed(),
            }),
          limits.timeoutMs,
        );
        request.on('error', fail);
        request.on('response', (response) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          const respond = (truncated: boolean): void =>
            finish({
              ok: true,
              url,
              address,
              status: response.statusCode ?? 0,
              contentType: response.headers['content-type'],
              location: response.headers.location,
              body: Buffer.concat(chunks).toString('utf8'),
              bytes,
              truncated,
              ms: elapsed(),
            });
          response.on('data', (chunk: Buffer) => {
            if (done) return;
            const room = limits.maxBytes - bytes;
            chunks.push(chunk.subarray(0, room));
            bytes += Math.min(chunk.length, room);
            if (chunk.length > room) respond(true);
          });
          response.on('end', () => respond(false));
          response.on('error', fail);
        });
        request.end();
      });
    },
  };
}

function classify(code: string | undefined): HttpsFailureKind {
  if (code === undefined) return 'other';
  if (CERTIFICATE_CODES.has(code)) return 'certificate';
  const known = FAILURE_BY_CODE[code];
  if (known) return known;
  if (code.startsWith('ERR_SSL')) return 'tls';
  return code.startsWith('HPE_') ? 'protocol' : 'other';
}

/** Resolves as Node would, then keeps only public addresses: a partner's name must not make us fetch from our own network. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const usable = addresses.filter((a) => nonPublicRange(a.address) === undefined);
    const first = usable[0];
    if (!first) {
      const refused: NodeJS.ErrnoException = new Error(
        `${hostname} resolves only to non-public addresses (${addresses.map((a) => a.address).join(', ')}); nothing was sent`,
      );
      refused.code = 'ENONPUBLIC';
      return callback(refused, '');
    }
    if (options.all) return callback(null, usable);
    return callback(null, first.address, first.family);
  });
};
