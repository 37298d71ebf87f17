import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpProbeLimits, SmtpProbeRequest, SmtpProbeResult } from '../../src/diagnosis/smtp-port.js';
import { createSmtpProber } from '../../src/net/smtp-prober.js';
import {
  createTestPki,
  endlessLine,
  endlessMultilineGreeting,
  scripted,
  silent,
  startRawSmtpServer,
  startSmtpServer,
  type ScriptedAnswer,
  type TestPki,
} from '../support/smtp-test-server.js';

const MX_HOST = 'mx.partner.test';
const HELO = 'probe.mxops.test';
const RECIPIENT = 'postmaster@partner.test';

/** Short enough that a test that hangs fails fast, long enough for a loaded CI machine. */
const FAST: Partial<SmtpProbeLimits> = {
  connectTimeoutMs: 1000,
  bannerTimeoutMs: 2000,
  commandTimeoutMs: 1000,
  tlsTimeoutMs: 1000,
  totalTimeoutMs: 5000,
};

const clientLines = (result: SmtpProbeResult): string[] =>
  result.transcript.filter((entry) => entry.from === 'C').map((entry) => entry.text);

describe('SMTP prober against servers on loopback', () => {
  let pki: TestPki;
  const running: { close(): Promise<void> }[] = [];
  const started = async <T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> => {
    const value = await server;
    running.push(value);
    return value;
  };
  const prober = (limits: Partial<SmtpProbeLimits> = {}) =>
    createSmtpProber({ allowPrivateTargets: true, trustedCa: pki.caCert, limits: { ...FAST, ...limits } });
  const ask = (
    server: { address: string; port: number },
    overrides: Partial<SmtpProbeRequest> = {},
  ): SmtpProbeRequest => ({
    mxHost: MX_HOST,
    address: server.address,
    port: server.port,
    heloName: HELO,
    mailFrom: '',
    recipient: RECIPIENT,
    ...overrides,
  });

  beforeAll(async () => {
    pki = await createTestPki(MX_HOST);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()));
  });

  it('walks a STARTTLS session to RCPT and reports TLS, chain, trust and both EHLO answers', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.31', certificate: pki.valid }));
    const result = await prober().probe(ask(server));

    expect(result.abort).toBeUndefined();
    expect(result.refusedByPolicy).toBeUndefined();
    expect(result.connect?.ok).toBe(true);
    expect(result.banner?.code).toBe(220);
    expect(result.banner?.lines[0]).toMatch(/^mx\.partner\.test ESMTP/);
    expect(result.ehlo?.lines.slice(1)).toEqual(expect.arrayContaining(['PIPELINING', 'STARTTLS']));
    expect(result.helo).toBeUndefined();
    expect(result.starttls?.code).toBe(220);
    expect(result.ehloAfterTls?.code).toBe(250);
    // RFC 3207 §4.2: the answer to the EHLO inside TLS replaces the one before it.
    expect(result.extensions).toHaveProperty('PIPELINING', '');
    expect(result.extensions).toHaveProperty('8BITMIME');
    expect(result.extensions).not.toHaveProperty('STARTTLS');
    expect(result.mail?.code).toBe(250);
    expect(result.rcpt?.code).toBe(250);

    const tls = result.tls;
    expect(tls?.ok).toBe(true);
    expect(['TLSv1.3', 'TLSv1.2']).toContain(tls?.protocol);
    expect(tls?.cipher).toBeTruthy();
    expect(tls?.trusted).toBe(true);
    expect(tls?.trustError).toBeUndefined();
    expect(tls?.nameMatches).toBe(true);
    expect(tls?.chain).toHaveLength(2);
    const [leaf, ca] = tls?.chain ?? [];
    const servedLeaf = new X509Certificate(pki.valid.cert);
    expect(leaf).toMatchObject({
      subject: `CN=${MX_HOST}`,
      issuer: 'CN=mxops test CA',
      names: [MX_HOST],
      selfSigned: false,
    });
    expect(leaf?.der).toBe(servedLeaf.raw.toString('base64'));
    expect(leaf?.spki).toBe(servedLeaf.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
    expect(leaf?.fingerprintSha256).toBe(servedLeaf.fingerprint256);
    expect(Date.parse(leaf?.validTo ?? '')).toBeGreaterThan(Date.now());
    expect(ca).toMatchObject({ subject: 'CN=mxops test CA', selfSigned: true });

    expect(clientLines(result)).toEqual([
      `EHLO ${HELO}`,
      'STARTTLS',
      `EHLO ${HELO}`,
      'MAIL FROM:<>',
      `RCPT TO:<${RECIPIENT}>`,
      'RSET',
      'QUIT',
    ]);
    expect(result.transcript.at(-1)?.text).toMatch(/^221 /);
    expect(server.commands).not.toContain('DATA');
    expect(server.commands.at(-1)).toBe('QUIT');
  });

  it('reports a certificate for another name as trusted but not matching', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.32', certificate: pki.wrongName }));
    const { tls, rcpt } = await prober().probe(ask(server));
    expect(tls).toMatchObject({ ok: true, trusted: true, nameMatches: false });
    expect(tls?.chain[0]?.names).toEqual([`other.${MX_HOST}`]);
    expect(rcpt?.code).toBe(250);
  });

  it("reports an expired certificate with OpenSSL's reason, and goes on as an opportunistic sender does", async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.33', certificate: pki.expired }));
    const { tls, rcpt, abort } = await prober().probe(ask(server));
    expect(tls).toMatchObject({ ok: true, trusted: false, trustError: 'CERT_HAS_EXPIRED', nameMatches: true });
    expect(tls?.chain[0]?.validTo).toBe('2020-02-01T00:00:00.000Z');
    expect(abort).toBeUndefined();
    expect(rcpt?.code).toBe(250);
  });

  it('recognises a self-signed certificate', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.34', certificate: pki.selfSigned }));
    const { tls } = await prober().probe(ask(server));
    expect(tls).toMatchObject({
      ok: true,
      trusted: false,
      trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      nameMatches: true,
    });
    expect(tls?.chain).toHaveLength(1);
    expect(tls?.chain[0]).toMatchObject({ selfSigned: true, subject: `CN=${MX_HOST}`, issuer: `CN=${MX_HOST}` });
  });

  it('stays in the clear when STARTTLS is not offered', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.35' }));
    const result = await prober().probe(ask(server));
    expect(result.tls).toBeUndefined();
    expect(result.starttls).toBeUndefined();
    expect(result.ehloAfterTls).toBeUndefined();
    expect(result.extensions).toHaveProperty('PIPELINING');
    expect(result.extensions).not.toHaveProperty('STARTTLS');
    expect(result.rcpt?.code).toBe(250);
    expect(clientLines(result)).toEqual([`EHLO ${HELO}`, 'MAIL FROM:<>', `RCPT TO:<${RECIPIENT}>`, 'RSET', 'QUIT']);
  });

  it('records a 550 to RCPT and still ends the session politely', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.36', rcpt: 'reject' }));
    const result = await prober().probe(ask(server));
    expect(result.rcpt?.code).toBe(550);
    expect(result.rcpt?.lines.join(' ')).toContain('No such user');
    expect(result.abort).toBeUndefined();
    expect(clientLines(result).slice(-2)).toEqual(['RSET', 'QUIT']);
  });

  it('records greylisting (451 to RCPT) as a reply, not as a failure of the session', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.36', rcpt: 'greylist' }));
    const result = await prober().probe(ask(server));
    expect(result.rcpt?.code).toBe(451);
    expect(result.rcpt?.lines.join(' ')).toContain('Greylisted');
    expect(result.abort).toBeUndefined();
  });

  it('stops at a 421 greeting and sends nothing', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.37', refuseAtConnect: true }));
    const result = await prober().probe(ask(server));
    expect(result.banner?.code).toBe(421);
    expect(result.abort).toMatchObject({ step: 'banner', reason: 'closed' });
    expect(result.abort?.detail).toMatch(/^421 .*Too many connections/);
    expect(result.ehlo).toBeUndefined();
    expect(clientLines(result)).toEqual([]);
  });

  it('waits out a slow banner within bannerTimeoutMs and measures the delay', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.38', bannerDelayMs: 1500 }));
    const result = await prober({ bannerTimeoutMs: 5000 }).probe(ask(server));
    expect(result.abort).toBeUndefined();
    expect(result.banner?.code).toBe(220);
    expect(result.banner?.ms).toBeGreaterThanOrEqual(1400);
    expect(result.rcpt?.code).toBe(250);
  });

  it('gives up on a banner slower than bannerTimeoutMs', async () => {
    const server = await started(startSmtpServer({ address: '127.0.0.38', bannerDelayMs: 2000 }));
    const result = await prober({ bannerTimeoutMs: 300 }).probe(ask(server));
    expect(result.connect?.ok).toBe(true);
    expect(result.banner).toBeUndefined();
    expect(result.abort).toMatchObject({ step: 'banner', reason: 'timeout' });
    expect(result.totalMs).toBeLessThan(1500);
  });

  it('stops a line without end at maxLineLength', async () => {
    const server = await started(startRawSmtpServer(endlessLine, '127.0.0.39'));
    const result = await prober({ maxLineLength: 4096 }).probe(ask(server));
    expect(result.abort).toMatchObject({ step: 'banner', reason: 'line-too-long' });
    expect(result.totalMs).toBeLessThan(1000);
    expect(result.transcript).toHaveLength(1);
    expect(result.transcript[0]?.text.length).toBeLessThanOrEqual(301);
  });

  it('stops a multi-line reply without end at maxBytes, with a capped transcript', async () => {
    const server = await started(startRawSmtpServer(endlessMultilineGreeting, '127.0.0.39'));
    const result = await prober({ maxBytes: 64 * 1024 }).probe(ask(server));
    expect(result.abort).toMatchObject({ step: 'banner', reason: 'too-many-bytes' });
    expect(result.banner).toBeUndefined();
    expect(result.totalMs).toBeLessThan(2000);
    expect(result.transcript.length).toBeLessThanOrEqual(201);
    expect(result.transcript.at(-1)?.text).toBe('[further reply lines not kept]');
  });

  it('ends a session with a silent server at totalTimeoutMs', async () => {
    const server = await started(startRawSmtpServer(silent, '127.0.0.39'));
    const result = await prober({ bannerTimeoutMs: 5000, totalTimeoutMs: 300 }).probe(ask(server));
    expect(result.abort).toMatchObject({ step: 'banner', reason: 'total-timeout' });
    expect(result.totalMs).toBeLessThan(1000);
  });

  it('reports a refused connection', async () => {
    const closed = await startRawSmtpServer(silent, '127.0.0.40');
    await closed.close();
    const result = await prober().probe(ask(closed));
    expect(result.connect).toMatchObject({ ok: false, error: 'refused' });
    expect(result.banner).toBeUndefined();
    expect(result.abort).toBeUndefined();
  });

  it('falls back to HELO when EHLO is not understood', async () => {
    const answers = {
      EHLO: '502 5.5.2 Error: command not recognized',
      HELO: '250 old.partner.test',
      MAIL: '250 2.1.0 Ok',
      RCPT: '250 2.1.5 Ok',
      RSET: '250 2.0.0 Ok',
      QUIT: '221 2.0.0 Bye',
    };
    const server = await started(startRawSmtpServer(scripted('220 old.partner.test SMTP', answers), '127.0.0.41'));
    const result = await prober().probe(ask(server));
    expect(result.ehlo?.code).toBe(502);
    expect(result.helo?.code).toBe(250);
    expect(result.extensions).toEqual({});
    expect(result.starttls).toBeUndefined();
    expect(result.rcpt?.code).toBe(250);
    expect(result.abort).toBeUndefined();
    expect(clientLines(result)).toEqual([
      `EHLO ${HELO}`,
      `HELO ${HELO}`,
      'MAIL FROM:<>',
      `RCPT TO:<${RECIPIENT}>`,
      'RSET',
      'QUIT',
    ]);
  });

  it('stops after a 5xx to MAIL without asking RCPT, saying QUIT', async () => {
    const answers = {
      EHLO: '250 mx.partner.test',
      MAIL: '554 5.7.1 Your address is on our blocklist',
      QUIT: '221 Bye',
    };
    const server = await started(startRawSmtpServer(scripted('220 mx.partner.test ESMTP', answers), '127.0.0.41'));
    const result = await prober().probe(ask(server));
    expect(result.mail?.code).toBe(554);
    expect(result.rcpt).toBeUndefined();
    expect(result.abort).toMatchObject({ step: 'mail', reason: 'protocol' });
    expect(clientLines(result)).toEqual([`EHLO ${HELO}`, 'MAIL FROM:<>', 'QUIT']);
  });

  it('ends the session on a 421 in the middle of it: the server is closing, not refusing the recipient', async () => {
    const answers = {
      EHLO: '250 mx.partner.test',
      MAIL: '250 Ok',
      RCPT: '421 4.7.0 mx.partner.test Too many errors, closing connection',
    };
    const server = await started(startRawSmtpServer(scripted('220 mx.partner.test ESMTP', answers), '127.0.0.41'));
    const result = await prober().probe(ask(server));
    expect(result.rcpt?.code).toBe(421);
    expect(result.abort).toMatchObject({ step: 'rcpt', reason: 'closed' });
    expect(clientLines(result).at(-1)).toBe(`RCPT TO:<${RECIPIENT}>`);
  });

  it('does not read an unasked-for reply as the answer to the next command', async () => {
    const answers = { EHLO: '250 mx.partner.test\r\n250 and one reply too many', MAIL: '250 Ok', QUIT: '221 Bye' };
    const server = await started(startRawSmtpServer(scripted('220 mx.partner.test ESMTP', answers), '127.0.0.41'));
    const result = await prober().probe(ask(server));
    expect(result.ehlo?.code).toBe(250);
    expect(result.mail).toBeUndefined();
    expect(result.abort).toMatchObject({ step: 'mail', reason: 'protocol' });
  });

  it('reads multi-line replies ended by bare LF as well as CRLF', async () => {
    const answers = {
      EHLO: '250-mx.partner.test\n250-SIZE 10240000\n250 8BITMIME',
      MAIL: '250 Ok',
      RCPT: '250 Ok',
      RSET: '250 Ok',
      QUIT: '221 Bye',
    };
    const server = await started(
      startRawSmtpServer(scripted('220-mx.partner.test ESMTP\n220 no UCE', answers), '127.0.0.41'),
    );
    const result = await prober().probe(ask(server));
    expect(result.banner).toMatchObject({ code: 220, lines: ['mx.partner.test ESMTP', 'no UCE'] });
    expect(result.extensions).toEqual({ SIZE: '10240000', '8BITMIME': '' });
    expect(result.rcpt?.code).toBe(250);
  });

  it('never rejects, even for a request it cannot act on', async () => {
    const result = await prober().probe(ask({ address: '127.0.0.44', port: 70_000 }));
    expect(result.abort).toMatchObject({ step: 'connect', reason: 'error' });
    expect(result.connect).toBeUndefined();
  });

  describe('STARTTLS that goes wrong', () => {
    const offering = (starttls: ScriptedAnswer) =>
      scripted('220 mx.partner.test ESMTP', { EHLO: '250-mx.partner.test\r\n250 STARTTLS', STARTTLS: starttls });

    it('records a failed handshake and ends the session', async () => {
      const server = await started(
        startRawSmtpServer(
          offering((socket) => {
            socket.write('220 2.0.0 Ready to start TLS\r\n');
            socket.once('data', () => socket.write('this is not TLS at all\r\n'));
          }),
          '127.0.0.43',
        ),
      );
      const result = await prober().probe(ask(server));
      expect(result.starttls?.code).toBe(220);
      expect(result.tls).toMatchObject({ ok: false, chain: [], trusted: false });
      expect(result.tls?.error).toBeTruthy();
      expect(result.abort).toMatchObject({ step: 'tls', reason: 'error' });
      expect(result.ehloAfterTls).toBeUndefined();
      expect(clientLines(result)).toEqual([`EHLO ${HELO}`, 'STARTTLS']);
    });

    it('gives up on a handshake the server never answers at tlsTimeoutMs', async () => {
      const server = await started(
        startRawSmtpServer(
          offering((socket) => void socket.write('220 2.0.0 Ready to start TLS\r\n')),
          '127.0.0.43',
        ),
      );
      const result = await prober({ tlsTimeoutMs: 200 }).probe(ask(server));
      expect(result.tls).toMatchObject({ ok: false });
      expect(result.abort).toMatchObject({ step: 'tls', reason: 'timeout' });
      expect(result.totalMs).toBeLessThan(1000);
    });

    it('goes on in the clear after a 454, as an opportunistic sender does', async () => {
      const answers = {
        EHLO: '250-mx.partner.test\r\n250 STARTTLS',
        STARTTLS: '454 4.7.0 TLS not available due to local problem',
        MAIL: '250 Ok',
        RCPT: '250 Ok',
        RSET: '250 Ok',
        QUIT: '221 Bye',
      };
      const server = await started(startRawSmtpServer(scripted('220 mx.partner.test ESMTP', answers), '127.0.0.43'));
      const result = await prober().probe(ask(server));
      expect(result.starttls?.code).toBe(454);
      expect(result.tls).toBeUndefined();
      expect(result.rcpt?.code).toBe(250);
      expect(result.abort).toBeUndefined();
    });
  });

  describe('safety policy', () => {
    it('refuses a loopback address without opening a socket', async () => {
      const server = await started(startRawSmtpServer(silent, '127.0.0.1'));
      const guarded = createSmtpProber({ allowPrivateTargets: false });
      for (const address of ['127.0.0.1', '::ffff:127.0.0.1']) {
        const result = await guarded.probe(ask(server, { address }));
        expect(result.refusedByPolicy).toEqual({ range: 'loopback' });
        expect(result.connect).toBeUndefined();
        expect(result.transcript).toEqual([]);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.connections()).toBe(0);
    });

    it('never connects to a host name, which would connect to an address nobody checked', async () => {
      const result = await prober().probe(ask({ address: 'localhost', port: 25 }));
      expect(result.refusedByPolicy).toEqual({ range: 'invalid' });
      expect(result.connect).toBeUndefined();
    });

    it('sends nothing when a field would break out of its command line', async () => {
      const server = await started(startRawSmtpServer(silent, '127.0.0.42'));
      const result = await prober().probe(ask(server, { recipient: `${RECIPIENT}>\r\nDATA` }));
      expect(result.abort).toMatchObject({ step: 'connect', reason: 'protocol' });
      expect(result.connect).toBeUndefined();
      expect(server.connections()).toBe(0);
    });
  });
});
