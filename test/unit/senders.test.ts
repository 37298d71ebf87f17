import { describe, expect, it } from 'vitest';
import { finding, type Evidence, type Finding, type Status } from '../../src/diagnosis/finding.js';
import { judgeSenders, type SenderVerdict } from '../../src/diagnosis/senders.js';

const FAMILIES = [
  'qmail-1.03',
  'notqmail-1.08',
  'notqmail-1.09',
  'musl-1.2.3',
  'no-edns-tcp-blocked',
  'flagday-2020-resolver',
  'validating-resolver',
  'postfix',
  'exim',
] as const;
type Family = (typeof FAMILIES)[number];
const QMAILS: Family[] = ['qmail-1.03', 'notqmail-1.08', 'notqmail-1.09'];
const GLIBC_EDNS: Family[] = ['flagday-2020-resolver', 'validating-resolver', 'postfix', 'exim'];

const NS1 = 'ns1.partner.test (127.0.0.11)';
const NS2 = 'ns2.partner.test (127.0.0.12)';

function make(id: string, status: Status, subject: string, evidence: Evidence = {}): Finding {
  return finding({ id, status, subject, summary: `${id} (test)`, evidence });
}
// Shaped as the reply-size check shapes them: per-query findings carry the server label in
// evidence.server, a TCP finding has it as its subject.
const over512 = (qtype: string, server = NS1): Finding =>
  make('dns.answer-over-512', 'fail', `${qtype} partner.test at ${server}`, { qtype, server });
const truncated = (qtype: string, server = NS1): Finding =>
  make('dns.truncated', 'warn', `${qtype} partner.test at ${server}`, { qtype, server, tc: true });
const ednsTruncated = (qtype: string, server = NS1): Finding =>
  make('dns.truncated', 'warn', `${qtype} partner.test at ${server}`, { qtype, server, tc: true, ednsTc: true });
const over1232 = (qtype: string, server = NS1): Finding =>
  make('dns.reply-over-1232', 'warn', `${qtype} partner.test at ${server}`, { qtype, server });
const tcpDown = (server = NS1, status: Status = 'fail'): Finding =>
  make('dns.tcp-unavailable', status, server, { server });
const domainFinding = (id: string, status: Status): Finding => make(id, status, 'partner.test');

function byFamily(verdicts: readonly SenderVerdict[]): Map<string, SenderVerdict> {
  return new Map(verdicts.map((v) => [v.family, v]));
}

/** Every family fails with the ids in `fails`, or is ok (with nothing in `because`). */
function expectVerdicts(findings: readonly Finding[], fails: Partial<Record<Family, string[]>>): void {
  const verdicts = byFamily(judgeSenders(findings));
  const actual = Object.fromEntries(
    FAMILIES.map((family) => [
      family,
      { verdict: verdicts.get(family)?.verdict, because: verdicts.get(family)?.because },
    ]),
  );
  const expected = Object.fromEntries(
    FAMILIES.map((family) => [family, { verdict: fails[family] ? 'fail' : 'ok', because: fails[family] ?? [] }]),
  );
  expect(actual).toEqual(expected);
}

const all = (because: string[]): Partial<Record<Family, string[]>> =>
  Object.fromEntries(FAMILIES.map((family) => [family, because]));
const some = (families: readonly Family[], because: string[]): Partial<Record<Family, string[]>> =>
  Object.fromEntries(families.map((family) => [family, because]));

