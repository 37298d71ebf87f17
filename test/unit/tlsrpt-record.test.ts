import { describe, expect, it } from 'vitest';
import { isTlsRptRecord, parseTlsRptRecord } from '../../src/diagnosis/tlsrpt-record.js';

describe('TLS-RPT record (RFC 8460 §3)', () => {
  it.each([
    ['v=TLSRPTv1; rua=mailto:tls@partner.test', [['mailto:tls@partner.test', 'mailto']], {}],
    [
      'v=TLSRPTv1;rua=https://reports.partner.test/v1/tlsrpt',
      [['https://reports.partner.test/v1/tlsrpt', 'https']],
      {},
    ],
    [
      'v=TLSRPTv1; rua=mailto:a@partner.test, https://r.vendor.test/x;',
      [
        ['mailto:a@partner.test', 'mailto'],
        ['https://r.vendor.test/x', 'https'],
      ],
      {},
    ],
    [
      'v=TLSRPTv1; rua=mailto:tls%2Breports@partner.test; x-ext=1',
      [['mailto:tls%2Breports@partner.test', 'mailto']],
      { 'x-ext': '1' },
    ],
  ])('parses %j', (text, rua, extensions) => {
    expect(isTlsRptRecord(text)).toBe(true);
    expect(parseTlsRptRecord(text)).toEqual({
      ok: true,
      record: { text, rua: rua.map(([uri, scheme]) => ({ uri, scheme })), extensions },
    });
  });

  it.each([
    ['v=TLSRPTv1', 'the rua= field is required'],
    ['v=TLSRPTv1; rua=mailto:a@partner.test; rua=mailto:b@partner.test', 'rua= appears more than once'],
    ['v=TLSRPTv1; rua=tls@partner.test', 'is not a URI'],
    ['v=TLSRPTv1; rua=http://reports.partner.test/', 'uses the http: scheme'],
    ['v=TLSRPTv1; rua=mailto:partner.test', 'does not name a mailbox'],
    ['v=TLSRPTv1; rua=mailto:a@partner.test,', 'an empty URI'],
    ['v=TLSRPTv1; rua=mailto:a@partner.test;; rua', 'must be written name=value'],
    ['v=TLSRPTv1; rua=https://', 'is not an https URL'],
    ['v=tlsrptv1; rua=mailto:a@partner.test', 'must begin with v=TLSRPTv1'],
  ])('rejects %j: %s', (text, message) => {
    expect(isTlsRptRecord(text)).toBe(true);
    const parsed = parseTlsRptRecord(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.message).join(' | ')).toContain(message);
  });

  it.each(['v=spf1 -all', 'v=STSv1; id=1', 'v=TLSRPTv10; rua=mailto:a@b.test'])(
    'does not take %j for a TLS-RPT record',
    (text) => {
      expect(isTlsRptRecord(text)).toBe(false);
    },
  );
});
