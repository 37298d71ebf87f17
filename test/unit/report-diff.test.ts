import { describe, expect, it } from 'vitest';
import { finding, type Finding } from '../../src/diagnosis/finding.js';
import { NO_OBSERVATIONS, type Observations } from '../../src/diagnosis/observations.js';
import { diffReports, isUnchanged, type ComparedReport } from '../../src/diagnosis/report-diff.js';
import { renderDiffText } from '../../src/diagnosis/render-diff.js';
import type { Verdict } from '../../src/diagnosis/sender-verdict.js';
import type { SenderVerdict } from '../../src/diagnosis/senders.js';

const sender = (family: string, verdict: Verdict): SenderVerdict => ({
  family,
  covers: family,
  verdict,
  expected: '',
  because: [],
});
const found = (id: string, status: Finding['status'], subject = 'partner.test'): Finding =>
  finding({ id, status, subject, summary: `${id} on ${subject}` });

function report(fields: {
  findings?: Finding[];
  senders?: SenderVerdict[];
  observations?: Observations;
}): ComparedReport {
  return {
    findings: fields.findings ?? [],
    senders: fields.senders ?? [],
    observations: fields.observations ?? NO_OBSERVATIONS,
  };
}

const NOV_3 = { id: 12, checkedAt: new Date('2026-11-03T09:00:00Z') };
const NOV_10 = { id: 15, checkedAt: new Date('2026-11-10T09:00:00Z') };

