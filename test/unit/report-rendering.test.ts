import { describe, expect, it } from 'vitest';
import { nonPublicRange } from '../../src/diagnosis/address-scope.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { digCommand } from '../../src/diagnosis/dig-command.js';
import type { DnsQuery } from '../../src/diagnosis/dns-port.js';
import { finding, type Finding } from '../../src/diagnosis/finding.js';
import { renderReportText } from '../../src/diagnosis/render-text.js';
import { reportToJson } from '../../src/diagnosis/report-json.js';
import { reverseName, sameAddress } from '../../src/diagnosis/reverse-name.js';
import type { SenderVerdict } from '../../src/diagnosis/senders.js';
import { NO_OBSERVATIONS } from '../../src/diagnosis/observations.js';

const SERVER = { host: '192.0.2.53', port: 53 };

describe('digCommand', () => {
  const base: DnsQuery = { server: SERVER, name: 'partner.test', type: 'MX', transport: 'udp', edns: false };
  it.each<[string, DnsQuery, string]>([
    ['UDP without EDNS, recursion desired', base, 'dig +noedns +ignore MX partner.test @192.0.2.53'],
    ['TCP without EDNS', { ...base, transport: 'tcp' }, 'dig +noedns +tcp MX partner.test @192.0.2.53'],
    [
      'no recursion',
      { ...base, recursionDesired: false },
      'dig +noedns +ignore +norecurse MX partner.test @192.0.2.53',
    ],
    [
      'recursion asked for explicitly',
      { ...base, recursionDesired: true },
      'dig +noedns +ignore MX partner.test @192.0.2.53',
    ],
    [
      'EDNS at the Flag Day size',
      { ...base, edns: { udpSize: 1232 } },
      'dig +edns=0 +bufsize=1232 +ignore MX partner.test @192.0.2.53',
    ],
    [
      'EDNS version 1 with DO',
      { ...base, type: 'SOA', edns: { udpSize: 4096, version: 1, dnssecOk: true } },
      'dig +edns=1 +bufsize=4096 +dnssec +ignore SOA partner.test @192.0.2.53',
    ],
    [
      'EDNS over TCP without recursion',
      { ...base, transport: 'tcp', recursionDesired: false, edns: { udpSize: 1232 } },
      'dig +edns=0 +bufsize=1232 +tcp +norecurse MX partner.test @192.0.2.53',
    ],
    [
      'another port',
      { ...base, server: { host: '127.0.0.11', port: 5353 } },
      'dig +noedns +ignore MX partner.test @127.0.0.11 -p 5353',
    ],
    [
      'an IPv6 server',
      { ...base, type: 'ANY', server: { host: '2001:db8::53', port: 53 } },
      'dig +noedns +ignore ANY partner.test @2001:db8::53',
    ],
  ])('%s', (_, query, expected) => {
    expect(digCommand(query)).toBe(expected);
  });
});

describe('reverseName and sameAddress', () => {
  it.each([
    ['192.0.2.1', '1.2.0.192.in-addr.arpa'],
    ['11.22.33.10', '10.33.22.11.in-addr.arpa'],
    // RFC 3596 §2.5: 2001:0db8:0000:0000:0000:0000:0000:0001, every nibble, least significant first.
    ['2001:db8::1', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa'],
    ['2a00:1450:4001:82b::1b', 'b.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.2.8.0.1.0.0.4.0.5.4.1.0.0.a.2.ip6.arpa'],
  ])('%s -> %s', (address, name) => {
    expect(reverseName(address)).toBe(name);
    if (address.includes(':')) expect(name.split('.').length - 2).toBe(32);
  });

  it('compares addresses by value, not by spelling', () => {
    expect(sameAddress('2001:db8::1', '2001:0DB8:0:0:0:0:0:1')).toBe(true);
    expect(sameAddress('2001:db8::1', '2001:db8::2')).toBe(false);
    expect(sameAddress('192.0.2.1', 'not an address')).toBe(false);
  });
});

describe('nonPublicRange', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.2', 'loopback'],
    ['169.254.1.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd00::25', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:10.0.0.1', 'private'],
    ['fec0::1', 'siteLocal'],
    // Translation prefixes are judged by the IPv4 address they carry.
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b:1::a9fe:a9fe', 'linkLocal'],
    ['2002:7f00:1::1', 'loopback'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['100::1', 'discard'],
    ['2001:2::1', 'benchmarking'],
    ['not-an-address', 'invalid'],
  ])('%s is %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each([
    '64:ff9b::808:808',
    '11.22.33.10',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2a00:1450::25',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(nonPublicRange(address)).toBeUndefined();
  });
});

