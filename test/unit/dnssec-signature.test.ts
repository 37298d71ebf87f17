/**
 * Canonical form, signature verification, DS digests and denial proofs against zones signed at
 * test time by BIND's dnssec-signzone (an independent signer), for every algorithm RFC 8624 says
 * a validator must support.
 */
import { describe, expect, it } from 'vitest';
import { proveNoData, proveNxdomain } from '../../src/diagnosis/dnssec/denial.js';
import { dsMatches } from '../../src/diagnosis/dnssec/ds-digest.js';
import { parseDnskey, parseDs, ZONE_KEY } from '../../src/diagnosis/dnssec/rdata.js';
import { RR_TYPE } from '../../src/diagnosis/dnssec/rr-types.js';
import { BUILT_IN_TRUST_ANCHORS, parseTrustAnchors } from '../../src/diagnosis/dnssec/trust-anchors.js';
import { checkRrset } from '../../src/diagnosis/dnssec/verify-rrset.js';
import { rrsetOf, signaturesOver, wireRecords, type WireRecord } from '../../src/diagnosis/dnssec/wire-records.js';
import { nameToWire } from '../../src/diagnosis/dnssec/wire-name.js';
import { bindToolsAvailable, signZone, wireRecordsOf, zoneRecords, type SignOptions } from '../support/dnssec-zone.js';

const BODY = `
@ SOA ns1 hostmaster 1 3600 600 604800 300
@ NS ns1
ns1 A 127.0.0.1
@ MX 10 MX1.Example.test.
@ MX 20 mx2.example.test.
mx1 A 192.0.2.1
mx2 A 192.0.2.2
mx2 AAAA 2001:db8::2
_25._tcp.mx1 TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
@ TXT "v=spf1 mx -all"
`;

/** The root KSKs as IANA publishes them (root-anchors.xml; Debian's dns-root-data ships them as /usr/share/dns/root.key). */
const ROOT_KEYS = `
. IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=
. IN DNSKEY 257 3 8 (
   AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc= ) ; KSK-2024
`;

const available = bindToolsAvailable();
const T = RR_TYPE as Record<string, number>;

function signed(options: Partial<SignOptions> = {}): {
  records: WireRecord[];
  keys: ReturnType<typeof parseDnskey>[];
  zone: Uint8Array;
  ds: string;
} {
  const zone = signZone({ origin: 'example.test', body: BODY, ...options });
  const records = wireRecords(wireRecordsOf(zoneRecords(zone.text)));
  const keys = rrsetOf(records, 'example.test', T.DNSKEY as number).map((r) => parseDnskey(r.rdata));
  return { records, keys, zone: nameToWire('example.test.'), ds: zone.ds };
}

function check(
  records: WireRecord[],
  keys: ReturnType<typeof parseDnskey>[],
  name: string,
  type: string,
  now = new Date(),
) {
  const code = T[type] as number;
  return checkRrset(
    rrsetOf(records, name, code),
    signaturesOver(records, name, code),
    keys,
    nameToWire('example.test.'),
    now,
  );
}

describe('built-in trust anchors', () => {
  it('are the DS records of the root KSK-2017 and KSK-2024', () => {
    const keys = parseTrustAnchors(ROOT_KEYS, 'root.key').map((a) => (a.kind === 'DNSKEY' ? a.key : undefined));
    expect(keys.map((k) => k?.keyTag)).toEqual([20326, 38696]);
    const root = nameToWire('.');
    for (const anchor of BUILT_IN_TRUST_ANCHORS) {
      expect(anchor.kind).toBe('DS');
      if (anchor.kind !== 'DS') continue;
      expect(keys.filter((k) => k && dsMatches(anchor.ds, root, k))).toHaveLength(1);
    }
    expect(BUILT_IN_TRUST_ANCHORS.map((a) => (a.kind === 'DS' ? a.ds.keyTag : 0))).toEqual([20326, 38696]);
  });

  it('rejects a file that holds anything but DS or DNSKEY records, naming the line', () => {
    expect(() => parseTrustAnchors('. IN DS 1 8 2 00\nexample. IN A 192.0.2.1', 'anchors.txt')).toThrow(
      /anchors\.txt:2: .*not A/,
    );
    expect(() => parseTrustAnchors('example IN DS 1 8 2 00', 'anchors.txt')).toThrow(/absolute/);
  });
});