describe('judgeSenders: who fails on what', () => {
  it.each<[string, Finding[], Partial<Record<Family, string[]>>]>([
    ['nothing wrong', [], {}],
    [
      'an ANY answer past 512 bytes: only qmail 1.03 asks ANY',
      [over512('ANY')],
      some(['qmail-1.03'], ['dns.answer-over-512']),
    ],
    [
      'an MX answer past 512 bytes: qmail 1.03 and notqmail 1.08',
      [over512('MX')],
      some(['qmail-1.03', 'notqmail-1.08'], ['dns.answer-over-512']),
    ],
    [
      'an A answer past 512 bytes: qmail 1.03 and notqmail 1.08',
      [over512('A')],
      some(['qmail-1.03', 'notqmail-1.08'], ['dns.answer-over-512']),
    ],
    ['an AAAA answer past 512 bytes: qmail asks A only', [over512('AAAA')], {}],
    [
      'the same answer past 512 at two servers: the id once',
      [over512('MX', NS1), over512('MX', NS2)],
      some(['qmail-1.03', 'notqmail-1.08'], ['dns.answer-over-512']),
    ],
    // Senders reach the authoritative servers through a caching resolver that asks with EDNS 1232
    // (DOMAIN.md §1): TCP/53 blocked there hurts only resolvers without EDNS, and answers over 1232.
    [
      'a truncated ANY reply from a server without TCP: only resolvers without EDNS',
      [truncated('ANY'), tcpDown()],
      some(['no-edns-tcp-blocked'], ['dns.truncated', 'dns.tcp-unavailable']),
    ],
    ['a truncated ANY reply, TCP down at another server', [truncated('ANY', NS1), tcpDown(NS2)], {}],
    [
      'a truncated MX reply from a server without TCP, fitting in EDNS 1232: notqmail 1.09, Postfix and Exim deliver',
      [truncated('MX'), tcpDown()],
      { ...some(['no-edns-tcp-blocked'], ['dns.truncated', 'dns.tcp-unavailable']), 'musl-1.2.3': ['dns.truncated'] },
    ],
    [
      'an MX reply truncated even with EDNS 1232, from a server without TCP: nobody gets it',
      [ednsTruncated('MX'), tcpDown()],
      { ...all(['dns.truncated', 'dns.tcp-unavailable']), 'musl-1.2.3': ['dns.truncated'] },
    ],
    [
      'a truncated MX reply, TCP down at another server: musl still fails',
      [truncated('MX', NS1), tcpDown(NS2)],
      some(['musl-1.2.3'], ['dns.truncated']),
    ],
    ['a truncated AAAA reply: musl', [truncated('AAAA')], some(['musl-1.2.3'], ['dns.truncated'])],
    ['a truncated ANY reply alone', [truncated('ANY')], {}],
    [
      'a reply over 1232 bytes and TCP down: every sender behind a Flag Day resolver',
      [over1232('MX'), tcpDown()],
      some([...QMAILS, 'musl-1.2.3', ...GLIBC_EDNS], ['dns.reply-over-1232', 'dns.tcp-unavailable']),
    ],
    ['a reply over 1232 bytes with TCP working', [over1232('MX')], {}],
    ['TCP down with no reply needing it', [tcpDown(NS1, 'warn')], {}],
    [
      'EDNS queries dropped: every sender behind an EDNS resolver',
      [make('dns.edns-noncompliant', 'fail', NS1)],
      some([...QMAILS, 'musl-1.2.3', ...GLIBC_EDNS], ['dns.edns-noncompliant']),
    ],
    [
      'no nameserver answers: every sender',
      [domainFinding('dns.nameservers-unreachable', 'fail')],
      all(['dns.nameservers-unreachable']),
    ],
    [
      'no nameserver answers with authority: every sender',
      [make('dns.lame-delegation', 'fail', NS1), make('dns.lame-delegation', 'fail', NS2)],
      all(['dns.lame-delegation']),
    ],
    ['one lame nameserver while another answers: nobody', [make('dns.lame-delegation', 'warn', NS1)], {}],
    ['one dead nameserver while another answers: nobody', [make('dns.nameserver-unreachable', 'warn', NS1)], {}],
    [
      'the parent says the domain does not exist: every sender',
      [domainFinding('dns.not-delegated', 'fail')],
      all(['dns.not-delegated']),
    ],
    ['EDNS mishandled but answered', [make('dns.edns-noncompliant', 'warn', NS1)], {}],
    [
      'an IP-literal MX: Postfix skips it, Exim rejects it',
      [make('mx.ip-literal', 'fail', '11.22.33.21')],
      some(['postfix', 'exim'], ['mx.ip-literal']),
    ],
    ['no MX and no address', [domainFinding('mx.none', 'fail')], all(['mx.none'])],
    ['no MX but an implicit MX address', [domainFinding('mx.none', 'warn')], {}],
    ['a null MX', [domainFinding('mx.null', 'warn')], all(['mx.null'])],
    ['no MX host with an address', [domainFinding('mx.unresolvable', 'fail')], all(['mx.unresolvable'])],
    ['some MX hosts without an address', [domainFinding('mx.unresolvable', 'warn')], {}],
    [
      'only IPv6 MX hosts: the qmail family looks up A only',
      [domainFinding('mx.ipv6-only', 'fail')],
      some(QMAILS, ['mx.ipv6-only']),
    ],
    ['some IPv6-only MX hosts', [domainFinding('mx.ipv6-only', 'warn')], {}],
    [
      'problems no sender trips on',
      [domainFinding('mx.cname-target', 'warn'), domainFinding('spf.missing', 'warn'), domainFinding('mx.ok', 'pass')],
      {},
    ],
  ])('%s', (_, findings, fails) => {
    expectVerdicts(findings, fails);
  });
});