const NS = 'ns1.partner.test (192.0.2.53)';
const FINDINGS: readonly Finding[] = [
  finding({ id: 'mx.ok', status: 'pass', subject: 'partner.test', summary: '1 MX host, with a public address.' }),
  finding({
    id: 'dns.answer-over-512',
    status: 'fail',
    subject: `MX partner.test at ${NS}`,
    summary: 'The MX answer for partner.test ends at byte 528.',
    evidence: {
      server: NS,
      qtype: 'MX',
      answerEnd: 528,
      tc: true,
      hosts: ['a.test', 'b.test'],
      dig: [
        'dig +noedns +ignore +norecurse MX partner.test @192.0.2.53',
        'dig +noedns +tcp +norecurse MX partner.test @192.0.2.53',
      ],
    },
    remedy: 'Shorten the MX RRset.',
    ref: 'RFC 1035 §4.2.1',
  }),
  finding({ id: 'spf.macros', status: 'info', subject: 'partner.test', summary: 'The SPF record uses macros.' }),
  finding({
    id: 'dns.truncated',
    status: 'warn',
    subject: `MX partner.test at ${NS}`,
    summary: 'The reply comes back truncated.',
    evidence: { dig: 'dig +noedns +ignore +norecurse MX partner.test @192.0.2.53' },
  }),
  finding({
    id: 'dns.timeout',
    status: 'error',
    subject: 'partner.test',
    summary: 'No answer in time.',
    remedy: 'Re-run with a longer --timeout.',
  }),
];
const SENDERS: readonly SenderVerdict[] = [
  {
    family: 'qmail-1.03',
    covers: 'qmail 1.03',
    verdict: 'fail',
    expected: 'deferral, then a bounce after 7 days',
    because: ['dns.answer-over-512'],
  },
  { family: 'postfix', covers: 'Postfix', verdict: 'ok', expected: 'delivers', because: [] },
  {
    family: 'flagday-2020-resolver',
    covers: 'BIND, Unbound',
    verdict: 'unknown',
    expected: 'could not tell',
    because: ['dns.timeout'],
  },
];
const REPORT: DiagnosisReport = {
  domain: 'partner.test',
  recipient: 'postmaster@partner.test',
  status: 'error',
  durationMs: 2504.4,
  findings: FINDINGS,
  senders: SENDERS,
  timings: [
    { check: 'mx', durationMs: 12.4 },
    { check: 'reply-size', durationMs: 339.6 },
  ],
  queriesSent: 17,
  observations: NO_OBSERVATIONS,
};