describe('diffReports', () => {
  it('lists records added and removed per query, and ignores queries only one run made', () => {
    const before = report({
      observations: {
        records: {
          'partner.test MX': ['10 mx.partner.test'],
          'partner.test TXT': ['"v=spf1 mx -all"'],
          'old.partner.test A': ['192.0.2.1'],
        },
        answerSizes: {},
      },
    });
    const after = report({
      observations: {
        records: {
          'partner.test MX': ['10 in1.scanner.example', '20 in2.scanner.example'],
          'partner.test TXT': ['"google-site-verification=abc"', '"v=spf1 mx -all"'],
          'new.partner.test A': ['192.0.2.9'],
        },
        answerSizes: {},
      },
    });
    const diff = diffReports(before, after);
    expect(diff.records).toEqual([
      {
        query: 'partner.test MX',
        added: ['10 in1.scanner.example', '20 in2.scanner.example'],
        removed: ['10 mx.partner.test'],
      },
      { query: 'partner.test TXT', added: ['"google-site-verification=abc"'], removed: [] },
    ]);
    // Records alone say nothing about whether mail got worse.
    expect(diff.trend).toBe('same');
  });

  it('tells when an answer grows across 512 bytes, and says so with the dates', () => {
    const sizes = (any: number, mx: number): Observations => ({
      records: {},
      answerSizes: {
        'ANY partner.test': { answerEnd: any, size: any + 40 },
        'MX partner.test': { answerEnd: mx, size: mx },
      },
    });
    const diff = diffReports(report({ observations: sizes(300, 480) }), report({ observations: sizes(320, 610) }));
    expect(diff.sizes).toEqual([
      { query: 'ANY partner.test', from: 300, to: 320, crossed: [] },
      { query: 'MX partner.test', from: 480, to: 610, crossed: [512] },
    ]);
    expect(diff.trend).toBe('worse');
    const text = renderDiffText('partner.test', diff, NOV_3, NOV_10);
    expect(text).toContain(
      'the MX partner.test answer grew from 480 to 610 bytes between 3 November and 10 November, crossing 512',
    );
    expect(text).toMatch(
      /^partner\.test: got worse between 3 Nov 2026 09:00 and 10 Nov 2026 09:00 \(UTC; checks #12 and #15\)/,
    );
    const back = diffReports(report({ observations: sizes(320, 1300) }), report({ observations: sizes(320, 400) }));
    expect(back.sizes).toEqual([{ query: 'MX partner.test', from: 1300, to: 400, crossed: [512, 1232] }]);
    expect(back.trend).toBe('better');
  });

  it('finds failures that appeared or got worse and those that cleared or got better; passes are not news', () => {
    const before = report({
      findings: [
        found('dns.answer-over-512', 'fail'),
        found('spf.too-many-lookups', 'warn'),
        found('mx.ok', 'pass'),
        found('dmarc.policy-none', 'warn'),
      ],
    });
    const after = report({
      findings: [
        found('spf.too-many-lookups', 'fail'),
        found('dnsbl.timeout', 'error', '192.0.2.5'),
        found('dns.reply-sizes-ok', 'pass'),
        found('dmarc.policy-none', 'info'),
      ],
    });
    const diff = diffReports(before, after);
    expect(diff.appeared.map((c) => [c.id, c.from, c.to])).toEqual([
      ['dnsbl.timeout', null, 'error'],
      ['spf.too-many-lookups', 'warn', 'fail'],
    ]);
    expect(diff.cleared.map((c) => [c.id, c.from, c.to])).toEqual([
      ['dns.answer-over-512', 'fail', null],
      ['dmarc.policy-none', 'warn', 'info'],
    ]);
    expect(diff.trend).toBe('mixed');
  });

  it('keeps the worst of repeated findings per subject, so a finding reported per query type does not flap', () => {
    const before = report({ findings: [found('dns.truncated', 'warn', 'ns1'), found('dns.truncated', 'fail', 'ns1')] });
    const after = report({ findings: [found('dns.truncated', 'fail', 'ns1')] });
    expect(isUnchanged(diffReports(before, after))).toBe(true);
  });

  it('does not call a problem cleared when the new run could not tell (a time-out in the same check family)', () => {
    const before = report({
      findings: [found('dns.answer-over-512', 'fail', 'MX partner.test at ns1.partner.test (192.0.2.53)')],
      senders: [sender('qmail-1.03', 'fail')],
    });
    const timedOut = report({
      findings: [found('dns.timeout', 'error', 'ns1.partner.test (192.0.2.53)')],
      senders: [sender('qmail-1.03', 'unknown')],
    });
    const diff = diffReports(before, timedOut);
    expect(diff.cleared).toEqual([]);
    expect(diff.senders).toEqual([{ family: 'qmail-1.03', from: 'fail', to: 'unknown' }]);
    expect(diff.trend).toBe('same');
    // Settled the next time: then it is fixed.
    const fixed = diffReports(
      before,
      report({ findings: [found('dns.reply-sizes-ok', 'pass')], senders: [sender('qmail-1.03', 'ok')] }),
    );
    expect(fixed.cleared.map((c) => c.id)).toEqual(['dns.answer-over-512']);
    expect(fixed.trend).toBe('better');
  });

  it('compares only what both runs looked at: mail server findings need both runs to have probed SMTP, RCPT findings the same recipient', () => {
    const full = report({
      findings: [
        found('smtp.starttls-missing', 'warn', 'mx1.partner.test (192.0.2.25)'),
        found('smtp.rcpt-rejected', 'fail', 'mx1.partner.test (192.0.2.25)'),
        found('spf.no-all', 'warn'),
      ],
    });
    const dnsOnly = report({ findings: [found('spf.no-all', 'warn')] });
    expect(isUnchanged(diffReports(full, dnsOnly))).toBe(true);
    expect(isUnchanged(diffReports(dnsOnly, full))).toBe(true);
    const otherRecipient = {
      ...report({
        findings: [
          found('smtp.starttls-missing', 'warn', 'mx1.partner.test (192.0.2.25)'),
          found('spf.no-all', 'warn'),
        ],
      }),
      recipient: 'jane@partner.test',
    };
    expect(isUnchanged(diffReports({ ...full, recipient: 'postmaster@partner.test' }, otherRecipient))).toBe(true);
  });

  it('follows a mail server by name when its address changes (rotating A records are not news)', () => {
    const at = (address: string) =>
      report({ findings: [found('smtp.starttls-missing', 'warn', `mx1.partner.test (${address})`)] });
    expect(isUnchanged(diffReports(at('192.0.2.25'), at('192.0.2.26')))).toBe(true);
    expect(isUnchanged(diffReports(at('2001:db8::25'), at('192.0.2.26')))).toBe(true);
  });

  it('does not call a question that went unanswered worse', () => {
    const diff = diffReports(report({}), report({ findings: [found('dns.timeout', 'error')] }));
    expect(diff.appeared).toHaveLength(1);
    expect(diff.trend).toBe('same');
  });

  it('follows sender verdicts', () => {
    const diff = diffReports(
      report({ senders: [sender('qmail-1.03', 'ok'), sender('postfix', 'ok')] }),
      report({ senders: [sender('qmail-1.03', 'fail'), sender('postfix', 'ok')] }),
    );
    expect(diff.senders).toEqual([{ family: 'qmail-1.03', from: 'ok', to: 'fail' }]);
    expect(diff.trend).toBe('worse');
    expect(renderDiffText('partner.test', diff, NOV_3, NOV_10)).toContain('  qmail-1.03: ok -> fail');
  });

  it('compares with a report stored before observations existed (read back with none), and says when nothing changed', () => {
    const diff = diffReports(
      report({ findings: [found('mx.ok', 'pass')] }),
      report({
        findings: [found('mx.ok', 'pass')],
        observations: { records: { 'partner.test MX': ['10 mx'] }, answerSizes: {} },
      }),
    );
    expect(isUnchanged(diff)).toBe(true);
    expect(renderDiffText('partner.test', diff, NOV_3, NOV_10, 'Europe/Berlin')).toBe(
      'partner.test: nothing changed between 3 Nov 2026 10:00 and 10 Nov 2026 10:00 (Europe/Berlin; checks #12 and #15).\n',
    );
  });
});
