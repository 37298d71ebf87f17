/**
 * The SMTP prober against a real MTA: Debian's Exim on loopback with STARTTLS and a certificate
 * from the test CA (see test/support/mta-server.ts for why Exim). Skipped only where Exim is not
 * installed or the run is not root; .ci/run installs it and runs as root, so CI always runs this.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpProbeLimits, SmtpProbeRequest, SmtpProbeResult } from '../../src/diagnosis/smtp-port.js';
import { createSmtpProber } from '../../src/net/smtp-prober.js';
import { type RunningMta, mtaAvailable, startMta } from '../support/mta-server.js';
import { type TestPki, createTestPki } from '../support/smtp-test-server.js';
import { skipWithout } from '../support/required-tool.js';

const ADDRESS = '127.0.0.71';
const MX_HOST = 'mx1.partner.test';
const DOMAIN = 'partner.test';
const HELO = 'probe.mxops.test';
const RECIPIENT = `postmaster@${DOMAIN}`;
const UNKNOWN = `nobody@${DOMAIN}`;

/** Generous for a loaded CI machine, short enough that a hang fails well inside the test timeout. */
const LIMITS: Partial<SmtpProbeLimits> = {
  connectTimeoutMs: 2_000,
  bannerTimeoutMs: 5_000,
  commandTimeoutMs: 5_000,
  tlsTimeoutMs: 5_000,
  totalTimeoutMs: 15_000,
};

const clientLines = (result: SmtpProbeResult): string[] =>
  result.transcript.filter((entry) => entry.from === 'C').map((entry) => entry.text);

const skip = skipWithout('Exim (exim4, run as root)', await mtaAvailable());

