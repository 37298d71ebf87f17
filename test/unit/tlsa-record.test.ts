import * as packet from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../src/diagnosis/dns-port.js';
import {
  associationData,
  formatTlsa,
  matchChain,
  servedAssociations,
  tlsaFromRdata,
  tlsaRecords,
  unusableReason,
  type TlsaRecord,
} from '../../src/diagnosis/tlsa-record.js';
import { certificateInfo, MX1_CERT, OPENSSL_DIGESTS, TEST_CA_CERT, WWW_CERT } from '../fixtures/tls-certificates.js';

const leaf = certificateInfo(MX1_CERT);
const ca = certificateInfo(TEST_CA_CERT);
const other = certificateInfo(WWW_CERT);
const D = OPENSSL_DIGESTS;

function tlsa(usage: number, selector: number, matchingType: number, certificateData: string): TlsaRecord {
  return { usage, selector, matchingType, certificateData };
}

/** dns-packet's codec for one answer record; its type definitions omit the per-section codecs. */
const answerCodec = (
  packet as unknown as {
    answer: { encode(a: packet.Answer): Buffer; decode(buf: Buffer, offset?: number): packet.Answer };
  }
).answer;

describe('tlsaFromRdata: the fields dns-packet decodes', () => {
  it('reads usage, selector, matching type and the association data as lower-case hex', () => {
    const wire = answerCodec.encode({
      type: 'TLSA',
      name: '_25._tcp.mx1.partner.test',
      ttl: 300,
      class: 'IN',
      data: { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.from(D.mx1.spkiSha256, 'hex') },
    } as packet.Answer);
    const decoded = answerCodec.decode(wire) as packet.Answer & {
      data: { usage: number; selector: number; matchingType: number; certificate: Buffer };
    };
    expect(decoded.type).toBe('TLSA');
    expect(tlsaFromRdata(decoded.data)).toEqual(tlsa(3, 1, 1, D.mx1.spkiSha256));
  });

  it('keeps empty association data empty', () => {
    expect(
      tlsaFromRdata({ usage: 3, selector: 0, matchingType: 0, certificate: new Uint8Array() }).certificateData,
    ).toBe('');
  });
});

describe('tlsaRecords', () => {
  it('keeps the TLSA records of an answer and skips the CNAME and RRSIG around them', () => {
    const answers = [
      { type: 'CNAME', name: '_25._tcp.mx1.partner.test', ttl: 300, value: '_dane.partner.test' },
      {
        type: 'TLSA',
        name: '_dane.partner.test',
        ttl: 300,
        usage: 3,
        selector: 1,
        matchingType: 1,
        certificateData: D.mx1.spkiSha256.toUpperCase(),
      },
      { type: 'OTHER', rrtype: 'RRSIG', name: '_dane.partner.test', ttl: 300 },
    ] as unknown as DnsRecord[];
    expect(tlsaRecords(answers)).toEqual([tlsa(3, 1, 1, D.mx1.spkiSha256)]);
  });
});

describe('unusableReason (RFC 7672 §3.1.3, RFC 6698 §2.1)', () => {
  it.each([
    [tlsa(3, 1, 1, D.mx1.spkiSha256), undefined],
    [tlsa(2, 0, 1, D.ca.certSha256), undefined],
    [tlsa(3, 1, 2, D.mx1.spkiSha512), undefined],
    [tlsa(3, 1, 0, D.mx1.spki), undefined],
    [tlsa(0, 0, 1, D.ca.certSha256), 'PKIX-TA (0) records are not used by SMTP clients'],
    [tlsa(1, 1, 1, D.mx1.spkiSha256), 'PKIX-EE (1) records are not used by SMTP clients'],
    [tlsa(4, 1, 1, D.mx1.spkiSha256), 'certificate usage 4 is not defined'],
    [tlsa(3, 2, 1, D.mx1.spkiSha256), 'selector 2 is not defined'],
    [tlsa(3, 1, 3, D.mx1.spkiSha256), 'matching type 3 is not defined'],
    [tlsa(3, 1, 1, D.mx1.spkiSha512), 'a SHA256 digest is 32 bytes, but this record holds 64'],
    [tlsa(3, 1, 2, D.mx1.spkiSha256), 'a SHA512 digest is 64 bytes, but this record holds 32'],
    [tlsa(3, 0, 0, ''), 'the certificate association data is empty'],
  ])('%j -> %s', (record, reason) => {
    if (reason === undefined) expect(unusableReason(record)).toBeUndefined();
    else expect(unusableReason(record)).toContain(reason);
  });
});

