import { describe, expect, it } from 'vitest';
import {
  coveringPattern,
  MAX_MAX_AGE,
  mxPatternMatches,
  parseMtaStsPolicy,
} from '../../src/diagnosis/mta-sts-policy.js';
import { isMtaStsRecord, parseMtaStsRecord } from '../../src/diagnosis/mta-sts-record.js';

describe('MTA-STS TXT record (RFC 8461 §3.1)', () => {
  it.each([
    ['v=STSv1; id=20260101T000000', '20260101T000000', {}],
    ['v=STSv1;id=abc', 'abc', {}],
    ['v=STSv1; id=1;', '1', {}],
    ['v=STSv1 ;  id=A1b2 ; ext-1.x=value!', 'A1b2', { 'ext-1.x': 'value!' }],
    [`v=STSv1; id=${'9'.repeat(32)}`, '9'.repeat(32), {}],
  ])('parses %j', (text, id, extensions) => {
    expect(isMtaStsRecord(text)).toBe(true);
    expect(parseMtaStsRecord(text)).toEqual({ ok: true, record: { text, id, extensions } });
  });

  it.each([
    ['v=STSv1', 'the id= field is required'],
    ['v=STSv1; id=', 'is not a policy id'],
    ['v=STSv1; id=2026-01-01', '"2026-01-01" is not a policy id'],
    [`v=STSv1; id=${'9'.repeat(33)}`, 'is not a policy id'],
    ['v=STSv1; id=1; id=2', 'id= appears more than once'],
    ['v=stsv1; id=1', 'must begin with v=STSv1'],
    ['v = STSv1; id=1', 'must begin with v=STSv1'],
    ['v=STSv1; id=1; v=STSv1', 'v= may appear only once'],
    ['v=STSv1; id=1; mode', 'must be written name=value'],
    ['v=STSv1; id=1; bad name=x', 'is not a field name'],
    ['v=STSv1; id=1; ext=a b', 'must be printable characters without spaces'],
  ])('rejects %j: %s', (text, message) => {
    expect(isMtaStsRecord(text)).toBe(true);
    const parsed = parseMtaStsRecord(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.message).join(' | ')).toContain(message);
  });

  it.each(['v=spf1 -all', 'google-site-verification=abc', 'v=STSv10; id=1', ''])(
    'does not take %j for an MTA-STS record',
    (text) => {
      expect(isMtaStsRecord(text)).toBe(false);
    },
  );
});

const GOOD = 'version: STSv1\nmode: enforce\nmx: mx1.partner.test\nmx: *.backup.partner.test\nmax_age: 604800\n';

