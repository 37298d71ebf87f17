/**
 * A real MTA on loopback, for end-to-end tests of the SMTP prober: Debian's Exim
 * (`exim4-daemon-light`), a private throwaway instance with its own config, spool, logs and
 * certificate in a temp dir, in the foreground, on a loopback address and a high port.
 *
 * Why Exim, found by trying (Debian 12):
 * - OpenSMTPD 6.8.0p2 (`opensmtpd`) was tried first and cannot do this job. Its STARTTLS fails
 *   on Debian 12's OpenSSL 3 with both EC and RSA keys (the server says
 *   "io-error: error:0A080006:SSL routines::EVP lib", the client gets a TLS internal-error alert;
 *   upstream OpenSMTPD issues #1171 and #1239). Its queue (/var/spool/smtpd) and control socket
 *   (/var/run/smtpd.sock) are compiled in, so only one smtpd can run on the machine at a time
 *   ("control socket already listening"), never next to a system instance, and it must be root.
 * - Exim was tried next and worked at once, so Postfix was not tried: it needs a config dir, a
 *   queue tree made by postfix-script and several daemons under master(8), where Exim is one
 *   binary and one config file, with the spool, the logs and the pid file where the config says.
 *
 * What the Debian 12 build (Exim 4.96, GnuTLS) does:
 * - Privileges: `exim4 -bd` must be started by root (or another Exim admin user); anyone else
 *   gets "exim: permission denied", so mtaAvailable() is false for a non-root test run. A config
 *   given with -C that is not in TRUSTED_CONFIG_LIST is still honoured for root. On a high port
 *   the daemon gives up root at once and runs as the exim user (Debian-exim), and so does every
 *   process that takes a connection: the temp dir is made 0755 and the TLS key handed to that
 *   user (0600), or STARTTLS answers "454 TLS currently unavailable" ("Error while reading file").
 * - The spool (queue, hints databases) and the logs live in the temp dir, so any number of
 *   instances run side by side and next to a system Exim; there is no single-instance limit.
 * - The certificate and key are read per connection, at STARTTLS, not at startup: a bad key
 *   shows as "454 TLS currently unavailable" with the reason in the main log, so startMta()
 *   checks that the key belongs to the certificate before starting.
 * - A port already taken makes exim exit at once with status 1 ("socket bind() to port N for
 *   address A failed: Address already in use: daemon abandoned" on stderr) because
 *   daemon_startup_retries is 0 (the default would retry 9 times, 30 s apart).
 * - When the daemon is up, the main log says "daemon started: pid=N, no queue runs, listening
 *   for SMTP on [A]:N"; startup takes some tens of milliseconds.
 * - Nothing leaves the machine and nothing is delivered: no routers, no queue runner, queue_only,
 *   DATA refused in the predata ACL, no reverse DNS (host_lookup, helo_lookup_domains empty)
 *   and no ident callbacks.
 *
 * What it says (banner and EHLO, as the prober sees them):
 *   220 mx1.partner.test ESMTP Exim 4.96 Thu, 26 Nov 2026 14:36:54 +0000
 *   250-mx1.partner.test Hello probe.mxops.test [127.0.0.1]
 *   250-SIZE 52428800 / 8BITMIME / PIPELINING / PIPECONNECT / CHUNKING / STARTTLS / SMTPUTF8
 *   250 HELP                       (the same after TLS, without STARTTLS)
 *   220 TLS go ahead               (STARTTLS)
 */
