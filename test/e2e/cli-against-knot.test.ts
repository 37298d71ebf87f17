/**
 * The founding failure end to end: the real `mxops check` command line, as a separate process,
 * against Debian's Knot DNS serving a zone whose MX answer ends past byte 512. Knot is both the
 * resolver the CLI starts from and the zone's only authoritative server (same address and port).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, cliBudget, runMxops } from '../support/cli-process.js';
import { rootHintsFile } from '../support/root-hints-file.js';
import { KNOT_START_TIMEOUT_MS, type RunningKnot, knotAvailable, startKnot } from '../support/knot-server.js';
import { skipWithout } from '../support/required-tool.js';

const ADDRESS = '127.0.0.51';
const mxHosts = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `inbound-filter-${String(i).padStart(2, '0')}.scanning-service-cluster`);
const MX_HOSTS = mxHosts(20);

/** partner.test with `count` MX hosts sharing a long suffix: 20 end the MX answer past byte 512. */
const partnerZone = (count = 20, address = ADDRESS): string =>
  [
    '$ORIGIN partner.test.',
    '$TTL 300',
    '@ SOA ns1 hostmaster 2026112601 3600 600 604800 300',
    '@ NS ns1',
    `ns1 A ${address}`,
    ...mxHosts(count).map((host, i) => `@ MX ${10 + i} ${host}`),
    ...mxHosts(count).map((host, i) => `${host} A 11.22.50.${i + 1}`),
    '@ TXT "v=spf1 mx -all"',
    '_dmarc TXT "v=DMARC1; p=reject"',
  ].join('\n');

const reverseZone = [
  '$ORIGIN 50.22.11.in-addr.arpa.',
  '$TTL 300',
  '@ SOA ns1.partner.test. hostmaster.partner.test. 1 3600 600 604800 300',
  '@ NS ns1.partner.test.',
  ...MX_HOSTS.map((host, i) => `${i + 1} PTR ${host}.partner.test.`),
].join('\n');

