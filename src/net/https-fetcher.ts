import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import tls from 'node:tls';
import { systemClock, type Clock } from '../clock.js';
import type {
  HttpsFailure,
  HttpsFailureKind,
  HttpsFetcher,
  HttpsFetchOptions,
  HttpsResult,
} from '../diagnosis/https-port.js';
import { classifySocketError } from './socket-error.js';
import { refusedRange } from './target-policy.js';

export interface HttpsFetcherOptions {
  /** Loopback, private and reserved addresses are refused unless this is set, as for SMTP probes (test beds). */
  readonly allowPrivateTargets: boolean;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots: for test beds. */
  readonly ca?: string | readonly string[];
  /** Tests only: the port to connect to instead of the URL's (a loopback test server listens on a free one). */
  readonly port?: number;
  /** Times each fetch (the result's `ms`); the system clock unless a test sets one. */
  readonly clock?: Clock;
}

type Refusal = Pick<HttpsFailure, 'failure' | 'code' | 'detail'>;

/**
 * HttpsFetcher on node:https: certificate validation on (Node's roots plus `ca`), one GET to the
 * addresses given (never resolved here), redirects returned and never followed, no cache, no
 * keep-alive, one deadline for the whole exchange and a byte cap on the body (RFC 8461 §3.3).
 */
export function createHttpsFetcher(options: HttpsFetcherOptions): HttpsFetcher {
  const extra = options.ca === undefined ? [] : typeof options.ca === 'string' ? [options.ca] : options.ca;
  const ca = extra.length > 0 ? [...tls.rootCertificates, ...extra] : undefined;
  const clock = options.clock ?? systemClock;
  return {
    fetch(url: string, limits: HttpsFetchOptions): Promise<HttpsResult> {
      const started = clock.monotonicMs();
      const elapsed = (): number => clock.monotonicMs() - started;
      const checked = checkRequest(url, limits.addresses, options.allowPrivateTargets);
      if ('failure' in checked) return Promise.resolve({ ok: false, url, ...checked, ms: elapsed() });
      const { target, usable } = checked;
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
            failure: failureOf(error),
            code: error.code,
            detail: describeError(error),
            ms: elapsed(),
          });
        const request = https.request({
          host: target.hostname,
          port: options.port ?? (target.port === '' ? 443 : Number(target.port)),
          path: `${target.pathname}${target.search}`,
          method: 'GET',
          servername: target.hostname,
          headers: { host: target.host, accept: 'text/plain', 'user-agent': 'mxops' },
          ca,
          rejectUnauthorized: true,
          agent: false,
          lookup: givenAddresses(usable),
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

/** Why nothing may be sent for this request, or its URL and the addresses that may be connected to. */
function checkRequest(
  url: string,
  addresses: readonly string[],
  allowPrivateTargets: boolean,
): Refusal | { readonly target: URL; readonly usable: readonly string[] } {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { failure: 'protocol', code: undefined, detail: `"${url}" is not a URL` };
  }
  if (target.protocol !== 'https:')
    return { failure: 'protocol', code: undefined, detail: `only https: URLs are fetched, not ${target.protocol}` };
  // Node connects to an address in the URL without asking `lookup`, which would skip the address rule below.
  if (net.isIP(target.hostname.replace(/^\[(.*)\]$/, '$1')) !== 0)
    return { failure: 'protocol', code: undefined, detail: `${target.host} is an address, not a host name` };
  if (addresses.length === 0)
    return { failure: 'name-not-found', code: undefined, detail: `no address for ${target.hostname}` };
  // A partner's name must not make us fetch from our own network.
  const usable = addresses.filter((address) => refusedRange(address, allowPrivateTargets) === undefined);
  if (usable.length === 0)
    return {
      failure: 'non-public-address',
      code: 'ENONPUBLIC',
      detail: `${target.hostname} resolves only to non-public addresses (${addresses.join(', ')}); nothing was sent`,
    };
  return { target, usable };
}

/**
 * Node's look-up answered with the addresses the caller resolved and the address rule let
 * through; with several, Node tries each in turn (autoSelectFamily), as it would after DNS.
 */
function givenAddresses(addresses: readonly string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: net.isIP(address) }));
  return (_hostname, lookupOptions, callback) =>
    // Asynchronous like dns.lookup: the socket listens for its 'lookup' only after asking.
    process.nextTick(() => {
      const [first] = entries;
      if (lookupOptions.all || first === undefined) callback(null, entries);
      else callback(null, first.address, first.family);
    });
}

/** HTTP parser errors (llhttp's HPE_ codes) are the server's protocol; the rest is the socket's. */
function failureOf(error: NodeJS.ErrnoException): HttpsFailureKind {
  return error.code?.startsWith('HPE_') ? 'protocol' : classifySocketError(error);
}

/** Every address failed: Node's AggregateError has no message of its own, only its errors'. */
function describeError(error: Error): string {
  if (error.message !== '' || !(error instanceof AggregateError)) return error.message;
  return error.errors.map((inner) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
}
