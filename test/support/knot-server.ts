/**
 * The real Knot DNS server (Debian's `knot` package) on loopback, for end-to-end tests that
 * must meet a production authoritative server rather than our dns-packet imitation.
 *
 * What the Debian 12 build (Knot DNS 3.2.6) does, found by trying it:
 * - Privileges: `server: user` defaults to the user knotd was started as. The Debian sample
 *   /etc/knot/knot.conf sets `user: knot:knot`, but we write our own config without a `user`
 *   line, so knotd runs as root in CI and as an ordinary user on a laptop (a high port needs
 *   no privilege). Setting `user: root:root` would break the non-root case: knotd then tries
 *   setgid(0) and exits with "failed to drop privileges".
 * - ANY (RFC 8482): since Knot 3.0 a QTYPE=ANY query is answered with one RRset of the name
 *   (plus its RRSIG if signed), over UDP and TCP alike, with AA and without TC; not with the
 *   synthesised HINFO that RFC 8482 also allows. The changelog says "at most one random RRSet";
 *   in practice it was the same one every time (NS at the apex of a zone with SOA, NS, MX and
 *   TXT; A at a name with only A). There is no switch to get full ANY answers back: the old
 *   `zone.disable-any` option is accepted and silently ignored.
 * - A no-EDNS UDP reply that does not fit in 512 bytes comes back with TC set and the answer
 *   section empty (question only); EDNS replies are capped at `udp-max-payload` (default 1232).
 * - A port already taken makes knotd exit with status 1 after logging "cannot bind address
 *   ... (address already in use)", so a busy port is simply retried with another one.
 * - A zone file that does not parse is logged as an error and the zone answers SERVFAIL; the
 *   server keeps running, so startup watches stderr for errors instead of waiting it out.
 * - Startup (zones loaded and answering) takes some tens of milliseconds.
 * - Automatic signing (`dnssec-signing: on` with a policy) works with the zone journal off and
 *   the zone file never written back: at each start knotd makes its keys (in the KASP database
 *   under `storage`), signs, and only then answers for the zone, RRSIG inceptions backdated 90
 *   minutes. The KSK waits "ready" for a DS submission it is never told about and signs the DNSKEY
 *   RRset meanwhile. `keymgr -c knot.conf <zone> ds` reads the KASP database while knotd runs and
 *   prints one DS per digest (SHA-256 and SHA-384), `<zone>. DS tag alg digest-type digest`.
 */
import { spawnDaemon } from './daemon-process.js';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as packet from 'dns-packet';

const KNOTD = '/usr/sbin/knotd';
const KEYMGR = '/usr/sbin/keymgr';
/** How long knotd may take to serve its zones; tests that start Knot budget for it. */
export const KNOT_START_TIMEOUT_MS = 10_000;
const POLL_TIMEOUT_MS = 250;
const PORT_ATTEMPTS = 20;

export interface KnotZone {
  /** The zone apex, with or without the trailing dot. */
  origin: string;
  /** RFC 1035 master-file text; without $ORIGIN, names are relative to `origin`. */
  zoneText: string;
}

