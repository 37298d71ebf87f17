/**
 * Wildcards under DNSSEC on loopback (RFC 4035 §5.3.4, RFC 5155 §8.7-8.8, RFC 7129 §5.3): a
 * partner whose MX and MX host address come from wildcards, signed with NSEC and with NSEC3, served
 * by Knot (which sends the NSEC/NSEC3 proving that no closer name exists beside each synthesised
 * answer), and the same zones behind a forwarder that strips that proof out, as a broken signer or
 * a forger would. Every verdict is checked against a validating Unbound with the same anchor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnssecCheck } from '../../src/diagnosis/checks/dnssec.js';
import { mxCheck } from '../../src/diagnosis/checks/mx.js';
import type { DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { startRewritingProxy, stripProofFromAnswers } from '../support/dns-rewriting-proxy.js';
import {
  delegationTo,
  dnssecFindingsOf,
  mxopsSays,
  startDnssecBed,
  type DnssecBed,
} from '../support/dnssec-test-bed.js';
import { bindToolsAvailable, signZone } from '../support/dnssec-zone.js';
import { KNOT_START_TIMEOUT_MS, knotAvailable } from '../support/knot-server.js';
import { skipWithout } from '../support/required-tool.js';
import { unboundAvailable } from '../support/unbound-server.js';

const ROOT = '127.0.73.1';
const KNOT = '127.0.73.2';
const RESOLVER = '127.0.73.3';
/** The forwarder in front of KNOT that drops the proof from positive answers. */
const STRIPPER = '127.0.73.4';

/**
 * `partner.<zone>` exists only through `*.<zone>` (its MX), and its MX host `mx1.hosts.<zone>` only
 * through `*.hosts.<zone>` (an A record): its AAAA and TLSA are wildcard no-data answers.
 */
const body = (nameserver: string): string =>
  [
    '@ SOA ns hostmaster 1 3600 600 604800 300',
    '@ NS ns',
    `ns ${nameserver.includes(':') ? 'AAAA' : 'A'} ${nameserver}`,
    '* MX 10 mx1.hosts',
    '*.hosts A 11.22.73.10',
  ].join('\n');

const CASES = {
  'wildcard.test': { nsec3: false, optOut: false, server: KNOT },
  'wildcard3.test': { nsec3: true, optOut: false, server: KNOT },
  'optout.test': { nsec3: true, optOut: true, server: KNOT },
  'stripped.test': { nsec3: false, optOut: false, server: STRIPPER },
  'stripped3.test': { nsec3: true, optOut: false, server: STRIPPER },
} as const;
type Zone = keyof typeof CASES;

const partner = (zone: Zone): string => `partner.${zone}`;
const mxHost = (zone: Zone): string => `mx1.hosts.${zone}`;

const skip = skipWithout(
  "Knot, BIND's dnssec-signzone and Unbound",
  (await knotAvailable()) && bindToolsAvailable() && unboundAvailable(),
);

