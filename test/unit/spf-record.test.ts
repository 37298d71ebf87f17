import { describe, expect, it } from 'vitest';
import { isSpfRecord, parseSpfRecord, type SpfRecord } from '../../src/diagnosis/spf-record.js';

function parsed(text: string): SpfRecord {
  const result = parseSpfRecord(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse, got ${JSON.stringify(result.errors)}`);
  return result.record;
}

describe('isSpfRecord', () => {
  it.each([
    ['v=spf1 -all', true],
    ['v=spf1', true],
    ['V=SPF1 mx -all', true],
    ['v=spf1  mx', true],
    ['v=spf10 -all', false],
    ['v=spf1-all', false],
    ['v=spf1\t-all', false],
    [' v=spf1 -all', false],
    ['spf1 -all', false],
    ['google-site-verification=abc', false],
    ['', false],
  ])('%j -> %s', (text, expected) => {
    expect(isSpfRecord(text)).toBe(expected);
  });
});

describe('parseSpfRecord: valid records', () => {
  it.each([
    ['v=spf1', 0],
    ['v=spf1 -all', 1],
    ['v=spf1 mx -all', 2],
    ['v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.com ~all', 6],
    ['v=spf1 +a -mx ~ptr ?exists:%{i}.bl.example.com -all', 5],
    ['v=spf1 a:mail.example.com/24//64 mx:example.com/28 a//64 mx/30 -all', 5],
    ['v=spf1 ip4:192.0.2.1 ip4:10.0.0.0/8 ip4:0.0.0.0/0 ip6:::1 ip6:::ffff:192.0.2.1/128 -all', 6],
    ['v=spf1 include:example.com. -all', 2],
    ['V=SPF1 MX INCLUDE:Example.COM -ALL', 3],
    ['v=spf1  mx   -all  ', 2],
    ['v=spf1 ptr ptr:example.com -all', 3],
    ['v=spf1 exists:%{l1r+-}.%{d}._spf.example.com -all', 2],
    ['v=spf1 include:%{d2}.example.com ~all', 2],
    ['v=spf1 a:foo-bar.example.co.uk -all', 2],
    ['v=spf1 a:example.123-4 -all', 2],
    ['v=spf1 exists:%{ir}.%{v}._spf.%{d2}', 1],
  ])('%j has %i mechanisms', (text, count) => {
    expect(parsed(text).mechanisms).toHaveLength(count);
  });

  it('reads qualifiers, defaulting to +', () => {
    expect(parsed('v=spf1 a +mx -ptr ~exists:x.example.com ?all').mechanisms.map((m) => m.qualifier)).toEqual([
      '+',
      '+',
      '-',
      '~',
      '?',
    ]);
  });

  it('reads domain-specs and dual CIDR lengths of a and mx', () => {
    const [a, mx, bare, v6only] = parsed('v=spf1 a:mail.example.com/24//64 mx:example.com/28 a mx//48').mechanisms;
    expect(a).toMatchObject({ kind: 'a', domainSpec: 'mail.example.com', ip4Cidr: 24, ip6Cidr: 64, hasMacro: false });
    expect(mx).toMatchObject({ kind: 'mx', domainSpec: 'example.com', ip4Cidr: 28, ip6Cidr: undefined });
    expect(bare).toMatchObject({ kind: 'a', domainSpec: undefined, ip4Cidr: undefined, ip6Cidr: undefined });
    expect(v6only).toMatchObject({ kind: 'mx', domainSpec: undefined, ip4Cidr: undefined, ip6Cidr: 48 });
  });

  it('reads ip4 and ip6 networks and prefix lengths', () => {
    const [v4, v6, single] = parsed('v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip4:198.51.100.7').mechanisms;
    expect(v4).toMatchObject({ kind: 'ip4', network: '192.0.2.0', cidr: 24 });
    expect(v6).toMatchObject({ kind: 'ip6', network: '2001:db8::', cidr: 32 });
    expect(single).toMatchObject({ kind: 'ip4', network: '198.51.100.7', cidr: undefined });
  });

  it('marks domain-specs holding macros', () => {
    const record = parsed('v=spf1 include:_spf.example.com exists:%{i}._spf.example.com redirect=%{d}.example.net');
    expect(record.mechanisms.map((m) => ('hasMacro' in m ? m.hasMacro : null))).toEqual([false, true]);
    expect(record.redirect).toMatchObject({ name: 'redirect', value: '%{d}.example.net', hasMacro: true });
  });

  it('reads redirect, exp and unknown modifiers, names case-insensitively', () => {
    const record = parsed('v=spf1 mx Redirect=_spf.example.com EXP=explain.example.com foo=bar x-custom.v1=%{d} -all');
    expect(record.redirect?.value).toBe('_spf.example.com');
    expect(record.exp?.value).toBe('explain.example.com');
    expect(record.unknownModifiers.map((m) => m.name)).toEqual(['foo', 'x-custom.v1']);
    expect(record.mechanisms.map((m) => m.kind)).toEqual(['mx', 'all']);
  });

  it('keeps each term as written for evidence', () => {
    expect(parsed('v=spf1 -IP4:192.0.2.1 ~All').mechanisms.map((m) => m.term)).toEqual(['-IP4:192.0.2.1', '~All']);
  });
});

describe('parseSpfRecord: syntax errors name the offending term', () => {
  it.each([
    ['spf1 -all', 'spf1', /does not begin with "v=spf1"/],
    ['v=spf2.0/pra -all', 'v=spf2.0/pra', /does not begin/],
    ['', '', /does not begin/],
    ['v=spf1 foo -all', 'foo', /not a mechanism/],
    ['v=spf1 redirect:example.com', 'redirect:example.com', /did you mean redirect=/],
    ['v=spf1 all:example.com', 'all:example.com', /all takes no argument/],
    ['v=spf1 all/24', 'all/24', /all takes no argument/],
    ['v=spf1 include', 'include', /include needs a domain/],
    ['v=spf1 include:', 'include:', /include needs a domain/],
    ['v=spf1 include:example.com/24', 'include:example.com/24', /does not end in a valid top-level label/],
    ['v=spf1 exists', 'exists', /exists needs a domain/],
    ['v=spf1 include:localhost', 'include:localhost', /not a fully qualified/],
    ['v=spf1 include:192.0.2.1', 'include:192.0.2.1', /top-level label/],
    ['v=spf1 include:example..com', 'include:example..com', /empty label/],
    ['v=spf1 include:.example.com', 'include:.example.com', /empty label/],
    ['v=spf1 include:example-.com-', 'include:example-.com-', /top-level label/],
    [`v=spf1 a:${'x'.repeat(64)}.example.com`, `a:${'x'.repeat(64)}.example.com`, /longer than 63/],
    ['v=spf1 a:', 'a:', /empty/],
    ['v=spf1 a:/24', 'a:/24', /empty/],
    ['v=spf1 a/33', 'a/33', /IPv4 prefix length/],
    ['v=spf1 a/', 'a/', /IPv4 prefix length/],
    ['v=spf1 a/024', 'a/024', /IPv4 prefix length/],
    ['v=spf1 mx//129', 'mx//129', /IPv6 prefix length/],
    ['v=spf1 mx/24/64', 'mx/24/64', /not a CIDR length/],
    ['v=spf1 mx:example.com/x', 'mx:example.com/x', /IPv4 prefix length/],
    ['v=spf1 ptr/24', 'ptr/24', /ptr takes no CIDR/],
    ['v=spf1 ip4', 'ip4', /needs an address/],
    ['v=spf1 ip4:', 'ip4:', /needs an address/],
    ['v=spf1 ip4:192.0.2', 'ip4:192.0.2', /not an IPv4 address/],
    ['v=spf1 ip4:192.0.2.256', 'ip4:192.0.2.256', /not an IPv4 address/],
    ['v=spf1 ip4:192.0.2.01', 'ip4:192.0.2.01', /not an IPv4 address/],
    ['v=spf1 ip4:192.0.2.0/33', 'ip4:192.0.2.0/33', /prefix length from 0 to 32/],
    ['v=spf1 ip4:192.0.2.0/', 'ip4:192.0.2.0/', /prefix length/],
    ['v=spf1 ip4:2001:db8::1', 'ip4:2001:db8::1', /use ip6:/],
    ['v=spf1 ip6:192.0.2.1', 'ip6:192.0.2.1', /use ip4:/],
    ['v=spf1 ip6:2001:db8::/129', 'ip6:2001:db8::/129', /0 to 128/],
    ['v=spf1 ip6:2001:db8:::1', 'ip6:2001:db8:::1', /not an IPv6 address/],
    ['v=spf1 ip6:fe80::1%eth0', 'ip6:fe80::1%eth0', /not an IPv6 address/],
    ['v=spf1 ip4:192.0.2.1:25', 'ip4:192.0.2.1:25', /not an IPv4 address/],
    ['v=spf1 +redirect=example.com', '+redirect=example.com', /cannot take a qualifier/],
    ['v=spf1 redirect=', 'redirect=', /domain is empty/],
    ['v=spf1 redirect=a.example.com redirect=b.example.com', 'redirect=b.example.com', /at most once/],
    ['v=spf1 exp=a.example.com exp=b.example.com -all', 'exp=b.example.com', /at most once/],
    ['v=spf1 exists:%{x}.example.com', 'exists:%{x}.example.com', /not a valid macro/],
    ['v=spf1 exists:%{i.example.com', 'exists:%{i.example.com', /not a valid macro/],
    ['v=spf1 exists:%i.example.com', 'exists:%i.example.com', /not a valid macro/],
    ['v=spf1 exists:%{c}.example.com', 'exists:%{c}.example.com', /only in explanation text/],
    ['v=spf1 foo=%{z}', 'foo=%{z}', /not a valid macro/],
    ['v=spf1 1foo=bar', '1foo=bar', /must start with a mechanism or modifier name/],
    ['v=spf1 =bar', '=bar', /must start with/],
    ['v=spf1 -', '-', /must start with/],
    ['v=spf1 mx\t-all', 'mx\t-all', /unexpected/],
    ['v=spf1 include:exämple.com', 'include:exämple.com', /not visible ASCII/],
    ['v=spf1 mx,-all', 'mx,-all', /unexpected/],
    ['v=spf1 include=_spf.example.com', undefined, undefined],
  ])('%j', (text, term, message) => {
    const result = parseSpfRecord(text);
    if (term === undefined) {
      // "include=" is grammatically an unknown modifier (RFC 7208 §6): valid, and ignored.
      expect(result.ok).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.term).toBe(term);
    expect(result.errors[0]?.message).toMatch(message ?? /./);
  });

  it('reports every bad term, not just the first', () => {
    const result = parseSpfRecord('v=spf1 ip4:300.0.0.1 mx bogus a/99 -all');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.term)).toEqual(['ip4:300.0.0.1', 'bogus', 'a/99']);
  });
});

describe('parseSpfRecord never throws', () => {
  const alphabet = [
    'v=spf1 ',
    ' ',
    'a',
    'mx',
    ':',
    '/',
    '//',
    '%{',
    '}',
    '%',
    '.',
    '-',
    '+',
    '~',
    '?',
    '=',
    'include',
    'ip4',
    'ip6',
    '1',
    '99',
    'redirect',
    'com',
    '\u0000',
    'é',
    '\t',
  ];
  // A deterministic generator, so a failure can be reproduced.
  let seed = 42;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  const inputs = Array.from({ length: 2000 }, () =>
    Array.from({ length: next() % 16 }, () => alphabet[next() % alphabet.length] ?? '').join(''),
  );

  it('on 2000 random inputs, each giving a record or errors', () => {
    for (const text of [...inputs, ...inputs.map((t) => `v=spf1 ${t}`)]) {
      const result = parseSpfRecord(text);
      if (result.ok) expect(Array.isArray(result.record.mechanisms)).toBe(true);
      else expect(result.errors.length).toBeGreaterThan(0);
    }
  });
});
