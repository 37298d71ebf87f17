/**
 * SMTP servers on loopback for integration tests: smtp-server (nodemailer's) for everything a
 * well-behaved MX does, with STARTTLS certificates made at test time, and a plain net.Server for
 * the hostile behaviours smtp-server will not produce.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

const run = promisify(execFile);

export interface TestKeyPair {
  readonly key: string;
  /** PEM; the leaf first, then any intermediate or CA the server should send with it. */
  readonly cert: string;
}

export interface TestPki {
  /** The test CA, PEM: give it to the prober as `trustedCa`. */
  readonly caCert: string;
  /** Leaf for the host, issued by the test CA, served with the CA behind it. */
  readonly valid: TestKeyPair;
  /** Leaf for another host, issued by the test CA. */
  readonly wrongName: TestKeyPair;
  /** Leaf for the host, issued by the test CA, expired in 2020. */
  readonly expired: TestKeyPair;
  /** Leaf for the host, signed by its own key. */
  readonly selfSigned: TestKeyPair;
}

/** `openssl ca` rather than `x509 -req`: OpenSSL 3.0 (Debian 12) can back-date only through `ca`'s -startdate/-enddate. */
const CA_CONFIG = `
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = .
certificate = ca.pem
private_key = ca.key
rand_serial = yes
default_md = sha256
default_days = 2
policy = any_name
unique_subject = no
copy_extensions = none
[any_name]
commonName = supplied
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * A throwaway CA and leaves for `host`, made with the openssl CLI (present wherever Debian is,
 * CI included) so the tests need no certificate library and can say exactly what each
 * certificate is. EC P-256 keys keep it to a few tens of milliseconds.
 */
export async function createTestPki(host: string, otherHost = `other.${host}`): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'mxops-pki-'));
  const openssl = (args: string[], san = host) => run('openssl', args, { cwd: dir, env: { ...process.env, SAN: san } });
  const read = (name: string) => readFile(join(dir, name), 'utf8');
  const issue = async (name: string, cn: string, dates: string[]): Promise<TestKeyPair> => {
    await openssl(['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    await openssl(
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-extensions',
        'leaf',
        '-notext',
        '-in',
        `${name}.csr`,
        '-out',
        `${name}.pem`,
        ...dates,
      ],
      cn,
    );
    return { key: await read(`${name}.key`), cert: await read(`${name}.pem`) };
  };
  try {
    await writeFile(join(dir, 'ca.cnf'), CA_CONFIG);
    await writeFile(join(dir, 'index.txt'), '');
    await openssl([
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=mxops test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const caCert = await read('ca.pem');
    const valid = await issue('valid', host, []);
    const wrongName = await issue('wrong-name', otherHost, []);
    const expired = await issue('expired', host, ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z']);
    await openssl([
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'self.key',
      '-out',
      'self.pem',
      '-days',
      '2',
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host}`,
    ]);
    const selfSigned = { key: await read('self.key'), cert: await read('self.pem') };
    return { caCert, valid: { key: valid.key, cert: valid.cert + caCert }, wrongName, expired, selfSigned };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface SmtpServerSpec {
  /** A loopback address; 127.0.0.1 unless set. */
  readonly address?: string;
  /** 0 (any free port) unless set. */
  readonly port?: number;
  /** The name in the banner and EHLO reply. */
  readonly name?: string;
  /** Offer STARTTLS with this certificate; without one, the server has no STARTTLS at all. */
  readonly certificate?: TestKeyPair;
  /** How long the greeting waits, on top of smtp-server's own 100 ms early-talker pause. */
  readonly bannerDelayMs?: number;
  /** 'reject': 550 user unknown; 'greylist': 451 try again later. */
  readonly rcpt?: 'accept' | 'reject' | 'greylist';
  /**
   * Greets with 421 and closes: `true`, as a server does to a client it has too many connections
   * from; a string, with that text (a server turning every client away).
   */
  readonly refuseAtConnect?: boolean | string;
}

