import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpsResult } from '../../src/diagnosis/https-port.js';
import { createHttpsFetcher } from '../../src/net/https-fetcher.js';
import { TEST_CA_CERT, WWW_CERT, WWW_KEY } from '../fixtures/tls-certificates.js';
import { serveText, startHttpsServer, type TestHttpsServer } from '../support/https-test-server.js';

const POLICY_URL = 'https://mta-sts.partner.test/.well-known/mta-sts.txt';
const POLICY = 'version: STSv1\nmode: enforce\nmx: mx1.partner.test\nmax_age: 604800\n';
const LIMITS = { timeoutMs: 2_000, maxBytes: 64 * 1024, addresses: ['127.0.0.1'] };

const servers: TestHttpsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** An HTTPS server on 127.0.0.1 with a certificate from the test CA (for mta-sts.partner.test unless given). */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  cert?: string,
  key?: string,
): Promise<TestHttpsServer> {
  const started = await startHttpsServer(handler, { ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
  servers.push(started);
  return started;
}

/** A fetcher that trusts the test CA (unless `trust` is 'system roots only'), may connect to loopback, on the server's port. */
function fetcherFor(server: { port: number }, trust: 'test CA' | 'system roots only' = 'test CA') {
  return createHttpsFetcher({
    ...(trust === 'test CA' ? { ca: TEST_CA_CERT } : {}),
    allowPrivateTargets: true,
    port: server.port,
  });
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
    const server = await serve(serveText(POLICY));
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
      } else serveText(POLICY)(req, res);
    });
    const response = expectResponse(await fetcherFor(server).fetch(POLICY_URL, LIMITS));
    expect(response).toMatchObject({ status: 301, location: '/policy.txt', contentType: 'text/html' });
    expect(server.seen.map((r) => r.path)).toEqual(['/.well-known/mta-sts.txt']);
  });

  it('reports the Content-Type as sent', async () => {
    const server = await serve(serveText('<html>policy</html>', 'text/html; charset=utf-8'));
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
    const server = await serve(serveText('y'.repeat(1000)));
    expect(expectResponse(await fetcherFor(server).fetch(POLICY_URL, { ...LIMITS, maxBytes: 1000 }))).toMatchObject({
      truncated: false,
      bytes: 1000,
    });
  });

  it('fails with certificate when the certificate names another host', async () => {
    const server = await serve(serveText(POLICY), WWW_CERT, WWW_KEY);
    const failure = expectFailure(await fetcherFor(server).fetch(POLICY_URL, LIMITS));
    expect(failure).toMatchObject({ failure: 'certificate', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(failure.detail).toContain('mta-sts.partner.test');
    expect(server.seen).toEqual([]);
  });

  it('fails with certificate when the issuer is not trusted (validation is on by default)', async () => {
    const server = await serve(serveText(POLICY));
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
    const server = await serve(serveText(POLICY));
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    expect(expectFailure(await fetcherFor(server).fetch(POLICY_URL, LIMITS))).toMatchObject({
      failure: 'refused',
      code: 'ECONNREFUSED',
    });
  });

  it('sends nothing when every address given is non-public and private targets are not allowed', async () => {
    const server = await serve(serveText(POLICY));
    const guarded = createHttpsFetcher({ ca: TEST_CA_CERT, allowPrivateTargets: false, port: server.port });
    const failure = expectFailure(await guarded.fetch(POLICY_URL, { ...LIMITS, addresses: ['127.0.0.1', '10.0.0.1'] }));
    expect(failure).toMatchObject({ failure: 'non-public-address', code: 'ENONPUBLIC' });
    expect(failure.detail).toContain('127.0.0.1, 10.0.0.1');
    expect(server.connections()).toBe(0);
  });

  it('tries the addresses given in turn: one that refuses, then the server', async () => {
    const server = await serve(serveText(POLICY));
    const response = expectResponse(
      await fetcherFor(server).fetch(POLICY_URL, { ...LIMITS, addresses: ['127.0.0.2', '127.0.0.1'] }),
    );
    expect(response).toMatchObject({ status: 200, address: '127.0.0.1', body: POLICY });
    expect(server.seen.map((r) => r.servername)).toEqual(['mta-sts.partner.test']);
  });

  it('names every address tried when none answers', async () => {
    const server = await serve(serveText(POLICY));
    const failure = expectFailure(
      await fetcherFor(server).fetch(POLICY_URL, { ...LIMITS, addresses: ['127.0.0.2', '127.0.0.3'] }),
    );
    expect(failure).toMatchObject({ failure: 'refused', code: 'ECONNREFUSED' });
    expect(failure.detail).toContain(`127.0.0.2:${server.port}`);
    expect(failure.detail).toContain(`127.0.0.3:${server.port}`);
  });

  it('refuses a URL that names an address, which the address rule could not check', async () => {
    const server = await serve(serveText(POLICY));
    const failure = expectFailure(
      await fetcherFor(server).fetch('https://127.0.0.1/.well-known/mta-sts.txt', {
        ...LIMITS,
        addresses: ['127.0.0.1'],
      }),
    );
    expect(failure).toMatchObject({ failure: 'protocol' });
    expect(server.connections()).toBe(0);
  });

  it('fetches only https: URLs', async () => {
    expect(
      expectFailure(
        await createHttpsFetcher({ allowPrivateTargets: true }).fetch(
          'http://mta-sts.partner.test/.well-known/mta-sts.txt',
          LIMITS,
        ),
      ),
    ).toMatchObject({ failure: 'protocol' });
  });
});
