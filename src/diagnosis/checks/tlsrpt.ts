import type { Check, CheckContext } from '../check.js';
import { finding, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';
import { isTlsRptRecord, parseTlsRptRecord } from '../tlsrpt-record.js';
import { txtRecords } from '../txt-records.js';

/** TLS-RPT (RFC 8460): one valid record at _smtp._tls.<domain> naming where senders report TLS failures. */
export const tlsRptCheck: Check = {
  name: 'tls-rpt',
  async run({ domain, dns }: CheckContext): Promise<Finding[]> {
    const name = `_smtp._tls.${domain}`;
    const outcome = await dns.recursive(name, 'TXT');
    const failed = inconclusive(outcome, name, 'tlsrpt');
    if (failed) return [failed];
    const records = txtRecords(outcome).filter(isTlsRptRecord);
    if (records.length === 0) {
      return [
        finding({
          id: 'tlsrpt.missing',
          status: 'info',
          subject: domain,
          summary: `${domain} publishes no TLS-RPT record, so senders do not report to it when TLS to its MX hosts fails (MTA-STS or DANE problems go unnoticed).`,
          evidence: { name, rcode: outcome.ok ? outcome.reply.rcode : null, txtRecords: txtRecords(outcome) },
          remedy: `Publish a TXT record "v=TLSRPTv1; rua=mailto:tls-reports@${domain}" at ${name}.`,
          ref: 'RFC 8460 §3',
        }),
      ];
    }
    if (records.length > 1) {
      return [
        finding({
          id: 'tlsrpt.multiple-records',
          status: 'fail',
          subject: name,
          summary: `${name} holds ${records.length} TLS-RPT records, so senders send no TLS reports at all.`,
          evidence: { name, records, count: records.length },
          remedy: `Keep exactly one TXT record starting with "v=TLSRPTv1;" at ${name}; put every destination in its rua=, separated by ",".`,
          ref: 'RFC 8460 §3',
        }),
      ];
    }
    const text = records[0] ?? '';
    const parsed = parseTlsRptRecord(text);
    if (!parsed.ok) {
      return [
        finding({
          id: 'tlsrpt.syntax',
          status: 'fail',
          subject: name,
          summary: `The TLS-RPT record at ${name} is invalid, so senders send no reports: ${parsed.errors[0]?.message ?? ''}.`,
          evidence: { name, record: text, errors: parsed.errors.map((e) => ({ field: e.field, message: e.message })) },
          remedy: `Publish "v=TLSRPTv1; rua=mailto:tls-reports@${domain}" (or an https: URL), fields separated by ";".`,
          ref: 'RFC 8460 §3',
        }),
      ];
    }
    return [
      finding({
        id: 'tlsrpt.ok',
        status: 'pass',
        subject: domain,
        summary: `TLS failure reports for ${domain} go to ${parsed.record.rua.map((d) => d.uri).join(', ')}.`,
        evidence: { name, record: text, rua: parsed.record.rua.map((d) => d.uri) },
        ref: 'RFC 8460 §3',
      }),
    ];
  },
};