describe('MTA-STS policy file (RFC 8461 §3.2)', () => {
  it('parses a policy with LF line ends', () => {
    expect(parseMtaStsPolicy(GOOD)).toEqual({
      ok: true,
      policy: {
        mode: 'enforce',
        maxAge: 604800,
        mx: ['mx1.partner.test', '*.backup.partner.test'],
        extensions: {},
        ignoredLines: [],
      },
    });
  });

  it('parses CRLF line ends, no final line end, spaces after the colon and extensions', () => {
    const parsed = parseMtaStsPolicy(
      'version: STSv1\r\nmode:testing\r\nmax_age:   86400  \r\nmx: mx1.partner.test\r\nx-note: managed by ops',
    );
    expect(parsed).toEqual({
      ok: true,
      policy: {
        mode: 'testing',
        maxAge: 86400,
        mx: ['mx1.partner.test'],
        extensions: { 'x-note': 'managed by ops' },
        ignoredLines: [],
      },
    });
  });

  it('allows mode none without mx lines, and max_age 0 and the maximum', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 0\n')).toMatchObject({
      ok: true,
      policy: { mode: 'none', maxAge: 0, mx: [] },
    });
    expect(parseMtaStsPolicy(`version: STSv1\nmode: none\nmax_age: ${MAX_MAX_AGE}\n`)).toMatchObject({
      ok: true,
      policy: { maxAge: MAX_MAX_AGE },
    });
  });

  it('honours the first of repeated fields and reports the others as ignored', () => {
    const parsed = parseMtaStsPolicy(`${GOOD}mode: testing\n`);
    expect(parsed).toMatchObject({ ok: true, policy: { mode: 'enforce', ignoredLines: ['mode: testing'] } });
  });

  it.each([
    ['mode: enforce\nmx: a.test\nmax_age: 1', 'the version field is required'],
    ['version: STSv1\nmx: a.test\nmax_age: 1', 'the mode field is required'],
    ['version: STSv1\nmode: enforce\nmx: a.test', 'the max_age field is required'],
    ['version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1', 'the version must be exactly "STSv1"'],
    ['version: STSv1\nmode: Enforce\nmx: a.test\nmax_age: 1', '"Enforce" is not a mode'],
    ['version: STSv1\nmode: report\nmx: a.test\nmax_age: 1', '"report" is not a mode'],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601', 'is not a max_age'],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1', 'is not a max_age'],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 1w', 'is not a max_age'],
    ['version: STSv1\nmode: enforce\nmax_age: 86400', 'must list at least one "mx:" pattern'],
    ['version: STSv1\nmode: testing\nmax_age: 86400', 'must list at least one "mx:" pattern'],
    ['version: STSv1\nmode: enforce\nmx: *.*.partner.test\nmax_age: 1', 'is not an MX pattern'],
    ['version: STSv1\nmode: enforce\nmx: mx1.partner.test.\nmax_age: 1', 'is not an MX pattern'],
    ['version: STSv1\nmode: enforce\nmx: mx1.partner.test, mx2.partner.test\nmax_age: 1', 'is not an MX pattern'],
    ['version: STSv1\nmode enforce\nmx: a.test\nmax_age: 1', 'a line must be written name: value'],
    ['version: STSv1\nMode: enforce\nmx: a.test\nmax_age: 1', 'write "mode:" in lower case'],
    [
      'version: STSv1\nmode : enforce\nmx: a.test\nmax_age: 1',
      'write "mode:" in lower case with no space before the colon',
    ],
    ['<html><body>Not found</body></html>', 'a line must be written name: value'],
    ['', 'the version field is required'],
  ])('rejects %j: %s', (text, message) => {
    const parsed = parseMtaStsPolicy(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.message).join(' | ')).toContain(message);
  });

  it('names the offending line', () => {
    const parsed = parseMtaStsPolicy('version: STSv1\nmode: enforce\nmx: a.test\nmax_age: soon\n');
    expect(parsed).toEqual({
      ok: false,
      errors: [{ field: 'max_age: soon', message: expect.stringContaining('"soon" is not a max_age') }],
    });
  });
});

describe('mx patterns (RFC 8461 §4.1)', () => {
  it.each([
    ['mx1.partner.test', 'mx1.partner.test', true],
    ['mx1.partner.test', 'MX1.Partner.Test.', true],
    ['MX1.PARTNER.TEST', 'mx1.partner.test', true],
    ['mx1.partner.test', 'mx2.partner.test', false],
    ['*.partner.test', 'mx1.partner.test', true],
    ['*.partner.test', 'MX1.PARTNER.TEST.', true],
    ['*.partner.test', 'partner.test', false],
    ['*.partner.test', 'a.mx1.partner.test', false],
    ['*.partner.test', 'mx1.otherpartner.test', false],
    ['*.partner.test', 'xpartner.test', false],
    ['*.test', 'mx1.partner.test', false],
  ])('%s vs %s -> %s', (pattern, host, expected) => {
    expect(mxPatternMatches(pattern, host)).toBe(expected);
  });

  it('returns the first covering pattern', () => {
    expect(coveringPattern(['mx9.partner.test', '*.partner.test', 'mx1.partner.test'], 'mx1.partner.test')).toBe(
      '*.partner.test',
    );
    expect(coveringPattern(['mx9.partner.test'], 'mx1.partner.test')).toBeUndefined();
  });
});
