/**
 * A validating Unbound on loopback, for checking mxops's DNSSEC verdicts against a real
 * validator: the same trust anchor file, stub zones pointing at the test bed's servers (on a high
 * port, which delegations cannot name), and no cache worth speaking of.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as packet from 'dns-packet';
import dgram from 'node:dgram';
import { spawnDaemon } from './daemon-process.js';

const UNBOUND = '/usr/sbin/unbound';

export function unboundAvailable(): boolean {
  return existsSync(UNBOUND);
}

export interface RunningUnbound {
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface UnboundOptions {
  readonly address: string;
  readonly port: number;
  /** Trust anchors in zone-file format (unbound's trust-anchor-file). */
  readonly anchors: string;
  /** Zone -> "address@port" of a server for it (IPv4, or ::1@port). */
  readonly stubs: Readonly<Record<string, string>>;
}

export async function startUnbound(options: UnboundOptions): Promise<RunningUnbound> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mxops-unbound-'));
  await writeFile(path.join(dir, 'anchors'), options.anchors);
  const config = [
    'server:',
    `  interface: ${options.address}`,
    `  port: ${options.port}`,
    '  do-daemonize: no',
    '  use-syslog: no',
    '  logfile: ""',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${path.join(dir, 'unbound.pid')}"`,
    '  do-not-query-localhost: no',
    // IPv6 only when a stub zone's server is reached over it (::1): nothing else here has an IPv6 address.
    `  do-ip6: ${Object.values(options.stubs).some((addr) => addr.includes(':')) ? 'yes' : 'no'}`,
    '  access-control: 127.0.0.0/8 allow',
    `  trust-anchor-file: "${path.join(dir, 'anchors')}"`,
    '  module-config: "validator iterator"',
    '  qname-minimisation: no',
    '  aggressive-nsec: no',
    '  val-log-level: 2',
    '  verbosity: 1',
    '  msg-cache-size: 0',
    '  rrset-cache-size: 0',
    '  key-cache-size: 0',
    // Unbound answers NXDOMAIN for the special-use name test. (RFC 6761) unless told not to.
    '  local-zone: "test." nodefault',
    ...Object.entries(options.stubs).flatMap(([zone, addr]) => [
      'stub-zone:',
      `  name: "${zone}"`,
      `  stub-addr: ${addr}`,
      '  stub-prime: no',
    ]),
    'remote-control:',
    '  control-enable: no',
    '',
  ].join('\n');
  const file = path.join(dir, 'unbound.conf');
  await writeFile(file, config);
  const daemon = spawnDaemon(UNBOUND, ['-d', '-c', file], 'unbound');
  const stop = async (): Promise<void> => {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const gone = daemon.gone();
    if (gone) {
      await stop();
      throw new Error(`${gone}\n${daemon.output()}`);
    }
    if (await answers(options.address, options.port)) return { address: options.address, port: options.port, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const output = daemon.output();
  await stop();
  throw new Error(`unbound did not answer within 10 s\n${output}`);
}

function answers(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(false);
    }, 200);
    socket.on('error', () => {
      clearTimeout(timer);
      socket.close();
      resolve(false);
    });
    socket.on('message', () => {
      clearTimeout(timer);
      socket.close();
      resolve(true);
    });
    socket.send(
      packet.encode({
        type: 'query',
        id: 7,
        flags: 0,
        questions: [{ type: 'TXT', class: 'CH', name: 'version.bind' }],
      }),
      port,
      address,
    );
  });
}