describe('renderReportText, verbose (the chat thread and --verbose: every finding)', () => {
  const text = renderReportText(REPORT, { verbose: true });
  const lines = text.split('\n');
  const at = (line: string): number => {
    const index = lines.indexOf(line);
    expect(index, `line ${JSON.stringify(line)} in\n${text}`).toBeGreaterThanOrEqual(0);
    return index;
  };

  it('opens with the verdict: counts, failing senders, time and queries', () => {
    // A known failure headlines over an unanswered question (the JSON status stays the worst, error).
    expect(lines[0]).toBe(
      'partner.test: FAIL (1 failure, 1 warning, 1 unanswered question); mail from qmail-1.03 will fail  [2.50 s, 17 DNS queries]',
    );
    expect(text.endsWith('\n')).toBe(true);
  });

  it('lists problems before what is fine, then senders, then timings', () => {
    const order = [
      at('Problems'),
      at('  FAIL    dns.answer-over-512  MX partner.test at ns1.partner.test (192.0.2.53)'),
      at('Checked, nothing to fix'),
      at('Senders'),
      lines.findIndex((l) => l.startsWith('Timings')),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('keeps the order of the problems it is given and shows no pass or info finding among them', () => {
    const problems = lines.slice(at('Problems') + 1, at('Checked, nothing to fix')).filter((l) => /^ {2}\S/.test(l));
    expect(problems).toEqual([
      `  FAIL    dns.answer-over-512  MX partner.test at ${NS}`,
      `  WARN    dns.truncated  MX partner.test at ${NS}`,
      '  ERROR   dns.timeout  partner.test',
    ]);
  });

  it('shows each problem with its summary, evidence, fix, reproduce and ref lines, in that order', () => {
    const start = at(`  FAIL    dns.answer-over-512  MX partner.test at ${NS}`);
    expect(lines.slice(start + 1, start + 7)).toEqual([
      '          The MX answer for partner.test ends at byte 528.',
      `          evidence: server="${NS}" qtype=MX answerEnd=528 tc=true hosts=["a.test","b.test"]`,
      '          fix: Shorten the MX RRset.',
      '          reproduce: dig +noedns +ignore +norecurse MX partner.test @192.0.2.53',
      '          reproduce: dig +noedns +tcp +norecurse MX partner.test @192.0.2.53',
      '          ref: RFC 1035 §4.2.1',
    ]);
  });

  it('leaves out the evidence, fix and ref lines a finding does not have', () => {
    const truncated = at(`  WARN    dns.truncated  MX partner.test at ${NS}`);
    expect(lines.slice(truncated + 1, truncated + 3)).toEqual([
      '          The reply comes back truncated.',
      '          reproduce: dig +noedns +ignore +norecurse MX partner.test @192.0.2.53',
    ]);
    const timeout = at('  ERROR   dns.timeout  partner.test');
    expect(lines.slice(timeout + 1, timeout + 4)).toEqual([
      '          No answer in time.',
      '          fix: Re-run with a longer --timeout.',
      '',
    ]);
  });

  it('lists pass and info findings under "Checked, nothing to fix", one line each', () => {
    expect(lines.slice(at('Checked, nothing to fix') + 1, at('Senders') - 1)).toEqual([
      '  PASS    mx.ok  1 MX host, with a public address.',
      '  INFO    spf.macros  The SPF record uses macros.',
    ]);
  });

  it('aligns the sender matrix, with what a failing or unknown sender says and why', () => {
    expect(lines.slice(at('Senders') + 1, at('Senders') + 4)).toEqual([
      '  qmail-1.03             FAIL    (qmail 1.03, netqmail, notqmail 1.07)  deferral, then a bounce after 7 days  [dns.answer-over-512]',
      '  postfix                OK      (Postfix, with a normal resolver)',
      '  flagday-2020-resolver  UNKNOWN (senders behind a modern resolver (EDNS 1232))  could not tell  [dns.timeout]',
    ]);
  });

  it('lists senders undecided for one reason together, with the reason once', () => {
    const undecided = (family: string): SenderVerdict => ({
      family,
      covers: family,
      verdict: 'unknown',
      expected: 'could not tell',
      because: ['dns.lookup-failed'],
    });
    const grouped = renderReportText({
      ...REPORT,
      senders: [undecided('qmail-1.03'), SENDERS[1] as SenderVerdict, undecided('musl-1.2.3'), undecided('exim')],
    }).split('\n');
    const from = grouped.indexOf('Senders') + 1;
    expect(grouped.slice(from, from + 5)).toEqual([
      '  qmail-1.03  UNKNOWN (qmail 1.03, netqmail, notqmail 1.07)',
      '  musl-1.2.3  UNKNOWN (Alpine < 3.18 / musl programs)',
      '  exim        UNKNOWN (Exim, with a normal resolver)',
      '              these 3: could not tell  [dns.lookup-failed]',
      '  postfix     OK      (Postfix, with a normal resolver)',
    ]);
  });

  it('rounds the timings of each check', () => {
    expect(lines.find((l) => l.startsWith('Timings'))).toBe('Timings  mx 12 ms, reply-size 340 ms');
  });

  it('says so when every check passed', () => {
    const passing = renderReportText({
      ...REPORT,
      status: 'pass',
      findings: [FINDINGS[0] as Finding],
      senders: [SENDERS[1] as SenderVerdict],
    });
    expect(passing.split('\n')[0]).toBe('partner.test: OK (all checks passed)  [2.50 s, 17 DNS queries]');
    const informational = renderReportText({
      ...REPORT,
      status: 'info',
      findings: [{ ...(FINDINGS[0] as Finding), status: 'info' }],
      senders: [],
    });
    expect(informational.split('\n')[0]).toBe('partner.test: OK (all checks passed)  [2.50 s, 17 DNS queries]');
    expect(passing).not.toContain('Problems');
    expect(passing).not.toContain('will fail');
  });

  it('counts in plural', () => {
    const twoFailures = renderReportText({
      ...REPORT,
      status: 'fail',
      findings: [FINDINGS[1] as Finding, { ...(FINDINGS[1] as Finding), subject: 'other' }],
      senders: [],
    });
    expect(twoFailures.split('\n')[0]).toBe('partner.test: FAIL (2 failures)  [2.50 s, 17 DNS queries]');
  });
});

describe('renderReportText, short (mxops check)', () => {
  const text = renderReportText(REPORT);
  const lines = text.split('\n');

  it('opens with the verdict line and the headline, and ends on the headline again', () => {
    expect(lines[0]).toBe(
      'partner.test: FAIL (1 failure, 1 warning, 1 unanswered question); mail from qmail-1.03 will fail  [2.50 s, 17 DNS queries]',
    );
    expect(lines[1]).toMatch(/^qmail 1\.03, netqmail, notqmail 1\.07 cannot deliver to partner\.test: /);
    expect(lines.at(-3)).toBe(`Verdict: ${lines[1]}`);
    expect(lines.at(-2)).toBe('(mxops check --verbose shows every finding with its evidence)');
  });

  it('shows one entry per problem, those that stop senders first, with whose move, the fix and the commands', () => {
    // The problems come last but for the verdict, so they are what is on screen when the report ends.
    expect(lines.indexOf('Problems')).toBeGreaterThan(lines.indexOf('Senders'));
    const entries = lines
      .slice(
        lines.indexOf('Problems') + 1,
        lines.findIndex((l) => l.startsWith('Verdict: ')),
      )
      .filter((l) => /^ {2}\S/.test(l));
    expect(entries).toEqual([
      "  FAIL    dns.answer-over-512  (their DNS admin's move; stops qmail-1.03)",
      "  ERROR   dns.timeout  (their DNS admin's move)",
      "  WARN    dns.truncated  (their DNS admin's move)",
    ]);
    const start = lines.indexOf(entries[0] as string);
    // This finding carries no qname, so its own summary stands (the grouped numbers need every finding's).
    expect(lines.slice(start + 1, start + 5)).toEqual([
      '          The MX answer for partner.test ends at byte 528.',
      '          fix: Shorten the MX RRset.',
      '          reproduce: dig +noedns +ignore +norecurse MX partner.test @192.0.2.53',
      '          reproduce: dig +noedns +tcp +norecurse MX partner.test @192.0.2.53',
    ]);
    expect(text).not.toContain('evidence:');
  });

  it('folds what needs nothing into one line per check', () => {
    const many = renderReportText({
      ...REPORT,
      findings: [...FINDINGS, { ...(FINDINGS[0] as Finding), subject: 'again' }],
    });
    expect(many).toContain('  PASS    mx  mx.ok x2');
  });
});

describe('reportToJson', () => {
  it('has exactly the documented keys, at every level', () => {
    const json = reportToJson(REPORT) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual([
      'domain',
      'durationMs',
      'findings',
      'headline',
      'observations',
      'problems',
      'queriesSent',
      'recipient',
      'senders',
      'status',
      'timings',
    ]);
    for (const p of json.problems as Record<string, unknown>[])
      expect(Object.keys(p).sort()).toEqual([
        'explains',
        'findingCount',
        'fix',
        'id',
        'short',
        'status',
        'summary',
        'where',
        'whoseMove',
      ]);
    const findings = json.findings as Record<string, unknown>[];
    const senders = json.senders as Record<string, unknown>[];
    expect(findings).toHaveLength(5);
    for (const f of findings)
      expect(Object.keys(f).sort()).toEqual(['evidence', 'id', 'ref', 'remedy', 'status', 'subject', 'summary']);
    expect(senders).toHaveLength(3);
    for (const s of senders)
      expect(Object.keys(s).sort()).toEqual(['because', 'covers', 'expected', 'family', 'verdict']);
    expect((json.timings as Record<string, unknown>[]).map((t) => Object.keys(t).sort())).toEqual([
      ['check', 'durationMs'],
      ['check', 'durationMs'],
    ]);
  });

  it('carries the values over, with durations rounded to whole milliseconds', () => {
    const json = reportToJson(REPORT);
    expect(json).toMatchObject({
      domain: 'partner.test',
      status: 'error',
      durationMs: 2504,
      queriesSent: 17,
      timings: [
        { check: 'mx', durationMs: 12 },
        { check: 'reply-size', durationMs: 340 },
      ],
    });
    expect(json).toHaveProperty(['findings', 1], {
      id: 'dns.answer-over-512',
      status: 'fail',
      subject: `MX partner.test at ${NS}`,
      summary: 'The MX answer for partner.test ends at byte 528.',
      evidence: FINDINGS[1]?.evidence,
      remedy: 'Shorten the MX RRset.',
      ref: 'RFC 1035 §4.2.1',
    });
    expect(json).toHaveProperty(['senders', 0], {
      family: 'qmail-1.03',
      verdict: 'fail',
      expected: 'deferral, then a bounce after 7 days',
      because: ['dns.answer-over-512'],
      covers: 'qmail 1.03',
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('drops fields that are not part of the documented shape', () => {
    const extra = { ...(FINDINGS[0] as Finding), internal: 'not for users' };
    const json = reportToJson({ ...REPORT, findings: [extra] }) as { findings: Record<string, unknown>[] };
    expect(json.findings[0]).not.toHaveProperty('internal');
  });
});