describe.skipIf(skip)('SMTP prober against Exim on loopback', () => {
  let pki: TestPki;
  let mta: RunningMta;
  let leafPem: string;
  const probe = (overrides: Partial<SmtpProbeRequest> = {}): Promise<SmtpProbeResult> =>
    createSmtpProber({ allowPrivateTargets: true, trustedCa: pki.caCert, limits: LIMITS }).probe({
      mxHost: MX_HOST,
      address: ADDRESS,
      port: mta.port,
      heloName: HELO,
      mailFrom: '',
      recipient: RECIPIENT,
      ...overrides,
    });

  beforeAll(async () => {
    pki = await createTestPki(MX_HOST);
    // pki.valid.cert is the leaf with the CA behind it; give them apart to send the CA as the chain.
    leafPem = new X509Certificate(pki.valid.cert).toString();
    mta = await startMta({
      address: ADDRESS,
      hostname: MX_HOST,
      certPem: leafPem,
      keyPem: pki.valid.key,
      chainPem: pki.caCert,
      acceptDomain: DOMAIN,
      rejectLocalParts: ['nobody'],
    });
  });
  afterAll(async () => {
    await mta?.stop();
  });

  it('walks a STARTTLS session to RCPT postmaster: banner, both EHLO answers, TLS, chain, MAIL and RCPT', async () => {
    const result = await probe();

    expect(mta.software).toMatch(/^Exim \d+\.\d+/);
    expect(result.abort).toBeUndefined();
    expect(result.refusedByPolicy).toBeUndefined();
    expect(result.connect?.ok).toBe(true);
    expect(result.banner?.code).toBe(220);
    expect(result.banner?.lines).toHaveLength(1);
    // Exim's default smtp_banner: '$smtp_active_hostname ESMTP Exim $version_number $tod_full'.
    expect(result.banner?.lines[0]).toMatch(
      new RegExp(
        `^mx1\\.partner\\.test ESMTP ${mta.software.replace(/\./g, '\\.')} \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}$`,
      ),
    );

    expect(result.ehlo?.code).toBe(250);
    expect(result.ehlo?.lines[0]).toMatch(/^mx1\.partner\.test Hello probe\.mxops\.test \[127\.\d+\.\d+\.\d+\]$/);
    expect(result.ehlo?.lines.slice(1)).toEqual(expect.arrayContaining(['STARTTLS', 'PIPELINING', '8BITMIME']));
    expect(result.helo).toBeUndefined();
    expect(result.starttls?.code).toBe(220);
    expect(result.starttls?.lines).toEqual(['TLS go ahead']);

    const tls = result.tls;
    expect(tls?.ok).toBe(true);
    expect(['TLSv1.3', 'TLSv1.2']).toContain(tls?.protocol);
    expect(tls?.cipher).toBeTruthy();
    expect(tls?.error).toBeUndefined();
    expect(tls?.trusted).toBe(true);
    expect(tls?.trustError).toBeUndefined();
    expect(tls?.nameMatches).toBe(true);
    expect(tls?.chain).toHaveLength(2);
    const [leaf, ca] = tls?.chain ?? [];
    const servedLeaf = new X509Certificate(leafPem);
    expect(leaf).toMatchObject({
      subject: `CN=${MX_HOST}`,
      issuer: 'CN=mxops test CA',
      names: [MX_HOST],
      selfSigned: false,
    });
    expect(leaf?.der).toBe(servedLeaf.raw.toString('base64'));
    expect(leaf?.fingerprintSha256).toBe(servedLeaf.fingerprint256);
    expect(ca).toMatchObject({ subject: 'CN=mxops test CA', selfSigned: true });

    // RFC 3207 §4.2: the answer to the EHLO inside TLS replaces the one before it.
    expect(result.ehloAfterTls?.code).toBe(250);
    expect(result.ehloAfterTls?.lines[0]).toMatch(/^mx1\.partner\.test Hello probe\.mxops\.test /);
    expect(result.extensions).not.toHaveProperty('STARTTLS');
    expect(result.extensions).toHaveProperty('PIPELINING', '');
    expect(result.extensions).toHaveProperty('8BITMIME', '');
    expect(result.extensions.SIZE).toMatch(/^\d+$/);

    expect(result.mail?.code).toBe(250);
    expect(result.rcpt?.code).toBe(250);
    expect(clientLines(result)).toEqual([
      `EHLO ${HELO}`,
      'STARTTLS',
      `EHLO ${HELO}`,
      'MAIL FROM:<>',
      `RCPT TO:<${RECIPIENT}>`,
      'RSET',
      'QUIT',
    ]);
    expect(clientLines(result)).not.toContain('DATA');
    expect(result.transcript.at(-1)).toMatchObject({ from: 'S', text: '221 mx1.partner.test closing connection' });
  });

  it("records the MTA's 550 for an unknown local part and still ends the session politely", async () => {
    const result = await probe({ recipient: UNKNOWN });
    expect(result.tls?.ok).toBe(true);
    expect(result.mail?.code).toBe(250);
    expect(result.rcpt?.code).toBe(550);
    expect(result.rcpt?.lines).toEqual([`5.1.1 <${UNKNOWN}>: unknown user`]);
    expect(result.abort).toBeUndefined();
    expect(clientLines(result).slice(-3)).toEqual([`RCPT TO:<${UNKNOWN}>`, 'RSET', 'QUIT']);
    expect(clientLines(result)).not.toContain('DATA');
  });

  it('gets 550 for a domain the MTA does not take mail for: it relays nowhere', async () => {
    const result = await probe({ recipient: 'someone@elsewhere.test' });
    expect(result.rcpt?.code).toBe(550);
    expect(result.rcpt?.lines).toEqual(['5.7.1 <someone@elsewhere.test>: relay not permitted']);
    expect(result.abort).toBeUndefined();
  });

  it('reports the certificate as trusted but not matching when probed under another MX name', async () => {
    const result = await probe({ mxHost: 'wrong.partner.test' });
    expect(result.tls).toMatchObject({ ok: true, trusted: true, trustError: undefined, nameMatches: false });
    expect(result.tls?.chain[0]?.names).toEqual([MX_HOST]);
    expect(result.rcpt?.code).toBe(250);
    expect(result.abort).toBeUndefined();
  });
});
