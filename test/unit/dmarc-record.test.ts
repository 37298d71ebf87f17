import { describe, expect, it } from 'vitest';
import { isDmarcRecord, parseDmarcRecord, type DmarcRecord } from '../../src/diagnosis/dmarc-record.js';

function parsed(text: string): DmarcRecord {
  const result = parseDmarcRecord(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse, got ${JSON.stringify(result.errors)}`);
  return result.record;
}

describe('isDmarcRecord', () => {
  it.each([
    ['v=DMARC1; p=none', true],
    ['v=DMARC1', true],
    ['v = DMARC1 ; p=reject', true],
    ['v=dmarc1; p=none', true],
    ['v=DMARC1p=none', false],
    ['v=DMARC10; p=none', false],
    ['p=none; v=DMARC1', false],
    [' v=DMARC1; p=none', false],
    ['v=spf1 -all', false],
    ['', false],
  ])('%j -> %s', (text, expected) => {
    expect(isDmarcRecord(text)).toBe(expected);
  });
});

describe('parseDmarcRecord: valid records', () => {
  it.each([
    ['v=DMARC1; p=none', { p: 'none', sp: undefined, pct: undefined, adkim: undefined }],
    ['v=DMARC1; p=reject;', { p: 'reject' }],
    ['v=DMARC1;p=quarantine;sp=reject', { p: 'quarantine', sp: 'reject' }],
    ['v=DMARC1 ; p = Reject ; SP=None', { p: 'reject', sp: 'none' }],
    ['v=DMARC1; p=reject; pct=0', { pct: 0 }],
    ['v=DMARC1; p=reject; pct=100', { pct: 100 }],
    ['v=DMARC1; p=reject; adkim=s; aspf=R', { adkim: 's', aspf: 'r' }],
    ['v=DMARC1; p=none; fo=0:1:d:s', { fo: ['0', '1', 'd', 's'] }],
    ['v=DMARC1; p=none; fo=1', { fo: ['1'] }],
    ['v=DMARC1; p=none; rf=afrf', { rf: ['afrf'] }],
    ['v=DMARC1; p=none; ri=86400', { ri: 86400 }],
    ['v=DMARC1; p=none;; ri=3600;', { ri: 3600 }],
    ['v=DMARC1;\tp=none', { p: 'none' }],
    ['v=DMARC1; p=none; np=reject; t=y', { unknownTags: { np: 'reject', t: 'y' } }],
  ])('%j', (text, expected) => {
    expect(parsed(text)).toMatchObject(expected);
  });

  it('reads report URIs: several, with sizes, percent-encoding and the receiver domain', () => {
    const record = parsed(
      'v=DMARC1; p=reject; rua=mailto:dmarc@Example.com, mailto:agg@reports.vendor.test!10m ;ruf=mailto:a%2Bforensic@example.com!500',
    );
    expect(record.rua).toEqual([
      { uri: 'mailto:dmarc@Example.com', address: 'dmarc@Example.com', domain: 'example.com', maxSize: undefined },
      {
        uri: 'mailto:agg@reports.vendor.test',
        address: 'agg@reports.vendor.test',
        domain: 'reports.vendor.test',
        maxSize: '10m',
      },
    ]);
    expect(record.ruf).toEqual([
      {
        uri: 'mailto:a%2Bforensic@example.com',
        address: 'a+forensic@example.com',
        domain: 'example.com',
        maxSize: '500',
      },
    ]);
  });

  it('keeps the text and empty report lists when there are none', () => {
    expect(parsed('v=DMARC1; p=none')).toMatchObject({ text: 'v=DMARC1; p=none', rua: [], ruf: [] });
  });
});

describe('parseDmarcRecord: errors name the offending tag', () => {
  it.each([
    ['', '', /empty/],
    ['p=none; v=DMARC1', 'p=none', /must begin with v=DMARC1/],
    ['v=dmarc1; p=none', 'v=dmarc1', /exactly "DMARC1"/],
    ['v=DMARC2; p=none', 'v=DMARC2', /exactly "DMARC1"/],
    ['v=DMARC1', 'v=DMARC1', /p= tag is required/],
    ['v=DMARC1; sp=reject', 'v=DMARC1; sp=reject', /p= tag is required/],
    ['v=DMARC1; p=rejct', 'p=rejct', /not a policy/],
    ['v=DMARC1; p=', 'p=', /not a policy/],
    ['v=DMARC1; p=none; sp=block', 'sp=block', /not a policy/],
    ['v=DMARC1; p reject', 'p reject', /name=value/],
    ['v=DMARC1; p=none; pct=101', 'pct=101', /percentage/],
    ['v=DMARC1; p=none; pct=-1', 'pct=-1', /percentage/],
    ['v=DMARC1; p=none; pct=50%', 'pct=50%', /percentage/],
    ['v=DMARC1; p=none; pct=', 'pct=', /percentage/],
    ['v=DMARC1; p=none; adkim=relaxed', 'adkim=relaxed', /alignment mode/],
    ['v=DMARC1; p=none; aspf=x', 'aspf=x', /alignment mode/],
    ['v=DMARC1; p=none; fo=2', 'fo=2', /failure-reporting option/],
    ['v=DMARC1; p=none; fo=1,d', 'fo=1,d', /failure-reporting option/],
    ['v=DMARC1; p=none; rf=a f r f', 'rf=a f r f', /report format/],
    ['v=DMARC1; p=none; ri=1h', 'ri=1h', /number of seconds/],
    ['v=DMARC1; p=none; ri=99999999999', 'ri=99999999999', /number of seconds/],
    ['v=DMARC1; p=none; rua=dmarc@example.com', 'rua=dmarc@example.com', /not a URI/],
    ['v=DMARC1; p=none; rua=https://example.com/dmarc', 'rua=https://example.com/dmarc', /https: scheme/],
    ['v=DMARC1; p=none; rua=mailto:dmarc@example.com,', 'rua=mailto:dmarc@example.com,', /empty URI/],
    [
      'v=DMARC1; p=none; rua=mailto:dmarc@example.com mailto:b@example.com',
      'rua=mailto:dmarc@example.com mailto:b@example.com',
      /mailbox/,
    ],
    ['v=DMARC1; p=none; rua=mailto:dmarc@example.com!10x', 'rua=mailto:dmarc@example.com!10x', /size limit/],
    ['v=DMARC1; p=none; rua=mailto:example.com', 'rua=mailto:example.com', /mailbox/],
    ['v=DMARC1; p=none; rua=mailto:@example.com', 'rua=mailto:@example.com', /mailbox/],
    ['v=DMARC1; p=none; rua=mailto:dmarc@example', 'rua=mailto:dmarc@example', /not a domain name/],
    ['v=DMARC1; p=none; rua=mailto:dmarc@exa_mple..com', 'rua=mailto:dmarc@exa_mple..com', /not a domain name/],
    ['v=DMARC1; p=none; rua=mailto:d%ZZ@example.com', 'rua=mailto:d%ZZ@example.com', /percent-encoding/],
    ['v=DMARC1; p=none; p=reject', 'p=reject', /more than once/],
    ['v=DMARC1; p=none; v=DMARC1', 'v=DMARC1', /only once/],
    ['v=DMARC1; p=none; 1x=y', '1x=y', /not a tag name/],
    ['v=DMARC1; p=none; =y', '=y', /not a tag name/],
  ])('%j', (text, tag, message) => {
    const result = parseDmarcRecord(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.tag).toBe(tag);
    expect(result.errors[0]?.message).toMatch(message);
  });

  it('reports every bad tag', () => {
    const result = parseDmarcRecord('v=DMARC1; p=never; pct=200; adkim=x');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.tag)).toEqual(['p=never', 'pct=200', 'adkim=x']);
  });
});

describe('parseDmarcRecord never throws', () => {
  const alphabet = [
    'v=DMARC1',
    ';',
    ' ',
    'p',
    'sp',
    '=',
    'none',
    'reject',
    'rua',
    'mailto:',
    '@',
    '.',
    ',',
    '!',
    '%',
    '%zz',
    'pct',
    '1',
    '0',
    'x',
    '\u0000',
    'é',
  ];
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  it('on 2000 random inputs, each giving a record or errors', () => {
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: next() % 14 }, () => alphabet[next() % alphabet.length] ?? '').join('');
      const result = parseDmarcRecord(text);
      if (result.ok) expect(['none', 'quarantine', 'reject']).toContain(result.record.p);
      else expect(result.errors.length).toBeGreaterThan(0);
    }
  });
});
