import { describe, expect, it } from 'vitest';
import { finding, type Evidence, type Finding, type Status } from '../../src/diagnosis/finding.js';
import { findingsByAddress, SMTP_SENDER_FAMILIES } from '../../src/diagnosis/smtp-senders.js';
import { judgeSenders } from '../../src/diagnosis/senders.js';

const FAMILIES = ['tls1.0-only-sender', 'mta-sts-enforcing-sender', 'dane-enforcing-sender'] as const;
type Family = (typeof FAMILIES)[number];

const MX1 = 'mx1.partner.test';
const MX2 = 'mx2.partner.test';
const A1 = '11.22.33.10';
const A2 = '11.22.33.11';

function make(id: string, status: Status, evidence: Evidence): Finding {
  return finding({
    id,
    status,
    subject: `${String(evidence.host ?? 'partner.test')} (${String(evidence.address ?? '')})`,
    summary: `${id} (test)`,
    evidence,
  });
}
// Shaped as smtp-findings.ts and tls-findings.ts shape them: evidence.address and evidence.host on each.
const at = (id: string, status: Status, address = A1, host = MX1, extra: Evidence = {}): Finding =>
  make(id, status, { address, host: host, ...extra });
const negotiated = (protocol: string, address = A1, host = MX1): Finding =>
  at('tls.negotiated', 'info', address, host, { protocol });
const ok = (address = A1, host = MX1): Finding => at('smtp.ok', 'pass', address, host);
/** A healthy address: TLS 1.3 and RCPT accepted. */
const healthy = (address = A1, host = MX1): Finding[] => [negotiated('TLSv1.3', address, host), ok(address, host)];
const enforce = make('mtasts.enforce', 'info', { mode: 'enforce' });
// Shaped as checks/dane.ts shapes them: per address, with host, address, name and validated.
const DANE_STATUS = {
  'dane.match': 'pass',
  'dane.mismatch': 'fail',
  'dane.no-starttls': 'fail',
  'dane.skipped': 'skipped',
  'dane.unvalidated': 'warn',
} as const;
const dane = (id: keyof typeof DANE_STATUS, evidence: Evidence): Finding =>
  make(id, DANE_STATUS[id], { name: `_25._tcp.${String(evidence.host ?? MX1)}`, validated: true, ...evidence });

/**
 * The verdict judgeSenders gives once it honours `rule.verdict` (senders.ts needs that change):
 * the first rule that matches decides; otherwise the family delivers.
 */
function judge(family: Family, findings: readonly Finding[]): { verdict: string; because: string[] } {
  const rules = SMTP_SENDER_FAMILIES.find((f) => f.family === family)?.rules ?? [];
  for (const rule of rules) {
    const causes = rule.match(findings);
    if (causes.length > 0) return { verdict: rule.verdict ?? 'fail', because: [...new Set(causes.map((f) => f.id))] };
  }
  return { verdict: 'ok', because: [] };
}

function expectVerdicts(findings: readonly Finding[], expected: Partial<Record<Family, [string, string[]]>>): void {
  const actual = Object.fromEntries(FAMILIES.map((family) => [family, judge(family, findings)]));
  const wanted = Object.fromEntries(
    FAMILIES.map((family) => [
      family,
      { verdict: expected[family]?.[0] ?? 'ok', because: expected[family]?.[1] ?? [] },
    ]),
  );
  expect(actual).toEqual(wanted);
}

