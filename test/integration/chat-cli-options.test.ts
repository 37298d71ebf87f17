/**
 * `mxops chat` takes the options of `mxops check` that decide how DNS is asked (--resolver,
 * --timeout, --allow-private) and they hold for every check typed in the session: run as a user
 * runs it, against the loopback mail network's nameservers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailNetwork, RESOLVER } from '../fixtures/mail-network.js';
import { cliBudget, runMxops } from '../support/cli-process.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { rootHintsFile } from '../support/root-hints-file.js';

const budget = await cliBudget();

describe('mxops chat with the DNS options of mxops check', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  const dataDirs: string[] = [];
  // No MXOPS_RESOLVER and no MXOPS_ALLOW_PRIVATE_TARGETS: what reaches the nameservers is the command line's doing.
  // A store each: sessions started at the same moment would otherwise race to create one SQLite file's tables.
  const env = (): Record<string, string> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mxops-chat-'));
    dataDirs.push(dataDir);
    return {
      MXOPS_DATA_DIR: dataDir,
      MXOPS_DNS_PORT: String(network.port),
      MXOPS_ROOT_HINTS: rootHintsFile(RESOLVER),
    };
  };
  const chat = (flags: readonly string[]) =>
    runMxops(['chat', '--dns-only', '--resolver', `${RESOLVER}:${network.port}`, ...flags], env(), {
      input: 'mailcheck healthy.test\n',
    });

  beforeAll(async () => {
    network = await startDnsServers(mailNetwork());
  });
  afterAll(async () => {
    await network?.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'asks nameservers on private addresses with --allow-private, and refuses to without it',
    async () => {
      const [allowed, refused] = await Promise.all([chat(['--allow-private', '--timeout', '2000']), chat([])]);
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(allowed.stdout).toContain('No problem found that stops mail.');
      expect(allowed.stdout).not.toContain('dns.nameserver-not-public');
      // The same session without the flag: the loopback nameservers are not asked.
      expect(refused.code, refused.stderr).toBe(0);
      expect(refused.stdout).toContain('dns.nameserver-not-public');
      // Both used the resolver given on the command line, not the system's.
      for (const run of [allowed, refused]) expect(run.stdout).toContain(`${RESOLVER}:${network.port}`);
    },
    budget(2),
  );

  it(
    'refuses a bad --timeout or --resolver at start, before reading a line',
    async () => {
      const [timeout, resolver] = await Promise.all([chat(['--timeout', '5']), chat(['--resolver', 'not a host'])]);
      expect(timeout.code).toBe(2);
      expect(timeout.stderr).toMatch(/--timeout in milliseconds/);
      expect(resolver.code).toBe(2);
      expect(resolver.stderr).toMatch(/--resolver/);
      for (const run of [timeout, resolver]) expect(run.stdout).not.toContain('Checking healthy.test');
    },
    budget(2),
  );
});