import { spawnDaemon } from './daemon-process.js';
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { access, chmod, chown, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const EXIM = '/usr/sbin/exim4';
const START_TIMEOUT_MS = 15_000;
const BANNER_TIMEOUT_MS = 1_000;
const PORT_ATTEMPTS = 20;

export interface StartMtaOptions {
  /** A loopback address to listen on, e.g. 127.0.0.71. */
  address: string;
  /** A fixed port; by default a random high port is tried until one is free. */
  port?: number;
  /** The MTA's name: in the banner and the EHLO reply. */
  hostname: string;
  /** PEM, leaf first; anything after the leaf is sent along with it. */
  certPem: string;
  keyPem: string;
  /** PEM: intermediates (or the CA) sent after the leaf. */
  chainPem?: string;
  /** RCPT to any local part at this domain is accepted (250), except `rejectLocalParts`. */
  acceptDomain: string;
  /** Local parts at `acceptDomain` answered with "550 5.1.1 <...>: unknown user". */
  rejectLocalParts?: string[];
}

export interface RunningMta {
  address: string;
  port: number;
  /** Product and version, from the banner: 'Exim 4.96'. */
  software: string;
  stop(): Promise<void>;
}

/**
 * True when Exim is installed (.ci/run installs Debian's `exim4-daemon-light`) and this process
 * is root: Exim starts a daemon for no one else.
 */
export async function mtaAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await access(EXIM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** Plain local parts only: in an Exim list, `:` splits, `$` expands, a leading `!` negates, `^` starts a regex. */
const LOCAL_PART = /^[A-Za-z0-9._+-]+$/;

export async function startMta(options: StartMtaOptions): Promise<RunningMta> {
  if (net.isIP(options.address) === 0) throw new Error(`not an IP address: ${JSON.stringify(options.address)}`);
  for (const name of [options.hostname, options.acceptDomain]) {
    if (!DOMAIN.test(name)) throw new Error(`unsupported domain name ${JSON.stringify(name)}`);
  }
  for (const localPart of options.rejectLocalParts ?? []) {
    if (!LOCAL_PART.test(localPart)) throw new Error(`unsupported local part ${JSON.stringify(localPart)}`);
  }
  // Exim reads the key only at STARTTLS (454 then, the reason in its log): catch a mismatch here.
  if (!new X509Certificate(options.certPem).checkPrivateKey(createPrivateKey(options.keyPem)))
    throw new Error('keyPem is not the key of the first certificate in certPem');
  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? 20_000 + Math.floor(Math.random() * 40_000);
    const outcome = await startOnPort(options, port);
    if (outcome.kind === 'running') return outcome.mta;
    if (outcome.kind === 'failed' || attempt >= attempts) {
      const tried = attempt > 1 ? ` (the last of ${attempt} ports tried)` : '';
      throw new Error(`exim did not start on [${options.address}]:${port}${tried}: ${outcome.message}`);
    }
  }
}

type StartOutcome =
  { kind: 'running'; mta: RunningMta } | { kind: 'port-busy'; message: string } | { kind: 'failed'; message: string };

async function startOnPort(options: StartMtaOptions, port: number): Promise<StartOutcome> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mxops-exim-'));
  try {
    await prepare(dir, options, port);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const logs = path.join(dir, 'spool', 'log');

  const daemon = spawnDaemon(EXIM, ['-C', path.join(dir, 'exim.conf'), '-bdf'], 'exim');
  const stop = async (): Promise<void> => {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  };

  const ready = await waitUntilServing({
    address: options.address,
    port,
    pid: daemon.child.pid,
    logs,
    gone: daemon.gone,
  });
  if (ready.ok) return { kind: 'running', mta: { address: options.address, port, software: ready.software, stop } };
  const logText = await readLogs(logs);
  await stop();
  const output = daemon.output();
  const all = `${output}\n${logText}`;
  const message = [
    ready.reason,
    output.trim() && `exim's stderr:\n${output.trim()}`,
    logText.trim() && `exim's logs:\n${logText.trim()}`,
  ]
    .filter(Boolean)
    .join('\n');
  return { kind: /address already in use/i.test(all) ? 'port-busy' : 'failed', message };
}

/** Writes the config and the certificate; the key goes to the user exim runs as. */
async function prepare(dir: string, options: StartMtaOptions, port: number): Promise<void> {
  // Exim drops to its own user (Debian-exim) and must reach the key, the spool and the logs.
  await chmod(dir, 0o755);
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const chain = options.chainPem === undefined ? '' : withNewline(options.chainPem);
  await writeFile(certFile, withNewline(options.certPem) + chain, { mode: 0o644 });
  await writeFile(keyFile, withNewline(options.keyPem), { mode: 0o600 });
  await writeFile(path.join(dir, 'exim.conf'), eximConfig(dir, options, port), { mode: 0o644 });
  const user = await eximUser(dir);
  await chown(keyFile, user.uid, user.gid);
}

function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/** The uid and gid of the user exim runs as (exim_user; Debian-exim on Debian). */
async function eximUser(dir: string): Promise<{ uid: number; gid: number }> {
  const { stdout: setting } = await run(EXIM, ['-C', path.join(dir, 'exim.conf'), '-bP', 'exim_user']);
  const name = /=\s*(\S+)/.exec(setting)?.[1];
  if (name === undefined) throw new Error(`cannot tell which user exim runs as: ${setting.trim()}`);
  const { stdout: entry } = await run('getent', ['passwd', name]);
  const [, , uid, gid] = entry.trim().split(':');
  if (uid === undefined || gid === undefined) throw new Error(`no passwd entry for exim's user ${name}`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** Only what the tests need: one listener, STARTTLS, RCPT rules, state inside `dir`, no delivery. */
function eximConfig(dir: string, options: StartMtaOptions, port: number): string {
  const reject = options.rejectLocalParts ?? [];
  const lines = [
    `primary_hostname = ${options.hostname}`,
    `local_interfaces = <; ${options.address}`,
    `daemon_smtp_ports = ${port}`,
    'daemon_startup_retries = 0', // a busy port fails at once instead of 9 retries 30 s apart
    `spool_directory = ${path.join(dir, 'spool')}`,
    `log_file_path = ${path.join(dir, 'spool', 'log', '%slog')}`, // inside the spool: exim's user may write there
    `pid_file_path = ${path.join(dir, 'exim.pid')}`,
    'keep_environment =',
    // Nothing beyond loopback: no reverse DNS, no HELO lookups, no ident callbacks.
    'host_lookup =',
    'helo_lookup_domains =',
    'rfc1413_hosts =',
    // Nothing is delivered: no routers, no queue runner (no -q), and DATA is refused anyway.
    'queue_only = true',
    'tls_advertise_hosts = *',
    `tls_certificate = ${path.join(dir, 'cert.pem')}`,
    `tls_privatekey = ${path.join(dir, 'key.pem')}`,
    'acl_smtp_rcpt = acl_rcpt',
    'acl_smtp_predata = acl_predata',
    '',
    'begin acl',
    '',
    'acl_rcpt:',
    ...(reject.length === 0
      ? []
      : [
          `  deny    domains = ${options.acceptDomain}`,
          `          local_parts = ${reject.join(' : ')}`,
          '          message = 5.1.1 <$local_part@$domain>: unknown user',
        ]),
    `  accept  domains = ${options.acceptDomain}`,
    '  deny    message = 5.7.1 <$local_part@$domain>: relay not permitted',
    '',
    'acl_predata:',
    '  deny    message = 5.7.0 this test MTA takes no mail',
    '',
    'begin routers',
    '',
    'begin transports',
  ];
  return `${lines.join('\n')}\n`;
}

async function readLogs(logs: string): Promise<string> {
  const parts: string[] = [];
  for (const name of ['paniclog', 'mainlog']) {
    const text = await readFile(path.join(logs, name), 'utf8').catch(() => '');
    if (text.trim()) parts.push(`${name}:\n${text.trim()}`);
  }
  return parts.join('\n');
}

interface ServingCheck {
  address: string;
  port: number;
  pid: number | undefined;
  logs: string;
  gone: () => string | undefined;
}

/**
 * Resolves once our exim has logged that it listens and the port greets with 220, or with the
 * reason when exim exits or the deadline passes. Our exim is told from any other server on the
 * port by its own pid in the main log ("daemon started: pid=N"), written after it has bound.
 */
async function waitUntilServing(
  check: ServingCheck,
): Promise<{ ok: true; software: string } | { ok: false; reason: string }> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const started = `daemon started: pid=${check.pid},`;
  let listening = false;
  let lastBanner = '';
  while (Date.now() < deadline) {
    const exited = check.gone();
    if (exited !== undefined) return { ok: false, reason: exited };
    listening ||= (await readFile(path.join(check.logs, 'mainlog'), 'utf8').catch(() => '')).includes(started);
    if (listening) {
      lastBanner = await readBanner(check.address, check.port);
      if (/^220 /.test(lastBanner)) {
        const software = /\bESMTP (Exim \S+)/.exec(lastBanner)?.[1] ?? 'Exim';
        return { ok: true, software };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    ok: false,
    reason: listening
      ? `no 220 greeting within ${START_TIMEOUT_MS} ms (last: ${JSON.stringify(lastBanner)})`
      : `exim did not log "${started}" within ${START_TIMEOUT_MS} ms`,
  };
}

/** The greeting's last line ('' on refusal, silence or a reset); says QUIT before closing. */
function readBanner(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    let text = '';
    let done = false;
    const finish = (line: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (line) socket.end('QUIT\r\n');
      else socket.destroy();
      resolve(line);
    };
    const timer = setTimeout(() => finish(''), BANNER_TIMEOUT_MS);
    socket.setEncoding('latin1');
    socket.on('error', () => finish(''));
    socket.on('close', () => finish(''));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const last = text.split('\r\n').find((line) => /^\d{3} /.test(line));
      if (last !== undefined) finish(last);
    });
  });
}
