import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { BUILT_IN_TRUST_ANCHORS } from '../../src/diagnosis/dnssec/trust-anchors.js';

const TEST_ROOT =
  '. 3600 IN DNSKEY 257 3 13 (\n  AIr0zyVEwVfLulFNoObokMDURfVrrg36053LralPZKrUK0ad2JDVcBFu\n  eOcPaJFvZn99SqLOT0M78TAZPya7tQ== ) ; KSK of a test bed';
const ISLAND = 'island.example. IN DS 12345 13 2 40F2702E26AE2551F7731F731FB38CE692F99E5903B87813DD35A5D69C622CC2';

const load = (text: string) => loadConfig({ MXOPS_TRUST_ANCHORS: '/etc/mxops/anchors' }, () => text);

describe('MXOPS_TRUST_ANCHORS', () => {
  it('defaults to the root KSK-2017 and KSK-2024', () => {
    expect(loadConfig({}).trustAnchors).toBe(BUILT_IN_TRUST_ANCHORS);
  });

  it('replaces the root anchors with a test bed root key (DNSKEY over several lines)', () => {
    const anchors = load(TEST_ROOT).trustAnchors;
    expect(anchors).toHaveLength(1);
    expect(anchors[0]).toMatchObject({ zone: '', kind: 'DNSKEY' });
  });

  it('adds an island of trust next to the root anchors', () => {
    const anchors = load(ISLAND).trustAnchors;
    expect(anchors.map((a) => a.zone)).toEqual(['', '', 'island.example']);
    expect(anchors[2]).toMatchObject({ kind: 'DS', ds: { keyTag: 12345, algorithm: 13, digestType: 2 } });
  });

  it('names the file and line of a record it cannot use', () => {
    expect(() => load(`${ISLAND}\nisland.example. IN A 192.0.2.1`)).toThrow(
      /MXOPS_TRUST_ANCHORS: \/etc\/mxops\/anchors:2: .*DS or DNSKEY/,
    );
    expect(() =>
      loadConfig({ MXOPS_TRUST_ANCHORS: '/nope' }, () => {
        throw Object.assign(new Error('x'), { code: 'ENOENT' });
      }),
    ).toThrow(/cannot read \/nope: no such file/);
  });
});