describe.skipIf(!available)('signatures made by dnssec-signzone', () => {
  it.each(['ECDSAP256SHA256', 'ECDSAP384SHA384', 'RSASHA256', 'ED25519', 'RSASHA1'])(
    '%s: every RRset verifies, the DS names the KSK, the zone key flag is set',
    (algorithm) => {
      const { records, keys, zone, ds } = signed({ algorithm });
      for (const [name, type] of [
        ['example.test', 'MX'],
        ['example.test', 'SOA'],
        ['example.test', 'NS'],
        ['example.test', 'TXT'],
        ['example.test', 'DNSKEY'],
        ['mx1.example.test', 'A'],
        ['mx2.example.test', 'AAAA'],
        ['_25._tcp.mx1.example.test', 'TLSA'],
      ] as const) {
        expect(check(records, keys, name, type), `${type} ${name}`).toMatchObject({ ok: true });
      }
      expect(keys.every((k) => (k.flags & ZONE_KEY) !== 0)).toBe(true);
      const dsData = ds
        .split('\n')
        .filter((l) => l.includes(' DS '))
        .map((l) => {
          const f = l.trim().split(/\s+/);
          const at = f.indexOf('DS');
          return parseDs(
            Buffer.concat([
              Buffer.from([Number(f[at + 1]) >> 8, Number(f[at + 1]) & 0xff, Number(f[at + 2]), Number(f[at + 3])]),
              Buffer.from(f.slice(at + 4).join(''), 'hex'),
            ]),
          );
        });
      expect(dsData.length).toBeGreaterThan(0);
      for (const d of dsData) expect(keys.some((k) => dsMatches(d, zone, k))).toBe(true);
    },
  );

  it('verifies whatever the case of names in the RDATA (canonical form lower-cases them)', () => {
    const { records, keys } = signed();
    const mx = rrsetOf(records, 'example.test', T.MX as number);
    expect(mx.some((r) => Buffer.from(r.rdata).toString('latin1').includes('Example'))).toBe(true);
    expect(check(records, keys, 'example.test', 'MX')).toMatchObject({ ok: true });
  });

  it('says bad-signature when the data was changed after signing', () => {
    const { records, keys } = signed();
    const forged = records.map((r) =>
      r.type === T.A && r.name === 'mx1.example.test' ? { ...r, rdata: Uint8Array.of(192, 0, 2, 99) } : r,
    );
    expect(check(forged, keys, 'mx1.example.test', 'A')).toMatchObject({ ok: false, problem: 'bad-signature' });
  });

  it('says signature-expired after the expiration and signature-not-yet-valid before the inception', () => {
    const { records, keys } = signed({ inception: -3600, expiration: 86400 });
    expect(check(records, keys, 'example.test', 'MX', new Date(Date.now() + 2 * 86400_000))).toMatchObject({
      ok: false,
      problem: 'signature-expired',
    });
    expect(check(records, keys, 'example.test', 'MX', new Date(Date.now() - 2 * 3600_000))).toMatchObject({
      ok: false,
      problem: 'signature-not-yet-valid',
    });
    const ok = check(records, keys, 'example.test', 'MX');
    expect(ok.ok && ok.by.expiration.getTime() - Date.now()).toBeGreaterThan(86000_000);
  });

  it('says no-signature for an RRset whose RRSIG is missing, and no-matching-key without the signing key', () => {
    const { records, keys } = signed({ dropSignaturesOver: ['MX'] });
    expect(check(records, keys, 'example.test', 'MX')).toMatchObject({ ok: false, problem: 'no-signature' });
    const kskOnly = keys.filter((k) => k.flags & 1);
    expect(check(records, kskOnly, 'example.test', 'TXT')).toMatchObject({ ok: false, problem: 'no-matching-key' });
  });
});

describe.skipIf(!available)('denial of existence', () => {
  it('NSEC3: proves a missing type and a missing name, and refuses to prove a present type', () => {
    const { records, zone } = signed({ nsec3: true });
    const nsec3 = records.filter((r) => r.type === T.NSEC3);
    expect(nsec3.length).toBeGreaterThan(0);
    expect(proveNoData(nsec3, zone, nameToWire('mx1.example.test.'), T.AAAA as number)).toMatchObject({
      proven: true,
      by: 'nsec3',
    });
    expect(proveNoData(nsec3, zone, nameToWire('mx1.example.test.'), T.A as number)).toMatchObject({ proven: false });
    expect(proveNxdomain(nsec3, zone, nameToWire('nothing.example.test.'))).toMatchObject({
      proven: true,
      by: 'nsec3',
    });
    expect(proveNxdomain([], zone, nameToWire('nothing.example.test.'))).toMatchObject({ proven: false });
  });

  it('NSEC: proves a missing type and a missing name', () => {
    const { records, zone } = signed();
    const nsec = records.filter((r) => r.type === T.NSEC);
    expect(proveNoData(nsec, zone, nameToWire('mx1.example.test.'), T.AAAA as number)).toMatchObject({
      proven: true,
      by: 'nsec',
    });
    expect(proveNoData(nsec, zone, nameToWire('mx1.example.test.'), T.A as number)).toMatchObject({ proven: false });
    expect(proveNxdomain(nsec, zone, nameToWire('nothing.example.test.'))).toMatchObject({ proven: true, by: 'nsec' });
  });
});
