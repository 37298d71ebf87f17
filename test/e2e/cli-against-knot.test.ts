/**
 * The founding failure end to end: the real `mxops check` command line, as a separate process,
 * against Debian's Knot DNS serving a zone whose MX answer ends past byte 512. Knot is both the
 * resolver the CLI starts from and the zone's only authoritative server (same address and port).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningKnot, knotAvailable, startKnot } from '../support/knot-server.js';

const run = promisify(execFile);
const ADDRESS = '127.0.0.51';
const ROOT = path.resolve(import.meta.dirname, '../..');
const MX_HOSTS = Array.from({ length: 20 }, (_, i) => `inbound-filter-${String(i).padStart(2, '0')}.scanning-service-cluster`);

const partnerZone = [
  '$ORIGIN partner.test.',
  '$TTL 300',
  '@ SOA ns1 hostmaster 2026112601 3600 600 604800 300',
  '@ NS ns1',
  `ns1 A ${ADDRESS}`,
  ...MX_HOSTS.map((host, i) => `@ MX ${10 + i} ${host}`),
  ...MX_HOSTS.map((host, i) => `${host} A 11.22.50.${i + 1}`),
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

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function mxops(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const available = await knotAvailable();

describe.skipIf(!available)('mxops check against Knot DNS', () => {
  let knot: RunningKnot;
  // DNS only: the MX hosts have public-looking addresses that no test may connect to.
  const target = (): string[] => ['--dns-only', '--resolver', `${ADDRESS}:${knot.port}`];

  beforeAll(async () => {
    knot = await startKnot({ address: ADDRESS, zones: [{ origin: 'partner.test', zoneText: partnerZone }, { origin: '50.22.11.in-addr.arpa', zoneText: reverseZone }] });
  });
  afterAll(async () => {
    await knot?.stop();
  });

  it('reports the MX answer past byte 512 as JSON, fails qmail 1.03, and exits 1', async () => {
    const result = await mxops(['check', 'partner.test', '--json', ...target()], { MXOPS_DNS_PORT: String(knot.port), MXOPS_DNSBL_ZONES: 'none' });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      status: string;
      findings: { id: string; status: string; evidence: Record<string, unknown> }[];
      senders: { family: string; verdict: string; because: string[] }[];
    };
    const over = report.findings.find((f) => f.id === 'dns.answer-over-512');
    expect(over?.evidence).toMatchObject({ qtype: 'MX', qname: 'partner.test', tc: true, server: `ns1.partner.test (${ADDRESS})` });
    expect(over?.evidence.answerEnd as number).toBeGreaterThan(512);
    // Knot answers ANY with a single RRset (RFC 8482), so the ANY path is not the problem here.
    expect(report.findings.filter((f) => f.id === 'dns.answer-over-512').map((f) => f.evidence.qtype)).toEqual(['MX']);
    expect(report.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['dns.truncated', 'dns.reply-over-1232', 'dns.edns-ok', 'ptr.ok', 'spf.ok', 'dmarc.ok']));
    const senders = Object.fromEntries(report.senders.map((s) => [s.family, s.verdict]));
    expect(senders).toMatchObject({ 'qmail-1.03': 'fail', 'notqmail-1.08': 'fail', 'musl-1.2.3': 'fail', 'notqmail-1.09': 'ok', postfix: 'ok', exim: 'ok' });
  });

  it('prints the human report with the verdict first and the dig command that reproduces it', async () => {
    const result = await mxops(['check', 'partner.test', ...target()], { MXOPS_DNS_PORT: String(knot.port), MXOPS_DNSBL_ZONES: 'none' });
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^partner\.test: FAIL .*mail from qmail-1\.03, notqmail-1\.08, musl-1\.2\.3 will fail/);
    expect(result.stdout).toContain(`reproduce: dig +noedns +ignore +norecurse MX partner.test @${ADDRESS} -p ${knot.port}`);
    expect(result.stdout.indexOf('dns.answer-over-512')).toBeLessThan(result.stdout.indexOf('Senders'));
  });

  it('refuses bad input with one line on stderr and exit 2, sending nothing', async () => {
    const result = await mxops(['check', '192.0.2.1', ...target()]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/is an IP address/);
  });
});
