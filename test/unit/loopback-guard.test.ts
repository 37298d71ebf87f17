import dgram from 'node:dgram';
import dns from 'node:dns';
import { resolveTxt } from 'node:dns/promises';
import net from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { takeRefusedAttempts } from '../support/loopback-guard.js';
import { isTestName } from '../support/loopback-policy.mjs';
import { freePort } from '../support/wait.js';

describe('loopback guard', () => {
  it('stops a TCP connection beyond loopback before it leaves', () => {
    expect(() => net.connect({ host: '192.0.2.1', port: 53 })).toThrow(/only talk to loopback/);
    expect(() => net.connect(53, '198.51.100.7')).toThrow(/only talk to loopback/);
    // Remembered too, so code that turns the throw into an error value still fails its test.
    expect(takeRefusedAttempts()).toEqual([
      expect.stringContaining('192.0.2.1'),
      expect.stringContaining('198.51.100.7'),
    ]);
  });

  it("checks where a connection to a name with the caller's own look-up goes: its addresses, not the name", async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const connectVia = (address: string): Promise<string> =>
      new Promise((resolve) => {
        const lookup: net.LookupFunction = (_name, options, callback) =>
          process.nextTick(() => (options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4)));
        const socket = net.connect({ host: 'mta-sts.partner.com', port, lookup });
        socket
          .once('connect', () => resolve(`connected to ${socket.remoteAddress}`))
          .once('error', (error) => {
            socket.destroy();
            resolve(error.message);
          });
      });
    try {
      expect(await connectVia('127.0.0.1')).toBe('connected to 127.0.0.1');
      expect(await connectVia('192.0.2.1')).toMatch(/reach 192\.0\.2\.1 over TCP/);
      expect(takeRefusedAttempts()).toEqual([expect.stringContaining('192.0.2.1')]);
    } finally {
      server.close();
    }
  });

  it('stops UDP beyond loopback, connected or not', () => {
    const socket = dgram.createSocket('udp4');
    try {
      expect(() => socket.send(Buffer.from('x'), 53, '203.0.113.9')).toThrow(/only talk to loopback/);
      expect(() => socket.connect(53, '203.0.113.9')).toThrow(/only talk to loopback/);
      expect(takeRefusedAttempts()).toHaveLength(2);
    } finally {
      socket.close();
    }
  });

  it('refuses system DNS look-ups of names outside the test zones, callback and promise APIs alike', async () => {
    await expect(promisify(dns.lookup)('example.com')).rejects.toThrow(
      /look up example\.com through the system resolver \(dns\.lookup\)/,
    );
    await expect(resolveTxt('partner.com')).rejects.toMatchObject({ code: 'ELOOPBACKGUARD' });
    expect(takeRefusedAttempts()).toEqual([
      expect.stringContaining('example.com'),
      expect.stringContaining('look up partner.com through the system resolver (dns.promises.resolveTxt)'),
    ]);
  });

  it('lets through localhost, and any name asked of a resolver that only has loopback servers', async () => {
    expect(await promisify(dns.lookup)('localhost', { family: 4 })).toMatchObject({ address: '127.0.0.1' });
    // An address literal is answered without asking anyone (dgram's bind() looks up 0.0.0.0).
    expect(await promisify(dns.lookup)('192.0.2.1')).toMatchObject({ address: '192.0.2.1' });
    const resolver = new dns.promises.Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([`127.0.0.1:${await freePort()}`]);
    // Nothing listens there: the error is the resolver's own, not the guard's.
    await expect(resolver.resolve4('example.com')).rejects.toMatchObject({ code: expect.not.stringMatching(/GUARD/) });
    expect(takeRefusedAttempts()).toEqual([]);
  });

  it.each([
    ['partner.test', true],
    ['MX1.Start.Test.', true],
    ['mail.example', true],
    ['nowhere.invalid', true],
    ['localhost', true],
    ['app.localhost', true],
    ['127.0.0.53', true],
    ['::1', true],
    ['example.com', false],
    ['test.partner.com', false],
    ['latest', false],
    ['192.0.2.1', false],
  ])('counts %s as a test name: %s', (name, expected) => {
    expect(isTestName(name)).toBe(expected);
  });
});
