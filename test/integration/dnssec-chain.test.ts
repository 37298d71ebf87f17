/**
 * DNSSEC validation end to end on loopback: a root zone and partner zones signed at test time by
 * dnssec-signzone (dates relative to now), served by Knot DNS from two addresses so every zone
 * cut is a real referral, and a validating Unbound with the same trust anchor as the run's
 * resolver. For every case mxops's verdict is checked against Unbound's: SERVFAIL for bogus,
 * NOERROR with AD for secure, NOERROR without AD for insecure.
 */
import { systemClock } from '../../src/clock.js';
import { manualClock } from '../support/manual-clock.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daneCheck } from '../../src/diagnosis/checks/dane.js';
import { dnssecCheck } from '../../src/diagnosis/checks/dnssec.js';
import { mxCheck } from '../../src/diagnosis/checks/mx.js';
import { smtpCheck } from '../../src/diagnosis/checks/smtp.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import type { TrustAnchor } from '../../src/diagnosis/dnssec/trust-anchors.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { buildProblems } from '../../src/diagnosis/problems.js';
import { headline } from '../../src/diagnosis/headline.js';
import { blankProbeResult, type SmtpProber } from '../../src/diagnosis/smtp-port.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { certificateInfo, MX1_CERT, OPENSSL_DIGESTS, TEST_CA_CERT } from '../fixtures/tls-certificates.js';
import {
  delegationTo,
  dnssecFindingsOf,
  mxopsSays,
  startDnssecBed,
  type DnssecBed,
} from '../support/dnssec-test-bed.js';
import { bindToolsAvailable, signZone, unrelatedDs, type SignOptions } from '../support/dnssec-zone.js';
import { KNOT_START_TIMEOUT_MS, knotAvailable } from '../support/knot-server.js';
import { unboundAvailable } from '../support/unbound-server.js';
import { skipWithout } from '../support/required-tool.js';
import { rememberingClient, roundCounter } from '../support/round-counter.js';

const ROOT = '127.0.72.1';
const CHILD = '127.0.72.2';
const RESOLVER = '127.0.72.3';
const DAY = 86_400;
const TLSA_DATA = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

const MX_ADDRESS = '11.22.72.10';
const LEAF = certificateInfo(MX1_CERT);
const CA = certificateInfo(TEST_CA_CERT);

const body = (tlsa = TLSA_DATA): string =>
  [
    `@ SOA ns hostmaster 1 3600 600 604800 300`,
    '@ NS ns',
    `ns A ${CHILD}`,
    '@ MX 10 mx1',
    `mx1 A ${MX_ADDRESS}`,
    `_25._tcp.mx1 TLSA 3 1 1 ${tlsa}`,
  ].join('\n');

/** The mail server every MX address leads to, as SMTP would find it: STARTTLS, then mx1's certificate under the test CA. */
const prober: SmtpProber = {
  async probe(request) {
    const reply = (code: number, lines: string[]) => ({ code, lines, ms: 1 });
    return {
      ...blankProbeResult(request),
      connect: { ok: true, ms: 1 },
      banner: reply(220, [`${request.mxHost} ESMTP`]),
      ehlo: reply(250, [request.mxHost, 'STARTTLS']),
      starttls: reply(220, ['ready']),
      extensions: {},
      tls: {
        ok: true,
        protocol: 'TLSv1.3',
        cipher: 'TLS_AES_256_GCM_SHA384',
        error: undefined,
        chain: [LEAF, CA],
        trusted: false,
        trustError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        nameMatches: true,
        ms: 1,
      },
      ehloAfterTls: reply(250, [request.mxHost]),
      mail: reply(250, ['OK']),
      rcpt: reply(250, ['OK']),
      totalMs: 5,
    };
  },
};

/** Each partner zone, signed as its case needs; `ds` overrides the DS the root publishes. */
const CASES: Readonly<
  Record<string, Partial<SignOptions> & { unsigned?: boolean; wrongDs?: boolean; tlsa?: string; smtp?: boolean }>
> = {
  'tlsamatch.test': { tlsa: OPENSSL_DIGESTS.mx1.spkiSha256, smtp: true },
  'tlsamismatch.test': { tlsa: TLSA_DATA, smtp: true },
  'secure.test': {},
  'nsec3.test': { nsec3: true },
  'insecure.test': { unsigned: true },
  'expired.test': { inception: -10 * DAY, expiration: -DAY },
  'future.test': { inception: 2 * DAY, expiration: 30 * DAY },
  'dsmismatch.test': { wrongDs: true },
  'nosig.test': { dropSignaturesOver: ['MX'] },
  'expiring.test': { expiration: DAY },
  'rsasha1.test': { algorithm: 'RSASHA1' },
  'ed25519.test': { algorithm: 'ED25519', nsec3: true },
};

