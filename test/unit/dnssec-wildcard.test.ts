/**
 * The proofs a wildcard answer needs (RFC 4035 §5.3.4, §3.1.3.4; RFC 5155 §8.7, §8.8), against
 * zones signed at test time by BIND's dnssec-signzone: `*.wild.test` answers MX for any name
 * directly below the apex, `*.hosts.wild.test` answers A below `hosts` (an empty non-terminal).
 */
import { describe, expect, it } from 'vitest';
import { proveNoData, proveWildcardExpansion } from '../../src/diagnosis/dnssec/denial.js';
import { parseDnskey } from '../../src/diagnosis/dnssec/rdata.js';
import { RR_TYPE } from '../../src/diagnosis/dnssec/rr-types.js';
import { checkRrset } from '../../src/diagnosis/dnssec/verify-rrset.js';
import { rrsetOf, signaturesOver, wireRecords, type WireRecord } from '../../src/diagnosis/dnssec/wire-records.js';
import { nameToWire } from '../../src/diagnosis/dnssec/wire-name.js';
import { verifiedDenials, type ZoneKeys } from '../../src/diagnosis/dnssec/zone-keys.js';
import { bindToolsAvailable, signZone, wireRecordsOf, zoneRecords } from '../support/dnssec-zone.js';

const T = RR_TYPE as Record<string, number>;
const ZONE = nameToWire('wild.test.');
const BODY = `
@ SOA ns hostmaster 1 3600 600 604800 300
@ NS ns
ns A 127.0.0.1
* MX 10 mx1.hosts
*.hosts A 192.0.2.1
`;

function signed(nsec3: boolean): { records: WireRecord[]; zone: ZoneKeys } {
  const text = signZone({ origin: 'wild.test', body: BODY, nsec3 }).text;
  const records = wireRecords(wireRecordsOf(zoneRecords(text)));
  const keys = rrsetOf(records, 'wild.test', T.DNSKEY as number).map((r) => parseDnskey(r.rdata));
  const zone: ZoneKeys = {
    zone: 'wild.test',
    security: 'secure',
    reason: undefined,
    detail: '',
    keys,
    chain: [],
    signatures: [],
    failed: undefined,
    step: undefined,
    servers: [],
  };
  return { records, zone };
}

const denials = (records: readonly WireRecord[]): WireRecord[] =>
  records.filter((r) => r.type === T.NSEC || r.type === T.NSEC3);

describe.skipIf(!bindToolsAvailable())('wildcard proofs', () => {
  it.each([
    ['NSEC', false, 'nsec'],
    ['NSEC3', true, 'nsec3'],
  ] as const)(
    '%s: proves a wildcard expansion only from the wildcard the name falls under, and not without records',
    (_, nsec3, by) => {
      const { records } = signed(nsec3);
      const proof = denials(records);
      // partner.wild.test from *.wild.test (RRSIG labels 2); mx1.hosts.wild.test from *.hosts.wild.test (labels 3).
      expect(proveWildcardExpansion(proof, ZONE, nameToWire('partner.wild.test.'), 2)).toMatchObject({
        proven: true,
        by,
      });
      expect(proveWildcardExpansion(proof, ZONE, nameToWire('mx1.hosts.wild.test.'), 3)).toMatchObject({
        proven: true,
        by,
      });
      // hosts.wild.test exists (an empty non-terminal), so *.wild.test answers neither for it nor below it.
      expect(proveWildcardExpansion(proof, ZONE, nameToWire('mx1.hosts.wild.test.'), 2)).toMatchObject({
        proven: false,
      });
      expect(proveWildcardExpansion(proof, ZONE, nameToWire('hosts.wild.test.'), 2)).toMatchObject({
        proven: false,
      });
      expect(proveWildcardExpansion([], ZONE, nameToWire('partner.wild.test.'), 2)).toMatchObject({
        proven: false,
        why: 'the answer comes from the wildcard *.wild.test but no NSEC or NSEC3 record came with it',
      });
    },
  );

  it.each([
    ['NSEC', false],
    ['NSEC3', true],
  ] as const)('%s: proves no data at a name only the wildcard stands in for, for a type it lacks', (_, nsec3) => {
    const { records } = signed(nsec3);
    const proof = denials(records);
    const host = nameToWire('mx1.hosts.wild.test.');
    expect(proveNoData(proof, ZONE, host, T.AAAA as number)).toMatchObject({ proven: true });
    expect(proveNoData(proof, ZONE, host, T.A as number)).toMatchObject({ proven: false });
    expect(proveNoData(proof, ZONE, nameToWire('partner.wild.test.'), T.MX as number)).toMatchObject({
      proven: false,
    });
    // hosts.wild.test exists only as the parent of *.hosts: an empty non-terminal, no RRset of any type.
    expect(proveNoData(proof, ZONE, nameToWire('hosts.wild.test.'), T.A as number)).toMatchObject({ proven: true });
    expect(proveNoData(proof, ZONE, nameToWire('other.hosts.wild.test.'), T.TXT as number)).toMatchObject({
      proven: true,
    });
  });

  it("drops the wildcard's NSEC replayed under another owner: it verifies as an expansion, but would deny names that exist", () => {
    const { records, zone } = signed(false);
    const wildcard = rrsetOf(records, '*.wild.test', T.NSEC as number);
    const signature = signaturesOver(records, '*.wild.test', T.NSEC as number);
    const forgedOwner = nameToWire('a.wild.test.');
    const moved = (r: WireRecord): WireRecord => ({ ...r, owner: forgedOwner, name: 'a.wild.test' });
    const forged = [...wildcard.map(moved), ...signature.map((s) => moved(s.record))];
    // The signature still verifies: canonical form rebuilds the wildcard owner from the RRSIG's labels.
    expect(
      checkRrset(
        forged.filter((r) => r.type === T.NSEC),
        signaturesOver(forged, 'a.wild.test', T.NSEC as number),
        zone.keys,
        ZONE,
        new Date(),
      ).ok,
    ).toBe(true);
    expect(verifiedDenials(forged, zone, new Date()).records).toEqual([]);
    expect(verifiedDenials([...wildcard, ...signature.map((s) => s.record)], zone, new Date()).records).toHaveLength(1);
  });
});
