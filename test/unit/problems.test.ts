import { describe, expect, it } from 'vitest';
import { finding, type Evidence, type Finding, type Status } from '../../src/diagnosis/finding.js';
import { headline } from '../../src/diagnosis/headline.js';
import { buildProblems } from '../../src/diagnosis/problems.js';
import { judgeSenders } from '../../src/diagnosis/senders.js';

const DOMAIN = 'partner.com';
const make = (id: string, status: Status, subject: string, evidence: Evidence = {}, remedy = ''): Finding =>
  finding({ id, status, subject, summary: `${id} at ${subject}.`, evidence, remedy });
const over512 = (qtype: string, server: string, answerEnd: number): Finding =>
  make(
    'dns.answer-over-512',
    'fail',
    `${qtype} ${DOMAIN} at ${server}`,
    { qtype, qname: DOMAIN, server, answerEnd, dig: `dig +noedns ${qtype} ${DOMAIN} @${server}` },
    `Shorten the ${qtype} RRset of ${DOMAIN} below 512 bytes; the sender should apply the oversize-DNS patch.`,
  );
const NS1 = 'ns1.partner.com (192.0.2.1)';
const NS2 = 'ns2.partner.com (192.0.2.2)';

/** The seed case: the MX answer ends at byte 1,204 at both nameservers, ANY at 1,351. */
const SEED = [
  over512('MX', NS1, 1204),
  over512('MX', NS2, 1204),
  over512('ANY', NS1, 1351),
  over512('ANY', NS2, 1351),
  make('smtp.ok', 'pass', 'mx1 (198.51.100.1)'),
  make('spf.ok', 'pass', DOMAIN),
];

describe('problems above findings', () => {
  it('groups one cause across nameservers and query types, with the numbers, and says which senders it stops', () => {
    const problems = buildProblems(SEED, judgeSenders(SEED));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      id: 'dns.answer-over-512',
      status: 'fail',
      whoseMove: 'their-dns',
      explains: ['qmail-1.03', 'notqmail-1.08'],
      findingCount: 4,
      where: [`MX ${DOMAIN} at ${NS1}`, `MX ${DOMAIN} at ${NS2}`, `ANY ${DOMAIN} at ${NS1}`, `ANY ${DOMAIN} at ${NS2}`],
    });
    expect(problems[0]?.summary).toBe(
      `Answers end past the 512 bytes a qmail-family sender reads: MX ${DOMAIN} at byte 1,204 (ns1.partner.com, ns2.partner.com); ANY ${DOMAIN} at byte 1,351 (ns1.partner.com, ns2.partner.com).`,
    );
  });

  it('gives the figure through our resolver beside the authoritative one, where they were measured', () => {
    const viaResolver = (f: Finding, resolverAnswerEnd: number): Finding => ({
      ...f,
      evidence: { ...f.evidence, resolver: '127.0.0.53:53', resolverAnswerEnd },
    });
    // A resolver that answers ANY minimally (RFC 8482) hands qmail a small reply where the zone's servers give a big one.
    const findings = [
      viaResolver(over512('MX', NS1, 1204), 1180),
      viaResolver(over512('MX', NS2, 1204), 1180),
      over512('ANY', NS1, 1351),
    ];
    const [problem] = buildProblems(findings, judgeSenders(findings));
    expect(problem?.summary).toBe(
      `Answers end past the 512 bytes a qmail-family sender reads: MX ${DOMAIN} at byte 1,204 (ns1.partner.com, ns2.partner.com; 1,180 through our resolver); ANY ${DOMAIN} at byte 1,351 (ns1.partner.com).`,
    );
  });

  it('puts problems that stop senders first, whatever the status of the others, and keeps our side apart', () => {
    const findings = [
      make('resolver.unreachable', 'error', '127.0.0.53'),
      make('spf.too-many-lookups', 'fail', DOMAIN),
      over512('MX', NS1, 700),
    ];
    const problems = buildProblems(findings, judgeSenders(findings));
    expect(problems.map((p) => [p.id, p.whoseMove])).toEqual([
      ['dns.answer-over-512', 'their-dns'],
      ['resolver.unreachable', 'ours'],
      ['spf.too-many-lookups', 'their-dns'],
    ]);
  });

  it('puts a lookup our own resolver refused on our side, and the same failure at their servers on theirs', () => {
    const refusedByUs = make('ptr.lookup-failed', 'error', '192.0.2.25', {
      rcode: 'REFUSED',
      refusedBy: 'our-resolver',
    });
    const theirs = make('dmarc.lookup-failed', 'error', `_dmarc.${DOMAIN}`, { rcode: 'SERVFAIL' });
    const findings = [refusedByUs, theirs];
    const problems = buildProblems(findings, judgeSenders(findings));
    expect(Object.fromEntries(problems.map((p) => [p.id, p.whoseMove]))).toEqual({
      'ptr.lookup-failed': 'ours',
      'dmarc.lookup-failed': 'their-dns',
    });
  });

  it('puts the lookups a dead resolver of ours left unanswered on our side', () => {
    const findings = [
      make('resolver.unreachable', 'error', '127.0.0.53:53'),
      make('dns.timeout', 'error', DOMAIN, { server: '127.0.0.53:53', qtype: 'MX' }),
      make('dns.lookup-failed', 'error', DOMAIN, { server: 'ns1.partner.com (192.0.2.1)', qtype: 'NS' }),
    ];
    const problems = buildProblems(findings, judgeSenders(findings));
    expect(Object.fromEntries(problems.map((p) => [p.id, p.whoseMove]))).toEqual({
      'resolver.unreachable': 'ours',
      'dns.timeout': 'ours',
      'dns.lookup-failed': 'their-dns',
    });
    expect(problems.find((p) => p.id === 'dns.timeout')?.fix).toMatch(
      /^Nothing for the partner to do: our resolver 127\.0\.0\.53:53 is down/,
    );
  });

  it('gives a problem whose findings name no fix an empty fix, not a lone period', () => {
    const findings = [make('spf.too-many-lookups', 'fail', DOMAIN)];
    expect(buildProblems(findings, judgeSenders(findings))[0]?.fix).toBe('');
  });

  it('says where else a repeated finding was seen, once', () => {
    const findings = [
      make('tls.cert-expired', 'fail', 'mx1 (198.51.100.1)'),
      make('tls.cert-expired', 'fail', 'mx2 (198.51.100.2)'),
      make('tls.cert-expired', 'fail', 'mx2 (198.51.100.2)'),
    ];
    const [problem] = buildProblems(findings, []);
    expect(problem).toMatchObject({
      whoseMove: 'their-mail-server',
      findingCount: 3,
      where: ['mx1 (198.51.100.1)', 'mx2 (198.51.100.2)'],
    });
    expect(problem?.summary).toBe('tls.cert-expired at mx1 (198.51.100.1). The same at mx2 (198.51.100.2).');
  });
});