describe('associationData agrees with openssl', () => {
  it.each([
    ['3 0 1 (certificate, SHA-256)', 0, 1, D.mx1.certSha256],
    ['3 0 2 (certificate, SHA-512)', 0, 2, D.mx1.certSha512],
    ['3 1 1 (public key, SHA-256)', 1, 1, D.mx1.spkiSha256],
    ['3 1 2 (public key, SHA-512)', 1, 2, D.mx1.spkiSha512],
    ['3 1 0 (public key, exact)', 1, 0, D.mx1.spki],
  ])('%s', (_label, selector, matchingType, expected) => {
    expect(associationData(leaf, selector, matchingType)).toBe(expected);
  });

  it('hashes the CA like openssl too', () => {
    expect(associationData(ca, 0, 1)).toBe(D.ca.certSha256);
    expect(associationData(ca, 1, 1)).toBe(D.ca.spkiSha256);
  });
});

describe('matchChain', () => {
  const chain = [leaf, ca];

  it('matches DANE-EE against the leaf', () => {
    expect(matchChain([tlsa(3, 1, 1, D.mx1.spkiSha256)], chain, true)).toMatchObject({
      position: 0,
      subject: 'CN=mx1.partner.test',
    });
  });

  it('does not match DANE-EE against a CA certificate in the chain', () => {
    expect(matchChain([tlsa(3, 1, 1, D.ca.spkiSha256)], chain, true)).toBeUndefined();
  });

  it('matches DANE-TA against the trust anchor the server sends', () => {
    expect(matchChain([tlsa(2, 0, 1, D.ca.certSha256)], chain, true)).toMatchObject({
      position: 1,
      subject: 'CN=mxops test CA',
    });
  });

  it('does not match DANE-TA when the server leaves its trust anchor out', () => {
    expect(matchChain([tlsa(2, 1, 1, D.ca.spkiSha256)], [leaf], true)).toBeUndefined();
  });

  it('requires the MX name in the leaf under DANE-TA, but not under DANE-EE', () => {
    expect(matchChain([tlsa(2, 1, 1, D.ca.spkiSha256)], chain, false)).toBeUndefined();
    expect(matchChain([tlsa(3, 1, 1, D.mx1.spkiSha256)], chain, false)).toMatchObject({ position: 0 });
  });

  it('finds the current key among a stale one during a rollover', () => {
    const match = matchChain([tlsa(3, 1, 1, D.www.spkiSha256), tlsa(3, 1, 1, D.mx1.spkiSha256)], chain, true);
    expect(match?.record.certificateData).toBe(D.mx1.spkiSha256);
  });

  it('ignores unusable records even when their data would match', () => {
    expect(matchChain([tlsa(1, 1, 1, D.mx1.spkiSha256)], chain, true)).toBeUndefined();
  });

  it('matches nothing in a chain served for another key', () => {
    expect(matchChain([tlsa(3, 1, 1, D.mx1.spkiSha256)], [other], true)).toBeUndefined();
  });
});

describe('servedAssociations and formatTlsa', () => {
  it('lists what each served certificate offers, once per parameter set', () => {
    const rows = servedAssociations(
      [tlsa(3, 1, 1, D.www.spkiSha256), tlsa(3, 1, 1, 'ab'.repeat(32)), tlsa(2, 0, 1, 'cd'.repeat(32))],
      [leaf, ca],
    );
    expect(rows).toEqual([
      { position: 0, subject: 'CN=mx1.partner.test', parameters: '3 1 1', data: D.mx1.spkiSha256 },
      { position: 0, subject: 'CN=mx1.partner.test', parameters: '2 0 1', data: D.mx1.certSha256 },
      { position: 1, subject: 'CN=mxops test CA', parameters: '2 0 1', data: D.ca.certSha256 },
    ]);
  });

  it('writes the presentation format', () => {
    expect(formatTlsa(tlsa(3, 1, 1, 'abcd'))).toBe('3 1 1 abcd');
  });
});
