import { describe, expect, it } from 'vitest';
import { adminNote } from '../../src/chat/admin-note.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { finding, type Finding } from '../../src/diagnosis/finding.js';
import { NO_OBSERVATIONS } from '../../src/diagnosis/observations.js';
import { judgeSenders } from '../../src/diagnosis/senders.js';

const DOMAIN = 'partner.com';
const over512 = (qtype: string, server: string, address: string): Finding =>
  finding({
    id: 'dns.answer-over-512',
    status: 'fail',
    subject: `${qtype} ${DOMAIN} at ${server} (${address})`,
    summary: `The ${qtype} answer ends past 512.`,
    evidence: {
      qtype,
      qname: DOMAIN,
      server: `${server} (${address})`,
      answerEnd: 1204,
      dig: [`dig +noedns +ignore ${qtype} ${DOMAIN} @${address}`, `dig +noedns +tcp ${qtype} ${DOMAIN} @${address}`],
    },
    remedy: `Shorten the ${qtype} RRset.`,
  });

function report(findings: readonly Finding[]): DiagnosisReport {
  return {
    domain: DOMAIN,
    recipient: `postmaster@${DOMAIN}`,
    status: 'fail',
    durationMs: 1,
    findings,
    senders: judgeSenders(findings),
    timings: [],
    queriesSent: 0,
    observations: NO_OBSERVATIONS,
  };
}

describe('the note for their admin', () => {
  it('says each problem once, with each command that shows it once, and leaves our own side out', () => {
    const findings = [
      over512('MX', 'ns1.partner.com', '192.0.2.1'),
      over512('MX', 'ns2.partner.com', '192.0.2.2'),
      over512('MX', 'ns1.partner.com', '192.0.2.1'),
      finding({
        id: 'resolver.unreachable',
        status: 'error',
        subject: '127.0.0.53',
        summary: 'Our resolver does not answer.',
      }),
      finding({
        id: 'smtp.blocked-us',
        status: 'warn',
        subject: 'mx1 (198.51.100.1)',
        summary: 'The server refused us.',
      }),
    ];
    const note = adminNote(report(findings));
    expect(note.match(/^\d+\. /gm)).toEqual(['1. ']);
    expect(note).toContain(
      '1. Answers end past the 512 bytes a qmail-family sender reads: MX partner.com at byte 1,204 (ns1.partner.com, ns2.partner.com).',
    );
    expect(note.match(/To see it: dig \+noedns \+ignore MX partner\.com @192\.0\.2\.1/g)).toHaveLength(1);
    expect(note).toContain('To see it: dig +noedns +tcp MX partner.com @192.0.2.2');
    expect(note).not.toContain('resolver');
    expect(note).not.toContain('refused us');
  });
});
