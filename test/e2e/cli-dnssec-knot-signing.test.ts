/**
 * DNSSEC end to end with Knot's automatic signing: Knot signs a partner zone and the test bed's
 * own root itself (a policy of its own: ECDSAP256SHA256, NSEC3), the partner's DS as `keymgr ds`
 * prints it is published in the root, and the root's DS (`keymgr . ds`) is the trust anchor, in a
 * file, as MXOPS_TRUST_ANCHORS and Unbound's trust-anchor-file read it. The real `mxops check`
 * command line validates the partner's mail path from that anchor; a validating Unbound given the
 * same file answers NOERROR with AD.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBudget, runMxops } from '../support/cli-process.js';
import { resolverSays } from '../support/dnssec-test-bed.js';
import { KNOT_START_TIMEOUT_MS, knotAvailable, startKnot, type RunningKnot } from '../support/knot-server.js';
import { skipWithout } from '../support/required-tool.js';
import { rootHintsFile } from '../support/root-hints-file.js';
import { startUnbound, unboundAvailable, type RunningUnbound } from '../support/unbound-server.js';

const ROOT = '127.0.75.1';
const CHILD = '127.0.75.2';
const RESOLVER = '127.0.75.3';

const partnerZone = [
  '$ORIGIN partner.test.',
  '$TTL 300',
  '@ SOA ns hostmaster 1 3600 600 604800 300',
  '@ NS ns',
  `ns A ${CHILD}`,
  '@ MX 10 mx1',
  'mx1 A 11.22.75.10',
  '_25._tcp.mx1 TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  '@ TXT "v=spf1 mx -all"',
].join('\n');

const rootZone = (partnerDs: string): string =>
  [
    '$ORIGIN .',
    '$TTL 300',
    '@ SOA a.root.test. hostmaster.root.test. 1 3600 600 604800 300',
    '@ NS a.root.test.',
    `a.root.test. A ${ROOT}`,
    'partner.test. NS ns.partner.test.',
    `ns.partner.test. A ${CHILD}`,
    partnerDs.trim(),
  ].join('\n');

const dir = mkdtempSync(path.join(tmpdir(), 'mxops-knot-signing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const skip = skipWithout('Knot DNS (knotd, keymgr) and Unbound', (await knotAvailable()) && unboundAvailable());
const budget = await cliBudget();

describe.skipIf(skip)('mxops check validates a zone Knot signs itself, from the DS keymgr gives', () => {
  let child: RunningKnot;
  let root: RunningKnot;
  let unbound: RunningUnbound;
  let anchorFile: string;
  let partnerDs: string;

  beforeAll(async () => {
    child = await startKnot({
      address: CHILD,
      zones: [{ origin: 'partner.test', zoneText: partnerZone }],
      signing: {},
    });
    partnerDs = await child.keymgr('partner.test', 'ds');
    root = await startKnot({
      address: ROOT,
      port: child.port,
      zones: [{ origin: '.', zoneText: rootZone(partnerDs) }],
      signing: {},
    });
    const anchors = await root.keymgr('.', 'ds');
    anchorFile = path.join(dir, 'anchors');
    writeFileSync(anchorFile, anchors);
    unbound = await startUnbound({
      address: RESOLVER,
      port: root.port,
      anchors,
      stubs: { '.': `${ROOT}@${root.port}`, 'partner.test': `${CHILD}@${root.port}` },
    });
  }, 3 * KNOT_START_TIMEOUT_MS);

  afterAll(async () => {
    await unbound?.stop();
    await root?.stop();
    await child?.stop();
  });

  it('keymgr gives the DS of an ECDSA P-256 KSK, with SHA-256 and SHA-384 digests', () => {
    expect(partnerDs.trim().split('\n')).toEqual([
      expect.stringMatching(/^partner\.test\. DS \d+ 13 2 [0-9a-f]{64}$/),
      expect.stringMatching(/^partner\.test\. DS \d+ 13 4 [0-9a-f]{96}$/),
    ]);
  });

  it(
    'says dnssec.secure for the MX, the MX host and its TLSA (its missing AAAA proven by NSEC3), and Unbound answers with AD',
    async () => {
      const result = await runMxops(
        ['check', 'partner.test', '--json', '--dns-only', '--resolver', `${RESOLVER}:${root.port}`],
        {
          MXOPS_DATA_DIR: dir,
          DATABASE_URL: '',
          MXOPS_DNS_PORT: String(root.port),
          MXOPS_DNSBL_ZONES: 'none',
          MXOPS_ROOT_HINTS: rootHintsFile(ROOT),
          MXOPS_TRUST_ANCHORS: anchorFile,
          MXOPS_ALLOW_PRIVATE_TARGETS: 'true',
        },
      );
      const report = JSON.parse(result.stdout) as {
        findings: { id: string; status: string; evidence: Record<string, unknown> }[];
        senders: { family: string; verdict: string }[];
      };
      const dnssec = report.findings.filter((f) => f.id.startsWith('dnssec.'));
      expect(dnssec.map((f) => f.id)).toEqual(['dnssec.secure']);
      expect(dnssec[0]?.evidence).toMatchObject({
        zone: 'partner.test',
        rrsets: ['MX partner.test', 'A mx1.partner.test', 'AAAA mx1.partner.test', 'TLSA _25._tcp.mx1.partner.test'],
        negative: ['AAAA mx1.partner.test'],
        chain: [
          expect.objectContaining({ zone: '.', algorithms: ['13 (ECDSAP256SHA256)'] }),
          expect.objectContaining({ zone: 'partner.test', algorithms: ['13 (ECDSAP256SHA256)'] }),
        ],
      });
      expect(report.senders.find((s) => s.family === 'validating-resolver')?.verdict).toBe('ok');
      expect(await resolverSays(RESOLVER, root.port, 'partner.test', 'MX')).toBe('secure');
      expect(await resolverSays(RESOLVER, root.port, 'mx1.partner.test', 'AAAA')).toBe('secure');
    },
    budget(1),
  );
});