describe('SMTP sender families', () => {
  it('lists the three families, each with what it covers and every rule with what the sender does', () => {
    expect(SMTP_SENDER_FAMILIES.map((f) => f.family)).toEqual([...FAMILIES]);
    for (const family of SMTP_SENDER_FAMILIES) {
      expect(family.covers.length).toBeGreaterThan(20);
      for (const rule of family.rules) expect(rule.expected.length).toBeGreaterThan(20);
    }
  });

  it.each<[string, Finding[], Partial<Record<Family, [string, string[]]>>]>([
    ['no SMTP findings at all', [], {}],
    [
      'healthy MX with TLS 1.3: a TLS 1.0-only sender cannot be told',
      [...healthy()],
      { 'tls1.0-only-sender': ['unknown', ['tls.negotiated']] },
    ],
    [
      'one MX speaks TLS 1.0: the old sender gets through there',
      [...healthy(A1), negotiated('TLSv1', A2, MX2), at('tls.version-old', 'warn', A2, MX2, { protocol: 'TLSv1' })],
      {},
    ],
    [
      'one MX offers no STARTTLS: the old sender goes in clear',
      [...healthy(A1), at('smtp.starttls-missing', 'warn', A2, MX2)],
      {},
    ],
    [
      'every MX rejects the recipient: everyone fails',
      [at('smtp.rcpt-rejected', 'fail', A1), at('smtp.rcpt-rejected', 'fail', A2, MX2)],
      Object.fromEntries(FAMILIES.map((f) => [f, ['fail', ['smtp.rcpt-rejected']]])),
    ],
    [
      'one refuses connections, the other rejects the recipient: still nowhere to deliver',
      [at('smtp.connect-failed', 'fail', A1), at('smtp.rcpt-rejected', 'fail', A2, MX2)],
      Object.fromEntries(FAMILIES.map((f) => [f, ['fail', ['smtp.connect-failed', 'smtp.rcpt-rejected']]])),
    ],
    [
      'every MX refuses every client at connect: everyone fails',
      [at('smtp.refuses-everyone', 'fail', A1), at('smtp.refuses-everyone', 'fail', A2, MX2)],
      Object.fromEntries(FAMILIES.map((f) => [f, ['fail', ['smtp.refuses-everyone']]])),
    ],
    [
      'one MX refuses every client at connect, the other is healthy: senders use the other',
      [at('smtp.refuses-everyone', 'fail', A1), ...healthy(A2, MX2)],
      { 'tls1.0-only-sender': ['unknown', ['tls.negotiated']] },
    ],
    [
      'a time-out is not a refusal',
      [at('smtp.connect-timeout', 'error', A1), at('smtp.rcpt-rejected', 'fail', A2, MX2)],
      {},
    ],
    [
      'a refusal that was about us is not one either',
      [at('smtp.connect-failed', 'error', A1, MX1, { error: 'reset' })],
      {},
    ],
    [
      'an address our policy kept us from does not count',
      [
        make('smtp.refused-by-policy', 'skipped', { address: '10.0.0.25', host: MX2 }),
        at('smtp.rcpt-rejected', 'fail', A1),
      ],
      Object.fromEntries(FAMILIES.map((f) => [f, ['fail', ['smtp.rcpt-rejected']]])),
    ],
  ])('%s', (_, findings, expected) => {
    expectVerdicts(findings, expected);
  });
});