export interface RunningKnot {
  address: string;
  port: number;
  /** Runs keymgr on this server's KASP database (`keymgr(zone, 'ds')`) and resolves with what it prints. */
  keymgr(zone: string, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Knot signs the zones itself (automatic DNSSEC signing, RFC 9276's NSEC3 settings: no salt, no extra iterations). */
export interface KnotSigning {
  /** Knot's algorithm name; ECDSAP256SHA256 by default. */
  algorithm?: string;
  /** NSEC3 instead of NSEC; on by default. */
  nsec3?: boolean;
}

export interface StartKnotOptions {
  /** A loopback address to listen on (UDP and TCP), e.g. 127.0.0.31 or ::1. */
  address: string;
  /** A fixed port; by default a random high port is tried until one is free. */
  port?: number;
  zones: KnotZone[];
  /** Sign every zone with a policy of Knot's own; unsigned zones are served as they are by default. */
  signing?: KnotSigning;
}

/** True when the knotd binary is installed (.ci/run installs Debian's `knot` package). */
export async function knotAvailable(): Promise<boolean> {
  try {
    await access(KNOTD, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startKnot(options: StartKnotOptions): Promise<RunningKnot> {
  if (options.zones.length === 0) throw new Error('startKnot needs at least one zone');
  for (const zone of options.zones) {
    if (!/^(\.|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?)$/.test(zone.origin))
      throw new Error(`unsupported zone origin ${JSON.stringify(zone.origin)}`);
  }
  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? 20_000 + Math.floor(Math.random() * 40_000);
    const outcome = await startOnPort(options.address, port, options.zones, options.signing);
    if (outcome.kind === 'running') return outcome.knot;
    if (outcome.kind === 'failed' || attempt >= attempts) {
      const tried = attempt > 1 ? ` (the last of ${attempt} ports tried)` : '';
      throw new Error(`knotd did not start on ${options.address}@${port}${tried}: ${outcome.message}`);
    }
  }
}

type StartOutcome =
  { kind: 'running'; knot: RunningKnot } | { kind: 'port-busy'; message: string } | { kind: 'failed'; message: string };

async function startOnPort(
  address: string,
  port: number,
  zones: readonly KnotZone[],
  signing: KnotSigning | undefined,
): Promise<StartOutcome> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mxops-knot-'));
  const config = path.join(dir, 'knot.conf');
  const identity = `mxops-${randomBytes(6).toString('hex')}`;
  await writeFile(config, knotConfig(dir, identity, address, port, zones, signing));
  for (const zone of zones)
    await writeFile(zoneFile(dir, zone), zone.zoneText.endsWith('\n') ? zone.zoneText : `${zone.zoneText}\n`);

  const daemon = spawnDaemon(KNOTD, ['-c', config], 'knotd');
  const stop = async (): Promise<void> => {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  };

  const failure = await waitUntilServing({ address, port, identity, zones, output: daemon.output, gone: daemon.gone });
  const keymgr = async (zone: string, ...args: string[]): Promise<string> =>
    (await promisify(execFile)(KEYMGR, ['-c', config, zone, ...args])).stdout;
  if (failure === undefined) return { kind: 'running', knot: { address, port, keymgr, stop } };
  await stop();
  const message = `${failure}\n${daemon.output().trim()}`;
  return { kind: /address already in use/i.test(daemon.output()) ? 'port-busy' : 'failed', message };
}

/** Only what the tests need: the listener, state kept inside `dir`, zones from files, quiet logs. */
function knotConfig(
  dir: string,
  identity: string,
  address: string,
  port: number,
  zones: readonly KnotZone[],
  signing: KnotSigning | undefined,
): string {
  const lines = [
    'server:',
    `    identity: "${identity}"`, // answered to CH TXT id.server: tells our knotd from another on the port
    `    rundir: "${dir}"`, // pid file and control socket (knot.sock) live here
    `    listen: ${address}@${port}`, // UDP and TCP
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'log:',
    '  - target: stderr',
    '    any: warning',
    'database:',
    `    storage: "${dir}"`, // timer, journal and KASP databases
    ...(signing
      ? [
          'policy:',
          '  - id: mxops',
          `    algorithm: ${signing.algorithm ?? 'ecdsap256sha256'}`,
          `    nsec3: ${signing.nsec3 === false ? 'off' : 'on'}`,
          '    nsec3-iterations: 0',
          '    nsec3-salt-length: 0',
        ]
      : []),
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    semantic-checks: off',
    '    journal-content: none', // zones come from the files, every start afresh
    '    zonefile-sync: -1', // never write the zone back to the file
    ...(signing ? ['    dnssec-signing: on', '    dnssec-policy: mxops'] : ['    dnssec-signing: off']),
    'zone:',
    ...zones.map((zone) => `  - domain: ${apex(zone)}\n    file: "${zoneFile(dir, zone)}"`),
  ];
  return `${lines.join('\n')}\n`;
}

function apex(zone: KnotZone): string {
  // The root zone (a DNSSEC test bed's own root) keeps its dot.
  return zone.origin === '.' ? '.' : zone.origin.replace(/\.$/, '').toLowerCase();
}

function zoneFile(dir: string, zone: KnotZone): string {
  return path.join(dir, `${apex(zone) === '.' ? 'root' : apex(zone)}.zone`);
}

interface ServingCheck {
  address: string;
  port: number;
  identity: string;
  zones: readonly KnotZone[];
  output: () => string;
  gone: () => string | undefined;
}

/**
 * Resolves undefined once our knotd answers and every zone answers its SOA authoritatively
 * over UDP, or an explanation when knotd exits, logs an error, or the deadline passes.
 * Our knotd is recognised by its identity (CH TXT id.server): when the port is busy, another
 * server answers at once, before our knotd has even tried to bind and exited; knotd binds UDP
 * with SO_REUSEPORT, so only its TCP bind fails.
 */
async function waitUntilServing(check: ServingCheck): Promise<string | undefined> {
  const deadline = Date.now() + KNOT_START_TIMEOUT_MS;
  const pending = new Set(check.zones.map(apex));
  let identified = false;
  while (Date.now() < deadline) {
    const exited = check.gone();
    if (exited !== undefined) return exited;
    if (/\b(error|critical):/.test(check.output())) return 'knotd logged an error';
    if (!identified) {
      const reply = await ask(check.address, check.port, { type: 'TXT', class: 'CH', name: 'id.server' });
      identified =
        reply !== undefined &&
        reply.answers?.some((a) => a.type === 'TXT' && txtText(a.data) === check.identity) === true;
    }
    if (identified) {
      for (const name of [...pending]) {
        const reply = await ask(check.address, check.port, { type: 'SOA', name });
        if (
          reply &&
          ((reply.flags ?? 0) & 0x0f) === 0 /* NOERROR */ &&
          reply.flag_aa &&
          reply.answers?.some((a) => a.type === 'SOA')
        )
          pending.delete(name);
      }
      if (pending.size === 0) return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return identified
    ? `no authoritative SOA answer for ${[...pending].join(', ')} within ${KNOT_START_TIMEOUT_MS} ms`
    : `knotd did not answer within ${KNOT_START_TIMEOUT_MS} ms`;
}

function txtText(data: packet.TxtData): string {
  return (Array.isArray(data) ? data : [data]).map((part) => part.toString()).join('');
}

/** One UDP query; undefined on silence, refusal (not listening yet) or an unreadable reply. */
function ask(address: string, port: number, question: packet.Question): Promise<packet.DecodedPacket | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    const id = Math.floor(Math.random() * 0x10000);
    let done = false;
    const finish = (reply: packet.DecodedPacket | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), POLL_TIMEOUT_MS);
    socket.on('error', () => finish(undefined)); // ECONNREFUSED until knotd has bound the port
    socket.on('message', (message) => {
      try {
        const reply = packet.decode(message);
        if (reply.id === id) finish(reply);
      } catch {
        finish(undefined);
      }
    });
    socket.connect(port, address, () =>
      socket.send(packet.encode({ type: 'query', id, flags: 0, questions: [question] })),
    );
  });
}
