import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { takeRefusedAttempts } from '../support/loopback-guard.js';

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
});