describe('mta-sts-enforcing-sender', () => {
  const expired = (address = A1, host = MX1): Finding[] => [
    negotiated('TLSv1.3', address, host),
    at('tls.cert-expired', 'warn', address, host),
  ];

  it.each<[string, Finding[], [string, string[]] | undefined]>([
    [
      'expired certificates everywhere, policy enforced',
      [enforce, ...expired(A1), ...expired(A2, MX2)],
      ['fail', ['mtasts.enforce', 'tls.cert-expired']],
    ],
    [
      'expired certificates everywhere, no enforcing policy: delivers opportunistically',
      [...expired(A1), ...expired(A2, MX2)],
      undefined,
    ],
    ['one MX validates: the sender uses it', [enforce, ...expired(A1), ...healthy(A2, MX2)], undefined],
    [
      'no STARTTLS at one MX, a wrong name at the other',
      [
        enforce,
        at('smtp.starttls-missing', 'warn', A1),
        negotiated('TLSv1.3', A2, MX2),
        at('tls.cert-name-mismatch', 'warn', A2, MX2),
      ],
      ['fail', ['mtasts.enforce', 'smtp.starttls-missing', 'tls.cert-name-mismatch']],
    ],
    [
      'self-signed and untrusted',
      [enforce, at('tls.cert-self-signed', 'warn', A1), at('tls.cert-untrusted', 'warn', A2, MX2)],
      ['fail', ['mtasts.enforce', 'tls.cert-self-signed', 'tls.cert-untrusted']],
    ],
    ['HELO only', [enforce, at('smtp.helo-only', 'warn', A1)], ['fail', ['mtasts.enforce', 'smtp.helo-only']]],
    [
      'one bad, the other timed out: not a failure (judgeSenders then says unknown for the error)',
      [enforce, ...expired(A1), at('smtp.connect-timeout', 'error', A2, MX2)],
      undefined,
    ],
    [
      'the policy names neither MX host',
      [
        enforce,
        ...healthy(A1),
        ...healthy(A2, MX2),
        make('mtasts.mx-not-covered', 'fail', { host: MX1, mode: 'enforce' }),
        make('mtasts.mx-not-covered', 'fail', { host: MX2, mode: 'enforce' }),
      ],
      ['fail', ['mtasts.enforce', 'mtasts.mx-not-covered']],
    ],
    [
      'the policy names one of two MX hosts',
      [
        enforce,
        ...healthy(A1),
        ...healthy(A2, MX2),
        make('mtasts.mx-not-covered', 'fail', { host: MX2, mode: 'enforce' }),
      ],
      undefined,
    ],
    [
      'an uncovered host with a certificate problem at the other',
      [
        enforce,
        ...healthy(A1),
        at('tls.cert-expired', 'warn', A2, MX2),
        make('mtasts.mx-not-covered', 'fail', { host: `${MX1}.`, mode: 'enforce' }),
      ],
      ['fail', ['mtasts.enforce', 'mtasts.mx-not-covered', 'tls.cert-expired']],
    ],
    [
      'two names at one address, the certificate carries one: the sender gets through by that name',
      [
        enforce,
        negotiated('TLSv1.3', A1, MX1),
        at('tls.cert-name-mismatch', 'warn', A1, MX1, { hosts: [MX1, MX2], unmatchedHosts: [MX2] }),
      ],
      undefined,
    ],
    [
      'two names at one address, the certificate carries neither',
      [
        enforce,
        negotiated('TLSv1.3', A1, MX1),
        at('tls.cert-name-mismatch', 'warn', A1, MX1, { hosts: [MX1, MX2], unmatchedHosts: [MX1, MX2] }),
      ],
      ['fail', ['mtasts.enforce', 'tls.cert-name-mismatch']],
    ],
    [
      'two names at one address: one has no matching certificate, the policy does not name the other',
      [
        enforce,
        ...healthy(A1, MX1),
        at('tls.cert-name-mismatch', 'warn', A1, MX1, { hosts: [MX1, MX2], unmatchedHosts: [MX1] }),
        make('mtasts.mx-not-covered', 'fail', { host: MX2, mode: 'enforce' }),
      ],
      ['fail', ['mtasts.enforce', 'tls.cert-name-mismatch', 'mtasts.mx-not-covered']],
    ],
    [
      'an old TLS version alone is no MTA-STS failure',
      [enforce, negotiated('TLSv1.1'), at('tls.version-old', 'warn', A1)],
      undefined,
    ],
  ])('%s', (_, findings, expected) => {
    expect(judge('mta-sts-enforcing-sender', findings)).toEqual(
      expected ? { verdict: expected[0], because: expected[1] } : { verdict: 'ok', because: [] },
    );
  });
});