export interface TestSmtpServer {
  readonly address: string;
  readonly port: number;
  /** TCP connections accepted. */
  readonly connections: () => number;
  /** Command lines the server received, as its own log tells them. */
  readonly commands: string[];
  close(): Promise<void>;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export async function startSmtpServer(spec: SmtpServerSpec = {}): Promise<TestSmtpServer> {
  const address = spec.address ?? '127.0.0.1';
  const commands: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  const options: SMTPServerOptions = {
    name: spec.name ?? 'mx.partner.test',
    // A real MX on port 25 offers no AUTH; with it, smtp-server would answer MAIL with 530.
    disabledCommands: spec.certificate ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(spec.certificate ?? {}),
    // The reverse lookup of 127.0.0.x would go to the system resolver, beyond loopback.
    disableReverseLookup: true,
    closeTimeout: 200,
    // Its debug log is the one place smtp-server tells each command line it received.
    logger: {
      debug: (_entry: unknown, message: unknown, line: unknown) => {
        if (message === 'C:') commands.push(String(line));
      },
    } as unknown as SMTPServerOptions['logger'],
    onConnect(_session, callback) {
      if (typeof spec.refuseAtConnect === 'string') return callback(smtpError(spec.refuseAtConnect, 421));
      if (spec.refuseAtConnect)
        return callback(smtpError('mx.partner.test Too many connections from your host, try again later', 421));
      if (!spec.bannerDelayMs) return callback();
      // smtp-server has no banner delay option; holding back onConnect's answer holds back the greeting.
      const timer = setTimeout(() => {
        timers.delete(timer);
        callback();
      }, spec.bannerDelayMs);
      timers.add(timer);
    },
    onRcptTo(_address, _session, callback) {
      if (spec.rcpt === 'reject') return callback(smtpError('5.1.1 No such user here', 550));
      if (spec.rcpt === 'greylist') return callback(smtpError('4.7.1 Greylisted, please try again later', 451));
      callback();
    },
  };
  const server = new SMTPServer(options);
  // Client resets (every probe that gives up) surface here; without a listener they would crash the run.
  server.on('error', () => undefined);
  server.server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(spec.port ?? 0, address, () => resolve());
  });
  const bound = server.server.address() as net.AddressInfo;
  return {
    address,
    port: bound.port,
    connections: () => connections,
    commands,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type RawHandler = (socket: net.Socket) => void;

export interface TestRawServer {
  readonly address: string;
  readonly port: number;
  readonly connections: () => number;
  close(): Promise<void>;
}

/** A bare TCP server whose every connection goes to `handler`, for behaviour no real MTA shows on purpose. */
export async function startRawSmtpServer(handler: RawHandler, address = '127.0.0.1'): Promise<TestRawServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    handler(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const bound = server.address() as net.AddressInfo;
  return {
    address,
    port: bound.port,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `chunk` for as long as the client reads, at the pace it reads. */
function flood(socket: net.Socket, chunk: string): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.write(chunk));
  };
  socket.on('drain', pump);
  pump();
}

/** One line that never ends: no CR, no LF. */
export const endlessLine: RawHandler = (socket) => flood(socket, 'A'.repeat(1024));

/** A greeting that never ends: `220-` lines for ever, never the `220 ` that closes it. */
export const endlessMultilineGreeting: RawHandler = (socket) =>
  flood(socket, '220-mx.partner.test still greeting you\r\n'.repeat(32));

/** Accepts the connection and never says a word. */
export const silent: RawHandler = () => undefined;

/** A reply line (sent with CRLF), or the whole behaviour for that command (no more commands are read after it). */
export type ScriptedAnswer = string | ((socket: net.Socket) => void);

/**
 * Greets, then answers each command by its verb from `answers` (one reply per command, which
 * is all a client that does not pipeline needs), 500 for verbs not listed; closes after QUIT.
 */
export function scripted(greeting: string, answers: Readonly<Record<string, ScriptedAnswer>>): RawHandler {
  return (socket) => {
    socket.write(`${greeting}\r\n`);
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const lines = (pending + chunk.toString('latin1')).split('\r\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const verb = (line.split(/[ :]/)[0] ?? '').toUpperCase();
        const answer = answers[verb] ?? '500 5.5.1 command not recognized';
        if (typeof answer === 'function') {
          socket.off('data', onData);
          return answer(socket);
        }
        socket.write(`${answer}\r\n`);
        if (verb === 'QUIT' || answer.startsWith('421')) return void socket.end();
      }
    };
    socket.on('data', onData);
  };
}

/**
 * Starts one server per spec on the same free port, each on its own loopback address, because a
 * check connects to every MX address on one SMTP port (25 on the internet).
 */
export async function startSmtpServers(
  specs: readonly (SmtpServerSpec & { address: string })[],
): Promise<{ port: number; servers: TestSmtpServer[]; close(): Promise<void> }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const started: TestSmtpServer[] = [];
    try {
      for (const spec of specs) started.push(await startSmtpServer({ ...spec, port }));
      return { port, servers: started, close: async () => void (await Promise.all(started.map((s) => s.close()))) };
    } catch (error) {
      await Promise.all(started.map((s) => s.close()));
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('no free port for the test SMTP servers after 20 tries');
}