describe('judgeSenders: what each sender would say', () => {
  it('lists every family once, in a fixed order, with what it covers', () => {
    const verdicts = judgeSenders([]);
    expect(verdicts.map((v) => v.family)).toEqual([...FAMILIES]);
    expect(verdicts.every((v) => v.covers.length > 0)).toBe(true);
    expect(verdicts.every((v) => v.expected === 'delivers: none of the problems this sender trips on were found')).toBe(
      true,
    );
  });

  it.each<[Finding[], Family, string]>([
    [[over512('ANY')], 'qmail-1.03', 'CNAME_lookup_failed_temporarily._(#4.4.3)'],
    [[over512('MX')], 'notqmail-1.08', "Sorry,_I_couldn't_find_any_host_by_that_name._(#4.1.2)"],
    [[domainFinding('mx.ipv6-only', 'fail')], 'qmail-1.03', '(#5.4.4)'],
    [[truncated('MX')], 'musl-1.2.3', 'Name does not resolve'],
    [[make('mx.ip-literal', 'fail', '11.22.33.21')], 'postfix', 'numeric domain name in resource data of MX record'],
    [[domainFinding('mx.null', 'warn')], 'exim', '5.1.10'],
  ])('%#: %s says "%s"', (findings, family, says) => {
    expect(byFamily(judgeSenders(findings)).get(family)?.expected).toContain(says);
  });

  it('reports the first rule that matches: no mail server at all outranks a big ANY answer', () => {
    const qmail = byFamily(judgeSenders([over512('ANY'), domainFinding('mx.none', 'fail')])).get('qmail-1.03');
    expect(qmail?.because).toEqual(['mx.none']);
    expect(qmail?.expected).toContain('no mail server');
  });
});

describe('judgeSenders: could not tell', () => {
  it('is unknown for every family when a DNS query went unanswered and no failure rule matched', () => {
    const verdicts = judgeSenders([
      make('dns.timeout', 'error', 'MX partner.test at ns1'),
      domainFinding('mx.ok', 'pass'),
    ]);
    expect(verdicts.map((v) => [v.verdict, v.because])).toEqual(FAMILIES.map(() => ['unknown', ['dns.timeout']]));
    expect(verdicts[0]?.expected).toContain('could not tell');
  });

  it('is unknown for every family when a check crashed, since part of the diagnosis is missing', () => {
    const verdicts = judgeSenders([make('check.crashed', 'error', 'partner.test'), domainFinding('mx.ok', 'pass')]);
    expect(verdicts.map((v) => [v.verdict, v.because])).toEqual(FAMILIES.map(() => ['unknown', ['check.crashed']]));
  });

  it('still fails the families a known problem breaks, and is unknown for the rest', () => {
    const verdicts = byFamily(
      judgeSenders([make('dns.lookup-failed', 'error', 'partner.test'), make('mx.ip-literal', 'fail', '11.22.33.21')]),
    );
    expect(FAMILIES.map((family) => [family, verdicts.get(family)?.verdict])).toEqual(
      FAMILIES.map((family) => [family, family === 'postfix' || family === 'exim' ? 'fail' : 'unknown']),
    );
    expect(verdicts.get('qmail-1.03')?.because).toEqual(['dns.lookup-failed']);
  });

  it('leaves every sender decided when only a lookup no sender needs to deliver failed (PTR, SPF, DMARC, TLS-RPT)', () => {
    const findings = ['ptr.lookup-failed', 'spf.timeout', 'dmarc.lookup-failed', 'tlsrpt.timeout'].map((id) =>
      make(id, 'error', 'partner.test'),
    );
    const verdicts = judgeSenders([...findings, domainFinding('mx.ok', 'pass')], { smtp: true });
    expect(verdicts.filter((v) => v.verdict === 'unknown')).toEqual([]);
  });

  it('leaves undecided only the senders that read MTA-STS and TLSA when those lookups fail', () => {
    const verdicts = byFamily(
      judgeSenders([make('mtasts.timeout', 'error', '_mta-sts.partner.test'), domainFinding('mx.ok', 'pass')], {
        smtp: true,
      }),
    );
    for (const family of FAMILIES) expect([family, verdicts.get(family)?.verdict]).toEqual([family, 'ok']);
    expect(verdicts.get('mta-sts-enforcing-sender')?.verdict).toBe('unknown');
  });
});