describe('dane-enforcing-sender', () => {
  it.each<[string, Finding[], [string, string[]] | undefined]>([
    ['the certificate matches TLSA', [dane('dane.match', { address: A1, host: MX1 }), ...healthy()], undefined],
    [
      'the certificate does not match TLSA at the only MX',
      [dane('dane.mismatch', { address: A1, host: MX1 }), ...healthy()],
      ['fail', ['dane.mismatch']],
    ],
    [
      'a mismatch at one address, a match at the other',
      [
        dane('dane.mismatch', { address: A1, host: MX1 }),
        dane('dane.match', { address: A2, host: MX1 }),
        ...healthy(A1),
        ...healthy(A2),
      ],
      undefined,
    ],
    [
      'TLSA published (by host) but no STARTTLS',
      [dane('dane.mismatch', { host: MX1 }), at('smtp.starttls-missing', 'warn')],
      ['fail', ['dane.mismatch', 'smtp.starttls-missing']],
    ],
    [
      'TLSA at one host, the other host has none and no STARTTLS: delivers there opportunistically',
      [dane('dane.mismatch', { address: A1, host: MX1 }), ...healthy(A1), at('smtp.starttls-missing', 'warn', A2, MX2)],
      undefined,
    ],
    [
      'a domain-wide DANE finding covers every address',
      [dane('dane.mismatch', {}), at('smtp.starttls-failed', 'fail', A1), at('smtp.starttls-failed', 'fail', A2, MX2)],
      ['fail', ['dane.mismatch', 'smtp.starttls-failed']],
    ],
    [
      'an expired certificate does not matter under DANE when TLSA matches',
      [dane('dane.match', { address: A1, host: MX1 }), negotiated('TLSv1.3'), at('tls.cert-expired', 'warn')],
      undefined,
    ],
    ['no TLSA anywhere', [at('smtp.starttls-missing', 'warn')], undefined],
    [
      'dane.no-starttls at every address',
      [
        dane('dane.no-starttls', { address: A1, host: MX1 }),
        at('smtp.starttls-missing', 'warn'),
        dane('dane.no-starttls', { address: A2, host: MX2 }),
        at('smtp.starttls-missing', 'warn', A2, MX2),
      ],
      ['fail', ['dane.no-starttls', 'smtp.starttls-missing']],
    ],
    [
      'TLSA present, the handshake failed (dane.skipped)',
      [
        dane('dane.skipped', { address: A1, host: MX1, reason: 'the TLS handshake failed: wrong version number' }),
        at('smtp.starttls-failed', 'fail'),
      ],
      ['fail', ['smtp.starttls-failed']],
    ],
    [
      'TLSA present, the connection timed out: not a failure',
      [
        dane('dane.skipped', {
          address: A1,
          host: MX1,
          reason: 'the connection failed (timeout: no connection in 10000 ms)',
        }),
        at('smtp.connect-timeout', 'error'),
      ],
      undefined,
    ],
    [
      'TLSA that did not validate is ignored by DANE senders',
      [dane('dane.unvalidated', { host: MX1, validated: false }), at('smtp.starttls-missing', 'warn')],
      undefined,
    ],
  ])('%s', (_, findings, expected) => {
    expect(judge('dane-enforcing-sender', findings)).toEqual(
      expected ? { verdict: expected[0], because: expected[1] } : { verdict: 'ok', because: [] },
    );
  });
});

describe('findingsByAddress', () => {
  it('groups smtp.* and tls.* findings by address, ignoring other checks and domain-wide findings', () => {
    const groups = findingsByAddress([
      ok(A1),
      negotiated('TLSv1.3', A2, MX2),
      make('smtp.outbound-blocked', 'error', { addresses: [A1, A2] }),
      make('ptr.missing', 'warn', { address: A1 }),
      make('smtp.refused-by-policy', 'skipped', { address: '10.0.0.25', host: MX2 }),
    ]);
    expect([...groups.keys()]).toEqual([A1, A2]);
    expect(groups.get(A1)?.map((f) => f.id)).toEqual(['smtp.ok']);
  });
});

describe('an "ok" that enforces nothing says so', () => {
  const verdictOf = (findings: readonly Finding[], family: string) =>
    judgeSenders(findings, { smtp: true }).find((s) => s.family === family);
  const plain = (id: string): Finding => finding({ id, status: 'info', subject: 'partner.test', summary: id });

  it('says MTA-STS senders enforce nothing where the domain publishes no policy in enforce mode, and DANE senders where there are no TLSA records', () => {
    const none = [plain('mtasts.missing'), plain('dane.no-tlsa')];
    expect(verdictOf(none, 'mta-sts-enforcing-sender')).toMatchObject({
      verdict: 'ok',
      expected: expect.stringContaining('publishes no MTA-STS policy in enforce mode'),
    });
    expect(verdictOf(none, 'dane-enforcing-sender')).toMatchObject({
      verdict: 'ok',
      expected: expect.stringContaining('DANE does not apply here'),
    });
  });

  it('keeps the plain "delivers" where the policy or the TLSA records are there and pass', () => {
    const enforced = [
      finding({ id: 'mtasts.enforce', status: 'pass', subject: 'partner.test', summary: 'enforce' }),
      finding({
        id: 'dane.match',
        status: 'pass',
        subject: 'mx1',
        summary: 'match',
        evidence: { address: '192.0.2.25' },
      }),
    ];
    expect(verdictOf(enforced, 'mta-sts-enforcing-sender')?.expected).toBe(
      'delivers: none of the problems this sender trips on were found',
    );
    expect(verdictOf(enforced, 'dane-enforcing-sender')?.expected).toBe(
      'delivers: none of the problems this sender trips on were found',
    );
  });
});
