/**
 * The loopback guard reaches the processes tests spawn (NODE_OPTIONS, set by the vitest setup file),
 * so a CLI or bot run as a child cannot reach beyond loopback either, and what it tried fails the
 * test even when the child swallows the error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { takeRefusedAttempts } from '../support/loopback-guard.js';

/** Runs a plain `node` child with the test process's environment, as every spawn in the suite does. */
async function childSays(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 15_000,
  });
  return stdout.trim();
}

describe('loopback guard in child processes', () => {
  it('refuses a TCP connection beyond loopback in a spawned child', async () => {
    const said = await childSays(`
      import net from 'node:net';
      try {
        const socket = net.connect(25, '192.0.2.1');
        // Without the guard the SYN leaves; give up on it quickly.
        socket.on('error', () => undefined);
        setTimeout(() => (console.log('not refused'), socket.destroy()), 500);
      } catch (error) {
        console.log(error.message);
      }
    `);
    expect(said).toBe('test tried to reach 192.0.2.1 over TCP: tests may only talk to loopback');
    expect(takeRefusedAttempts()).toEqual([
      expect.stringMatching(/^child process \d+ .*: test tried to reach 192\.0\.2\.1 over TCP/),
    ]);
  });

  it("refuses dns.lookup('example.com') in a spawned child, and tells the test though the child swallowed it", async () => {
    const said = await childSays(`
      import dns from 'node:dns';
      import { resolveMx } from 'node:dns/promises';
      dns.lookup('example.com', (error) => {
        console.log(error ? error.message : 'not refused');
        resolveMx('example.com').then(() => console.log('not refused'), (failed) => console.log(failed.code));
      });
    `);
    expect(said.split('\n')).toEqual([
      'test tried to look up example.com through the system resolver (dns.lookup): tests may only look up names under .test, .example, .invalid, .localhost, or loopback addresses',
      'ELOOPBACKGUARD',
    ]);
    expect(takeRefusedAttempts()).toEqual([
      expect.stringMatching(/^child process \d+ .*: test tried to look up example\.com .*\(dns\.lookup\)/),
      expect.stringMatching(/^child process \d+ .*: test tried to look up example\.com .*\(dns\.promises\.resolveMx\)/),
    ]);
  });

  it('lets a child look up localhost', async () => {
    expect(
      await childSays(`
      import { lookup } from 'node:dns/promises';
      console.log((await lookup('localhost', { family: 4 })).address);
    `),
    ).toBe('127.0.0.1');
  });
});
