import { systemClock } from '../../src/clock.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheckMany, readTargetList } from '../../commands/check-many.js';
import { parseConcurrency } from '../../commands/check-concurrency.js';
import type { CheckCommandDeps } from '../../commands/check.js';
import { loadConfig } from '../../src/config.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { createSharedDnsClient } from '../../src/net/shared-dns-client.js';
import { mailNetwork, RESOLVER } from '../fixtures/mail-network.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { cliBudget, runMxops } from '../support/cli-process.js';
import { rootHintsFile } from '../support/root-hints-file.js';

const budget = await cliBudget();

/** Many domains in one process (issue 14), against the loopback mail network's nameservers. */
describe('mxops check with many targets', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  const deps = (): CheckCommandDeps => ({
    config: loadConfig({
      MXOPS_RESOLVER: `${RESOLVER}:${network.port}`,
      MXOPS_DNS_PORT: String(network.port),
      MXOPS_ALLOW_PRIVATE_TARGETS: 'true',
      MXOPS_ROOT_HINTS: rootHintsFile(RESOLVER),
      MXOPS_DNS_TIMEOUT_MS: '2000',
    }),
    dns: createSharedDnsClient(createDnsClient()),
    clock: systemClock,
    systemResolver: () => undefined,
  });

  beforeAll(async () => {
    network = await startDnsServers(mailNetwork());
  });
  afterAll(() => network?.close());

  it('writes one report per target in input order, whatever finishes first, and exits with the worst status', async () => {
    const written: string[] = [];
    // slow.test answers after 1.5 s at one nameserver: it finishes after the ones behind it.
    const targets = ['slow.test', 'healthy.test', 'not a domain!', 'bigmx.test', 'nullmx.test'];
    const result = await runCheckMany({ targets, concurrency: 3, json: false, dnsOnly: true }, deps(), (text) =>
      written.push(text),
    );
    expect(written.map((text) => text.split(/[: ]/)[0])).toEqual([
      'slow.test',
      'healthy.test',
      'not',
      'bigmx.test',
      'nullmx.test',
    ]);
    expect(written[2]).toMatch(/^not a domain!: not checked: /);
    // A target that is not a domain is exit 2, worse than bigmx.test's failure (1).
    expect(result.exitCode).toBe(2);
    expect(result.reports.map((r) => r.domain)).toEqual(['slow.test', 'healthy.test', 'bigmx.test', 'nullmx.test']);
  });

  it('writes JSON lines with --json, each naming its target', async () => {
    const written: string[] = [];
    const result = await runCheckMany(
      { targets: ['healthy.test', 'bigmx.test'], concurrency: 16, json: true, dnsOnly: true },
      deps(),
      (text) => written.push(text),
    );
    const lines = written
      .join('')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { target: string; domain: string; status: string; problems: unknown[] });
    expect(lines.map((l) => [l.target, l.domain])).toEqual([
      ['healthy.test', 'healthy.test'],
      ['bigmx.test', 'bigmx.test'],
    ]);
    expect(lines[1]?.problems.length).toBeGreaterThan(0);
    expect(result.exitCode).toBe(1);
  });

  it('asks a question the run already asked once: the shared client answers it from the first reply', async () => {
    const rootQueries = (): number =>
      network.servers.filter((s) => s.address === RESOLVER).reduce((n, s) => n + s.queries.length, 0);
    const shared = deps();
    await runCheckMany(
      { targets: ['healthy.test'], concurrency: 1, json: false, dnsOnly: true },
      shared,
      () => undefined,
    );
    const afterOne = rootQueries();
    // The same domain again through the same client: every question is already answered.
    await runCheckMany(
      { targets: ['healthy.test'], concurrency: 1, json: false, dnsOnly: true },
      shared,
      () => undefined,
    );
    expect(rootQueries()).toBe(afterOne);
  });

  it('refuses no targets and a concurrency that is not a whole number from 1 to 256', async () => {
    await expect(runCheckMany({ targets: [], concurrency: 16, json: false }, deps(), () => undefined)).rejects.toThrow(
      /no domain to check/,
    );
    for (const bad of ['0', '257', '2.5', 'many', '-1'])
      expect(() => parseConcurrency(bad)).toThrow(/--concurrency must be a whole number from 1 to 256/);
    expect(parseConcurrency(undefined)).toBe(16);
    expect(parseConcurrency('4')).toBe(4);
  });

  it(
    'runs from the command line: targets as arguments and from standard input, JSON lines in order, the worst exit status',
    async () => {
      const env = {
        MXOPS_DNS_PORT: String(network.port),
        MXOPS_ALLOW_PRIVATE_TARGETS: 'true',
        MXOPS_ROOT_HINTS: rootHintsFile(RESOLVER),
        MXOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'mxops-many-')),
      };
      const run = await runMxops(
        [
          'check',
          'bigmx.test',
          '--from-file',
          '-',
          '--dns-only',
          '--json',
          '--resolver',
          `${RESOLVER}:${network.port}`,
        ],
        env,
        { input: '# partners\nhealthy.test\nnot..valid\n' },
      );
      const lines = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { target: string; error?: string });
      expect(lines.map((l) => l.target)).toEqual(['bigmx.test', 'healthy.test', 'not..valid']);
      expect(lines[2]?.error).toMatch(/empty label/);
      expect(run.code).toBe(2);
      const bad = await runMxops(['check', 'healthy.test', '--concurrency', '0'], env);
      expect(bad).toMatchObject({ code: 2, stdout: '' });
      expect(bad.stderr).toContain('--concurrency must be a whole number from 1 to 256');
    },
    budget(2),
  );

  it('reads a target list: one per line, comments and blank lines skipped', () => {
    expect(
      readTargetList('# partners\nhealthy.test\n\n  bigmx.test  # the seed case\r\nsomeone@nullmx.test\n'),
    ).toEqual(['healthy.test', 'bigmx.test', 'someone@nullmx.test']);
  });
});
