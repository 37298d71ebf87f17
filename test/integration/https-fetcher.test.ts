import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpsResult } from '../../src/diagnosis/https-port.js';
import { createHttpsFetcher } from '../../src/net/https-fetcher.js';
import { MTA_STS_CERT, MTA_STS_KEY, TEST_CA_CERT, WWW_CERT, WWW_KEY } from '../fixtures/tls-certificates.js';

const POLICY_URL = 'https://mta-sts.partner.test/.well-known/mta-sts.txt';
const POLICY = 'version: STSv1\nmode: enforce\nmx: mx1.partner.test\nmax_age: 604800\n';
const LIMITS = { timeoutMs: 2_000, maxBytes: 64 * 1024 };

interface SeenRequest {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly host: string | undefined;
  readonly servername: string | false | null | undefined;
}

interface TestServer {
  readonly port: number;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** An HTTPS server on 127.0.0.1 with a certificate from the test CA. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  cert = MTA_STS_CERT,
  key = MTA_STS_KEY,
): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = https.createServer({ cert, key }, (req, res) => {
    seen.push({
      method: req.method,
      path: req.url,
      host: req.headers.host,
      servername: (req.socket as TLSSocket).servername,
    });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const started: TestServer = {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(started);
  return started;
}

/** A fetcher that trusts the test CA (unless `trust` is 'system roots only') and sends every host to the server on loopback. */
function fetcherFor(server: { port: number }, trust: 'test CA' | 'system roots only' = 'test CA') {
  return createHttpsFetcher({
    ...(trust === 'test CA' ? { ca: TEST_CA_CERT } : {}),
    connectTo: () => ({ address: '127.0.0.1', port: server.port }),
  });
}

function text(body: string, contentType = 'text/plain') {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };
}

function expectFailure(result: HttpsResult): Extract<HttpsResult, { ok: false }> {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return result as Extract<HttpsResult, { ok: false }>;
}

function expectResponse(result: HttpsResult): Extract<HttpsResult, { ok: true }> {
  expect(result.ok, JSON.stringify(result)).toBe(true);
  return result as Extract<HttpsResult, { ok: true }>;
}

describe('HTTPS fetcher against a server on loopback', () => {
  it('GETs the policy with the URL host as SNI and Host header, validating the certificate', async () => {
    const server = await serve(text(POLICY));
    const response = expectResponse(await fetcherFor(server).fetch(POLICY_URL, LIMITS));
    expect(response).toMatchObject({
      url: POLICY_URL,
      address: '127.0.0.1',
      status: 200,
      contentType: 'text/plain',
      location: undefined,
      body: POLICY,
      bytes: POLICY.length,
      truncated: false,
    });
    expect(server.seen).toEqual([
      {
        method: 'GET',
        path: '/.well-known/mta-sts.txt',
        host: 'mta-sts.partner.test',
        servername: 'mta-sts.partner.test',
      },
    ]);
  });

  it('returns a redirect as it is and does not follow it (RFC 8461 §3.3)', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/.well-known/mta-sts.txt') {
        res.writeHead(301, { location: '/policy.txt', 'content-type': 'text/html' });
        res.end('<a href="/policy.txt">moved</a>');
      } else text(POLICY)(req, res);
    });
    const response = expectResponse(await fetcherFor(server).fetch(POLICY_URL, LIMITS));
    expect(response).toMatchObject({ status: 301, location: '/policy.txt', contentType: 'text/html' });
    expect(server.seen.map((r) => r.path)).toEqual(['/.well-known/mta-sts.txt']);
  });

  it('reports the Content-Type as sent', async () => {
    const server = await serve(text('<html>policy</html>', 'text/html; charset=utf-8'));
    expect(expectResponse(await fetcherFor(server).fetch(POLICY_URL, LIMITS)).contentType).toBe(
      'text/html; charset=utf-8',
    );
  });

  it('stops reading at maxBytes and marks the body truncated', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 50; i++) res.write('x'.repeat(4096));
      res.end();
    });
    const response = expectResponse(await fetcherFor(server).fetch(POLICY_URL, LIMITS));
    expect(response).toMatchObject({ truncated: true, bytes: LIMITS.maxBytes });
    expect(response.body).toHaveLength(LIMITS.maxBytes);
  });

  it('does not mark a body of exactly maxBytes truncated', async () => {
    const server = await serve(text('y'.repeat(1000)));
    expect(expectResponse(await fetcherFor(server).fetch(POLICY_URL, { ...LIMITS, maxBytes: 1000 }))).toMatchObject({
      truncated: false,
      bytes: 1000,
    });
  });

  it('fails with certificate when the certificate names another host', async () => {
    const server = await serve(text(POLICY), WWW_CERT, WWW_KEY);
    const failure = expectFailure(await fetcherFor(server).fetch(POLICY_URL, LIMITS));
    expect(failure).toMatchObject({ failure: 'certificate', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(failure.detail).toContain('mta-sts.partner.test');
    expect(server.seen).toEqual([]);
  });

  it('fails with certificate when the issuer is not trusted (validation is on by default)', async () => {
    const server = await serve(text(POLICY));
    const failure = expectFailure(await fetcherFor(server, 'system roots only').fetch(POLICY_URL, LIMITS));
    expect(failure).toMatchObject({ failure: 'certificate', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(server.seen).toEqual([]);
  });

  it('gives up at the deadline with timeout', async () => {
    const server = await serve(() => {
      // never answers
    });
    const failure = expectFailure(await fetcherFor(server).fetch(POLICY_URL, { ...LIMITS, timeoutMs: 300 }));
    expect(failure).toMatchObject({ failure: 'timeout' });
    expect(failure.ms).toBeGreaterThanOrEqual(290);
    expect(failure.ms).toBeLessThan(2_000);
  });

  it('reports a closed port as refused', async () => {
    const server = await serve(text(POLICY));
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    expect(expectFailure(await fetcherFor(server).fetch(POLICY_URL, LIMITS))).toMatchObject({
      failure: 'refused',
      code: 'ECONNREFUSED',
    });
  });

  it('sends nothing to a host that resolves only to non-public addresses', async () => {
    const failure = expectFailure(
      await createHttpsFetcher({ ca: TEST_CA_CERT }).fetch('https://localhost/.well-known/mta-sts.txt', LIMITS),
    );
    expect(failure).toMatchObject({ failure: 'non-public-address', code: 'ENONPUBLIC' });
    expect(failure.detail).toContain('127.0.0.1');
  });

  it('fetches only https: URLs', async () => {
    expect(
      expectFailure(await createHttpsFetcher().fetch('http://mta-sts.partner.test/.well-known/mta-sts.txt', LIMITS)),
    ).toMatchObject({ failure: 'protocol' });
  });
});