/** Every run keeps its report (mxops history): in a directory of the test's own, never the checkout's. */
const dataDir = mkdtempSync(path.join(tmpdir(), 'mxops-knot-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const mxops = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
  runMxops(args, { MXOPS_DATA_DIR: dataDir, DATABASE_URL: '', ...env });

/** Knot is the resolver, the zone's only server, and (for the delegation walk) the root. */
const knotEnv = (address: string, port: number): Record<string, string> => ({
  MXOPS_DNS_PORT: String(port),
  MXOPS_DNSBL_ZONES: 'none',
  MXOPS_ROOT_HINTS: rootHintsFile(address),
});

const skip = skipWithout('Knot DNS (knotd)', await knotAvailable());
const budget = await cliBudget();

describe.skipIf(skip)('mxops check against Knot DNS', () => {
  let knot: RunningKnot;
  // DNS only: the MX hosts have public-looking addresses that no test may connect to.
  const target = (): string[] => ['--dns-only', '--resolver', `${ADDRESS}:${knot.port}`];

  beforeAll(async () => {
    knot = await startKnot({
      address: ADDRESS,
      zones: [
        { origin: 'partner.test', zoneText: partnerZone() },
        { origin: '50.22.11.in-addr.arpa', zoneText: reverseZone },
      ],
    });
  });
  afterAll(async () => {
    await knot?.stop();
  });

  it(
    'reports the MX answer past byte 512 as JSON, fails qmail 1.03, and exits 1',
    async () => {
      const result = await mxops(['check', 'partner.test', '--json', ...target()], knotEnv(ADDRESS, knot.port));
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        status: string;
        findings: { id: string; status: string; evidence: Record<string, unknown> }[];
        senders: { family: string; verdict: string; because: string[] }[];
      };
      const over = report.findings.find((f) => f.id === 'dns.answer-over-512');
      expect(over?.evidence).toMatchObject({
        qtype: 'MX',
        qname: 'partner.test',
        tc: true,
        server: `ns1.partner.test (${ADDRESS})`,
      });
      expect(over?.evidence.answerEnd as number).toBeGreaterThan(512);
      // Knot answers ANY with a single RRset (RFC 8482), so the ANY path is not the problem here.
      expect(report.findings.filter((f) => f.id === 'dns.answer-over-512').map((f) => f.evidence.qtype)).toEqual([
        'MX',
      ]);
      expect(report.findings.map((f) => f.id)).toEqual(
        expect.arrayContaining(['dns.truncated', 'dns.reply-over-1232', 'dns.edns-ok', 'ptr.ok', 'spf.ok', 'dmarc.ok']),
      );
      const senders = Object.fromEntries(report.senders.map((s) => [s.family, s.verdict]));
      expect(senders).toMatchObject({
        'qmail-1.03': 'fail',
        'notqmail-1.08': 'fail',
        'musl-1.2.3': 'fail',
        'notqmail-1.09': 'ok',
        postfix: 'ok',
        exim: 'ok',
      });
    },
    budget(1),
  );

  it(
    'prints the human report with the verdict first, the problems and the verdict again last, and the dig command that reproduces it',
    async () => {
      const result = await mxops(['check', 'partner.test', ...target()], knotEnv(ADDRESS, knot.port));
      expect(result.code).toBe(1);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toMatch(/^partner\.test: FAIL .*mail from qmail-1\.03, notqmail-1\.08, musl-1\.2\.3 will fail/);
      expect(result.stdout).toContain(
        `reproduce: dig +noedns +ignore +norecurse MX partner.test @${ADDRESS} -p ${knot.port}`,
      );
      // The problems and the verdict end the report, so they are what is on screen when it scrolls.
      expect(result.stdout.indexOf('\nProblems\n')).toBeGreaterThan(result.stdout.indexOf('\nSenders\n'));
      expect(result.stdout.indexOf('  FAIL    dns.answer-over-512')).toBeGreaterThan(
        result.stdout.indexOf('\nProblems\n'),
      );
      expect(lines.filter((line) => line !== '').at(-2)).toMatch(/^Verdict: /);
    },
    budget(1),
  );

  it(
    'reads a qmail log from standard input and tests its hypothesis: the MX path confirmed, and the ANY path too, through a caching resolver (Knot answers ANY minimally)',
    async () => {
      const env = knotEnv(ADDRESS, knot.port);
      const log = (reason: string): string =>
        `@400000006731c2f01d2e3a44 starting delivery 7731: msg 1840117 to remote bob@partner.test\n@400000006731c2f1220b8c5c delivery 7731: deferral: ${reason}\n`;
      const mx = await runMxops(
        ['bounce', '--json', ...target()],
        { ...env, MXOPS_DATA_DIR: dataDir },
        { input: log("Sorry,_I_couldn't_find_any_host_by_that_name._(#4.1.2)/") },
      );
      expect(mx.code).toBe(0);
      const confirmed = JSON.parse(mx.stdout) as {
        family: string;
        dsn: string;
        step: string;
        isBounce: boolean;
        hypothesis: { id: string };
        verdict: string;
        findings: { id: string; evidence: Record<string, unknown> }[];
      };
      expect(confirmed).toMatchObject({
        family: 'qmail',
        dsn: '4.1.2',
        step: 'dns',
        isBounce: false,
        recipientDomain: 'partner.test',
        hypothesis: { id: 'qmail-mx-or-a-answer-too-big' },
        verdict: 'confirmed',
      });
      expect(confirmed.findings.find((f) => f.id === 'dns.answer-over-512')?.evidence).toMatchObject({
        qtype: 'MX',
        tc: true,
      });

      const any = await runMxops(
        ['bounce', ...target()],
        { ...env, MXOPS_DATA_DIR: dataDir },
        { input: log('CNAME_lookup_failed_temporarily._(#4.4.3)/') },
      );
      expect(any.code).toBe(0);
      expect(any.stdout).toContain('Hypothesis (qmail-any-answer-too-big)');
      expect(any.stdout).toContain('Verdict: CONFIRMED');
      // Knot's own ANY answer is minimal (RFC 8482); a cache answering ANY holds the MX records, past 512 alone.
      expect(any.stdout).toMatch(/FAIL {4}bounce\.any-from-cache {2}ANY partner\.test/);
      expect(any.stdout).toMatch(/FAIL {4}dns\.answer-over-512 {2}MX partner\.test/);
      expect(any.stdout).not.toMatch(/dns\.answer-over-512 {2}ANY/);
    },
    budget(2),
  );

  it(
    'refuses binary input and unreadable files with exit 2, and reads only the start of huge input',
    async () => {
      const binary = await runMxops(['bounce', '--no-check'], {}, { input: '\u0000\u0001PNG\u0000' });
      expect(binary).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('binary data') });
      expect(await runMxops(['bounce', '/nonexistent/bounce.eml'])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('cannot read /nonexistent/bounce.eml: no such file'),
      });
      const huge =
        `Subject: failure notice\n\nHi. This is the qmail-send program at mail.example.net.\n\n<bob@partner.test>:\nCNAME lookup failed temporarily. (#4.4.3)\n\n${'x'.repeat(100)}\n`.padEnd(
          5 * 1024 * 1024,
          'y',
        );
      const cut = await runMxops(['bounce', '--no-check', '--json'], {}, { input: huge });
      expect(cut.code).toBe(0);
      expect(JSON.parse(cut.stdout)).toMatchObject({
        family: 'qmail',
        dsn: '4.4.3',
        recipient: 'bob@partner.test',
        verdict: 'unknown',
        findings: [],
      });
    },
    budget(3),
  );

  it(
    'refuses bad input with one line on stderr and exit 2, sending nothing',
    async () => {
      const result = await mxops(['check', '192.0.2.1', ...target()]);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/is an IP address/);
    },
    budget(1),
  );
});