const skip = skipWithout(
  "Knot, BIND's dnssec-signzone and Unbound",
  (await knotAvailable()) && bindToolsAvailable() && unboundAvailable(),
);

describe.skipIf(skip)('DNSSEC validation against Knot-served signed zones, checked by Unbound', () => {
  let bed: DnssecBed;
  const reports = new Map<string, DiagnosisReport>();

  beforeAll(async () => {
    const zones: { origin: string; zoneText: string }[] = [];
    const delegations: string[] = [];
    for (const [domain, options] of Object.entries(CASES)) {
      if (options.unsigned) {
        zones.push({ origin: domain, zoneText: `$ORIGIN ${domain}.\n$TTL 300\n${body()}` });
        delegations.push(...delegationTo(domain, CHILD));
        continue;
      }
      const signed = signZone({ origin: domain, body: body(options.tlsa), ...options });
      zones.push({ origin: domain, zoneText: signed.text });
      delegations.push(...delegationTo(domain, CHILD, options.wrongDs ? unrelatedDs(domain) : signed.ds));
    }
    bed = await startDnssecBed({
      root: ROOT,
      resolver: RESOLVER,
      delegations,
      servers: [{ address: CHILD, zones }],
      stubs: Object.fromEntries(Object.keys(CASES).map((d) => [d, CHILD])),
    });
    for (const [domain, options] of Object.entries(CASES)) {
      reports.set(
        domain,
        await bed.diagnose(
          domain,
          options.smtp ? [mxCheck, dnssecCheck, daneCheck, smtpCheck] : [mxCheck, dnssecCheck, daneCheck],
          options.smtp ? prober : undefined,
        ),
      );
    }
  }, 4 * KNOT_START_TIMEOUT_MS);

  afterAll(async () => {
    await bed?.stop();
  });

  const report = (domain: string): DiagnosisReport => reports.get(domain) as DiagnosisReport;
  const withId = (domain: string, id: string): Finding[] => report(domain).findings.filter((f) => f.id === id);
  const verdictOf = (domain: string, family: string) => report(domain).senders.find((s) => s.family === family);

  it.each([
    ['secure.test', 'secure'],
    ['nsec3.test', 'secure'],
    ['insecure.test', 'insecure'],
    ['expired.test', 'bogus'],
    ['future.test', 'bogus'],
    ['dsmismatch.test', 'bogus'],
    ['nosig.test', 'bogus'],
    ['expiring.test', 'secure'],
    ['rsasha1.test', 'secure'],
    ['ed25519.test', 'secure'],
    ['tlsamatch.test', 'secure'],
  ] as const)('%s: mxops says %s, and so does a validating Unbound', async (domain, expected) => {
    expect(mxopsSays(report(domain), `MX ${domain}`), dnssecFindingsOf(report(domain))).toBe(expected);
    expect(await bed.unboundSays(domain)).toBe(expected);
  });

  it.each([
    ['expired.test', 'signature-expired'],
    ['future.test', 'signature-not-yet-valid'],
    ['dsmismatch.test', 'ds-mismatch'],
    ['nosig.test', 'no-signature'],
  ])('%s: dnssec.bogus says %s, with the zone, key tags, dates and the commands that show it', (domain, reason) => {
    const [bogus] = withId(domain, 'dnssec.bogus');
    expect(bogus).toMatchObject({
      status: 'fail',
      subject: domain,
      evidence: { zone: domain, reason, blocksDelivery: true },
    });
    expect(JSON.stringify(bogus?.evidence.commands)).toMatch(/dig .*\+dnssec.* @127\.0\.72\.\d/);
    expect(JSON.stringify(bogus?.evidence.commands)).toContain('delv');
    if (reason !== 'ds-mismatch' && reason !== 'no-signature')
      expect(bogus?.evidence.signature).toMatchObject({
        keyTag: expect.any(Number),
        inception: expect.any(String),
        expiration: expect.any(String),
      });
    const validating = verdictOf(domain, 'validating-resolver');
    expect(validating).toMatchObject({ verdict: 'fail', because: ['dnssec.bogus'] });
    expect(validating?.expected).toContain(`Name service error for name=${domain} type=MX: Host not found, try again`);
    expect(verdictOf(domain, 'postfix')?.verdict).toBe('ok');
    expect(verdictOf(domain, 'postfix')?.expected).toContain('assuming its resolver does not validate DNSSEC');
  });

  it('puts who fails, why (with the date) and whose move it is in the headline of an expired zone', () => {
    const r = report('expired.test');
    const line = headline(r, buildProblems(r.findings, r.senders));
    expect(line).toMatch(
      /^Senders behind a validating resolver cannot deliver to expired\.test: the DNSSEC signatures of expired\.test expired on \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    expect(line).toContain("Their DNS admin's move: Re-sign the zone expired.test");
  });

  it('passes validating-resolver senders for a secure zone, and a secure TLSA makes DANE apply', () => {
    expect(withId('secure.test', 'dnssec.secure')[0]?.evidence.rrsets).toEqual(
      expect.arrayContaining([
        'MX secure.test',
        'A mx1.secure.test',
        'AAAA mx1.secure.test',
        'TLSA _25._tcp.mx1.secure.test',
      ]),
    );
    expect(verdictOf('secure.test', 'validating-resolver')).toMatchObject({
      verdict: 'ok',
      expected: expect.stringContaining('validates'),
    });
    // No SMTP in this run: the validated TLSA record is there, the certificate was not compared.
    expect(withId('secure.test', 'dane.skipped')[0]?.evidence).toMatchObject({
      validated: true,
      records: [`3 1 1 ${TLSA_DATA}`],
    });
  });

  it('judges DANE senders on a secure TLSA: delivered when it matches the served key, deferred when not', () => {
    expect(withId('tlsamatch.test', 'dane.match')[0]).toMatchObject({
      status: 'pass',
      subject: MX_ADDRESS,
      evidence: { validated: true },
    });
    expect(verdictOf('tlsamatch.test', 'dane-enforcing-sender')?.verdict).toBe('ok');
    expect(withId('tlsamismatch.test', 'dane.mismatch')[0]).toMatchObject({ status: 'fail', subject: MX_ADDRESS });
    expect(verdictOf('tlsamismatch.test', 'dane-enforcing-sender')).toMatchObject({
      verdict: 'fail',
      because: ['dane.mismatch'],
    });
  });

  it('proves with NSEC3 that the MX host has no AAAA', () => {
    expect(withId('nsec3.test', 'dnssec.secure')[0]?.evidence.negative).toContain('AAAA mx1.nsec3.test');
  });

  it('calls an unsigned delegation insecure, and its TLSA records not applicable to DANE', () => {
    expect(withId('insecure.test', 'dnssec.insecure')[0]).toMatchObject({
      status: 'info',
      subject: 'insecure.test',
      evidence: { reason: 'no-ds' },
    });
    expect(withId('insecure.test', 'dane.not-applicable')[0]).toMatchObject({
      status: 'info',
      evidence: { validated: false },
    });
    expect(verdictOf('insecure.test', 'validating-resolver')?.verdict).toBe('ok');
  });

  it('warns about a signature that expires tomorrow, and about RSA/SHA-1', () => {
    expect(withId('expiring.test', 'dnssec.signature-expiring')[0]).toMatchObject({
      status: 'warn',
      subject: 'expiring.test',
    });
    expect(withId('secure.test', 'dnssec.signature-expiring')).toEqual([]);
    expect(withId('rsasha1.test', 'dnssec.algorithm-deprecated')[0]).toMatchObject({
      status: 'warn',
      subject: 'rsasha1.test',
    });
    expect(withId('secure.test', 'dnssec.algorithm-deprecated')).toEqual([]);
  });

  it('adds at most two round trips for a signed domain, and its queries count in the budget', async () => {
    // The same check with the anchor and with none (validation then asks nothing), each counted in
    // rounds on answers the servers gave in a first run: the chain of dependent queries.
    const measure = async (trustAnchors: TrustAnchor[]) => {
      const remembered = rememberingClient(createDnsClient());
      const lookup = { ...bed.lookup, trustAnchors };
      const checks = [mxCheck, dnssecCheck, daneCheck];
      await diagnose(parseCheckTarget('secure.test'), {
        dns: remembered,
        lookup,
        clock: systemClock,
        checks,
      });
      const counter = roundCounter(remembered);
      const counted = await diagnose(parseCheckTarget('secure.test'), {
        dns: counter,
        lookup,
        clock: manualClock(),
        checks,
      });
      return { chain: counter.rounds(), queries: counted.queriesSent, ids: counted.findings.map((f) => f.id) };
    };
    const on = await measure([...(bed.lookup.trustAnchors ?? [])]);
    const off = await measure([]);
    expect(on.ids).toContain('dnssec.secure');
    expect(off.ids).not.toContain('dnssec.secure');
    expect(on.chain - off.chain).toBeLessThanOrEqual(2);
    // DS and DNSKEY per zone on the way and the RRsets with DO: a handful of packets, not hundreds.
    expect(on.queries).toBeGreaterThan(off.queries);
    expect(on.queries).toBeLessThan(80);
  });
});