describe('headline', () => {
  const report = (findings: readonly Finding[]) => ({ domain: DOMAIN, findings, senders: judgeSenders(findings) });

  it('says who cannot deliver, why with the number, and whose move it is', () => {
    const seed = report(SEED);
    expect(headline(seed, buildProblems(seed.findings, seed.senders))).toBe(
      `qmail 1.03, netqmail, notqmail 1.07 and notqmail 1.08 cannot deliver to ${DOMAIN}: MX ${DOMAIN} ends at byte 1,204, past 512. Their DNS admin's move: Shorten the MX RRset of ${DOMAIN} below 512 bytes.`,
    );
  });

  it('says every kind of sender, with the count, when the problem stops all of them', () => {
    const findings = [make('smtp.connect-failed', 'fail', 'mx1.partner.com (198.51.100.1)')];
    const senders = ['qmail-1.03', 'postfix', 'exim'].map((family) => ({
      family,
      covers: family,
      verdict: 'fail' as const,
      expected: 'defers, then bounces',
      because: ['smtp.connect-failed'],
    }));
    const all = { domain: DOMAIN, findings, senders };
    expect(headline(all, buildProblems(findings, senders))).toMatch(
      /^Every kind of sender \(3\) cannot deliver to partner\.com: /,
    );
  });

  it('reads a null MX as a domain that takes no mail, and asks whether that is intended', () => {
    const nullMx = report([make('mx.null', 'warn', DOMAIN)]);
    expect(headline(nullMx, buildProblems(nullMx.findings, nullMx.senders))).toMatch(
      /^partner\.com accepts no mail \(null MX, RFC 7505\): every sender bounces at once\. Intended\?/,
    );
  });

  it('says no one can deliver when no nameserver answers, naming them', () => {
    const dead = report([
      make('dns.nameservers-unreachable', 'fail', DOMAIN, { servers: [{ server: NS1 }, { server: NS2 }] }),
    ]);
    expect(headline(dead, buildProblems(dead.findings, dead.senders))).toBe(
      `No one can deliver mail to ${DOMAIN} now: its nameservers ${NS1} and ${NS2} do not answer. Their move: bring the nameservers back or fix the delegation at the registrar.`,
    );
  });

  it('finds no problem only when nothing stops a sender and nothing was left unanswered', () => {
    const fine = report([make('mx.ok', 'pass', DOMAIN)]);
    expect(headline(fine, [])).toBe('No problem found that stops mail.');
    const unanswered = report([make('dns.timeout', 'error', DOMAIN)]);
    expect(headline(unanswered, buildProblems(unanswered.findings, unanswered.senders))).toMatch(
      /^Could not tell whether mail from .* gets through/,
    );
  });
});