describe.skipIf(skip)('mxops history against Knot DNS', () => {
  const address = '127.0.0.52';
  const history = mkdtempSync(path.join(tmpdir(), 'mxops-knot-history-'));
  afterAll(() => rmSync(history, { recursive: true, force: true }));
  const check = async (mxCount: number): Promise<CliRun> => {
    const knot = await startKnot({
      address,
      zones: [
        { origin: 'partner.test', zoneText: partnerZone(mxCount, address) },
        { origin: '50.22.11.in-addr.arpa', zoneText: reverseZone },
      ],
    });
    try {
      return await mxops(['check', 'partner.test', '--dns-only', '--resolver', `${address}:${knot.port}`], {
        ...knotEnv(address, knot.port),
        MXOPS_DATA_DIR: history,
      });
    } finally {
      await knot.stop();
    }
  };

  it(
    'remembers each check and says the MX answer grew past 512 bytes and qmail started failing',
    async () => {
      expect((await check(12)).code).toBe(0);
      expect((await check(20)).code).toBe(1);
      const listed = await mxops(['history', 'partner.test'], { MXOPS_DATA_DIR: history, TZ: 'UTC' });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^partner\.test: 2 stored checks, newest first/);
      expect(listed.stdout).toMatch(/#2 .* FAIL .*cli .*failing senders: qmail-1\.03/);
      expect(listed.stdout).toContain('got worse between');
      expect(listed.stdout).toMatch(/\+ 29 inbound-filter-19\.scanning-service-cluster\.partner\.test/);
      expect(listed.stdout).toMatch(
        /the MX partner\.test answer grew from \d{3} to \d{3} bytes between .*, crossing 512/,
      );
      expect(listed.stdout).toMatch(/ABSENT -> FAIL {2}dns\.answer-over-512/);
      expect(listed.stdout).toContain('qmail-1.03: ok -> fail');
      const json = JSON.parse(
        (await mxops(['history', 'partner.test', '--json', '--from', '1', '--to', '2'], { MXOPS_DATA_DIR: history }))
          .stdout,
      ) as { checks: unknown[]; diff: { trend: string; sizes: { query: string; crossed: number[] }[] } };
      expect(json.checks).toHaveLength(2);
      expect(json.diff.trend).toBe('worse');
      expect(json.diff.sizes.find((s) => s.query === 'MX partner.test')?.crossed).toEqual([512]);
      expect(await mxops(['history', 'partner.test', '--from', '1'], { MXOPS_DATA_DIR: history })).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--from and --to go together'),
      });
      expect(
        await mxops(['history', 'partner.test', '--from', '1', '--to', '99'], { MXOPS_DATA_DIR: history }),
      ).toMatchObject({ code: 2, stderr: expect.stringContaining('no stored check with that id') });
    },
    budget(5, 2 * KNOT_START_TIMEOUT_MS),
  );
});