describe.skipIf(skip)('DNSSEC wildcard answers, with and without the proof that no closer name exists', () => {
  let bed: DnssecBed;
  const reports = new Map<Zone, DiagnosisReport>();

  beforeAll(async () => {
    const zones: { origin: string; zoneText: string }[] = [];
    const delegations: string[] = [];
    for (const [zone, { nsec3, optOut, server }] of Object.entries(CASES)) {
      const signed = signZone({ origin: zone, body: body(server), nsec3, optOut });
      zones.push({ origin: zone, zoneText: signed.text });
      delegations.push(...delegationTo(zone, server, signed.ds));
    }
    bed = await startDnssecBed({
      root: ROOT,
      resolver: RESOLVER,
      delegations,
      servers: [{ address: KNOT, zones }],
      more: async (port) => [
        await startRewritingProxy({
          address: STRIPPER,
          port,
          upstream: { address: KNOT, port },
          rewrite: stripProofFromAnswers,
        }),
      ],
      stubs: Object.fromEntries(Object.entries(CASES).map(([zone, { server }]) => [zone, server])),
    });
    for (const zone of Object.keys(CASES) as Zone[])
      reports.set(zone, await bed.diagnose(partner(zone), [mxCheck, dnssecCheck]));
  }, 3 * KNOT_START_TIMEOUT_MS);

  afterAll(async () => {
    await bed?.stop();
  });

  const report = (zone: Zone): DiagnosisReport => reports.get(zone) as DiagnosisReport;
  const finding = (zone: Zone, id: string) => report(zone).findings.find((f) => f.id === id);

  it.each([
    ['wildcard.test', 'MX', 'secure'],
    ['wildcard.test', 'A', 'secure'],
    ['wildcard.test', 'AAAA', 'secure'],
    ['wildcard3.test', 'MX', 'secure'],
    ['wildcard3.test', 'A', 'secure'],
    ['wildcard3.test', 'AAAA', 'secure'],
    ['optout.test', 'MX', 'insecure'],
    ['optout.test', 'A', 'insecure'],
    ['stripped.test', 'MX', 'bogus'],
    ['stripped.test', 'A', 'bogus'],
    ['stripped3.test', 'MX', 'bogus'],
    ['stripped3.test', 'A', 'bogus'],
  ] as const)('%s %s: mxops says %s, and so does a validating Unbound', async (zone, type, expected) => {
    const name = type === 'MX' ? partner(zone) : mxHost(zone);
    expect(mxopsSays(report(zone), `${type} ${name}`), dnssecFindingsOf(report(zone))).toBe(expected);
    expect(await bed.unboundSays(name, type)).toBe(expected);
  });

  it.each(['wildcard.test', 'wildcard3.test'] as const)(
    '%s: names the wildcards behind the answers, and proves the no-data answers the wildcard gives',
    (zone) => {
      expect(finding(zone, 'dnssec.secure')?.evidence).toMatchObject({
        rrsets: expect.arrayContaining([`MX ${partner(zone)}`, `A ${mxHost(zone)}`, `AAAA ${mxHost(zone)}`]),
        wildcards: [`MX ${partner(zone)} from *.${zone}`, `A ${mxHost(zone)} from *.hosts.${zone}`],
        negative: expect.arrayContaining([`AAAA ${mxHost(zone)}`, `TLSA _25._tcp.${mxHost(zone)}`]),
      });
      expect(finding(zone, 'dnssec.bogus')).toBeUndefined();
    },
  );

  it.each(['stripped.test', 'stripped3.test'] as const)(
    '%s: without the proof the wildcard answer is bogus (denial-proof-missing), and validating senders cannot deliver',
    (zone) => {
      const bogus = finding(zone, 'dnssec.bogus');
      expect(bogus).toMatchObject({
        status: 'fail',
        evidence: {
          zone,
          reason: 'denial-proof-missing',
          rrsets: expect.arrayContaining([`MX ${partner(zone)}`, `A ${mxHost(zone)}`]),
          blocksDelivery: true,
        },
        ref: 'RFC 4035 §5.3.4; RFC 5155 §8.8',
      });
      expect(bogus?.summary).toContain(`from the wildcard *.${zone} without the signed NSEC or NSEC3 proof`);
      expect(bogus?.evidence.detail).toContain('does not prove that no closer name exists');
      expect(report(zone).senders.find((s) => s.family === 'validating-resolver')?.verdict).toBe('fail');
      // Only positive answers lost their proof: the no-data answers of the wildcard still validate.
      expect(finding(zone, 'dnssec.secure')?.evidence.negative).toContain(`AAAA ${mxHost(zone)}`);
    },
  );

  it('calls a wildcard answer in an NSEC3 opt-out span insecure, as RFC 5155 §9.2 and Unbound do', () => {
    expect(finding('optout.test', 'dnssec.insecure')).toMatchObject({
      status: 'info',
      evidence: { reason: 'nsec3-opt-out', rrsets: expect.arrayContaining([`MX ${partner('optout.test')}`]) },
    });
  });
});
