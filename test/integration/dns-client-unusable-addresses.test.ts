/**
 * A partner's NS address can be anything: broadcast, unspecified, multicast, reserved. None of them
 * may take the process down (one /mailcheck used to kill `mxops start`): every socket failure,
 * thrown or emitted, before or after the connect, must reject the query with a DNS_* AppError.
 *
 * The loopback guard stops every non-loopback address with a throw from connect(), before the
 * kernel sees it, so the addresses are tested three ways:
 * - 127.255.255.255, loopback's own broadcast address, passes the guard and draws the kernel's
 *   real refusals (EACCES on a UDP connect, ENETUNREACH on a TCP one), as 255.255.255.255 does;
 * - the addresses whose refusal the local kernel decides, with nothing put on the wire, go
 *   through real sockets in a child process that the guard is not loaded into;
 * - every address on both transports in this process, where the guard's throw stands for any
 *   connect that throws (a port out of range). 224.0.0.1 over UDP and 240.0.0.0/4 would leave the
 *   machine, so they never reach a real socket here.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeRefusedAttempts, unguardedEnv } from '../support/loopback-guard.js';
import type { DnsQuery } from '../../src/diagnosis/dns-port.js';
import { AppError } from '../../src/errors.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { freePort } from '../support/wait.js';

const UNUSABLE = ['255.255.255.255', '0.0.0.0', '224.0.0.1', '::ffff:255.255.255.255', '240.0.0.1'] as const;
const TRANSPORTS = ['udp', 'tcp'] as const;
/** Long enough that a refusal reported as a time-out stands out from one reported at once. */
const OPTIONS = { timeoutMs: 3_000, retries: 0 };
const PROMPT_MS = 1_000;
const ROOT = path.resolve(import.meta.dirname, '../..');

const ask = (host: string, port: number, transport: 'udp' | 'tcp'): DnsQuery => ({
  server: { host, port },
  name: 'partner.test',
  type: 'A',
  transport,
  edns: false,
});

interface Outcome {
  readonly label: string;
  readonly code: string | undefined;
  readonly appError: boolean;
  readonly ms: number;
}

describe('DNS client facing addresses that cannot be a DNS server', () => {
  const escaped: string[] = [];
  const record = (kind: string) => (error: unknown) =>
    escaped.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
  const uncaught = record('uncaughtException');
  const unhandled = record('unhandledRejection');
  const client = createDnsClient();

  beforeEach(() => {
    escaped.length = 0;
    process.on('uncaughtException', uncaught);
    process.on('unhandledRejection', unhandled);
  });
  afterEach(() => {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', unhandled);
  });

  const outcome = async (query: DnsQuery): Promise<Outcome> => {
    const started = performance.now();
    const error: unknown = await client.query(query, OPTIONS).then(
      (reply) => new Error(`resolved with ${reply.rcode}`),
      (rejected: unknown) => rejected,
    );
    return {
      label: `${query.transport} ${query.server.host}`,
      code: error instanceof AppError ? error.code : undefined,
      appError: error instanceof AppError,
      ms: performance.now() - started,
    };
  };
  /** Late errors (a send after a failed connect) arrive on later ticks: give them the time to. */
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

  it.each(TRANSPORTS)('rejects at once over %s when the kernel refuses a broadcast address', async (transport) => {
    const result = await outcome(ask('127.255.255.255', 53, transport));
    await settle();
    expect(result).toMatchObject({ appError: true, code: 'DNS_NETWORK' });
    expect(result.ms).toBeLessThan(PROMPT_MS);
    expect(escaped).toEqual([]);
  });

  it('rejects at once for the real broadcast, mapped broadcast, multicast (TCP) and unspecified addresses', async () => {
    // 0.0.0.0 reaches this machine: a closed port makes the answer the same on a host that runs a resolver.
    const closed = await freePort();
    const queries = [
      ...TRANSPORTS.flatMap((transport) =>
        ['255.255.255.255', '::ffff:255.255.255.255'].map((host) => ask(host, 53, transport)),
      ),
      ask('224.0.0.1', 53, 'tcp'),
      ...TRANSPORTS.map((transport) => ask('0.0.0.0', closed, transport)),
    ];
    const script = `
      import { AppError } from ${JSON.stringify(path.join(ROOT, 'src/errors.ts'))};
      import { createDnsClient } from ${JSON.stringify(path.join(ROOT, 'src/net/dns-client.ts'))};
      const escaped = [];
      process.on('uncaughtException', (error) => escaped.push('uncaughtException: ' + error.message));
      process.on('unhandledRejection', (error) => escaped.push('unhandledRejection: ' + String(error)));
      const client = createDnsClient();
      const outcomes = [];
      for (const query of ${JSON.stringify(queries)}) {
        const started = performance.now();
        const error = await client.query(query, ${JSON.stringify(OPTIONS)}).then((reply) => new Error('resolved with ' + reply.rcode), (rejected) => rejected);
        outcomes.push({ label: query.transport + ' ' + query.server.host, code: error instanceof AppError ? error.code : undefined, appError: error instanceof AppError, ms: performance.now() - started });
      }
      setTimeout(() => console.log(JSON.stringify({ outcomes, escaped })), 100);
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      // The kernel's own refusals are the point here: the guard, loaded into children otherwise, stays out.
      { cwd: ROOT, timeout: 15_000, env: unguardedEnv() },
    );
    const report = JSON.parse(stdout) as { outcomes: Outcome[]; escaped: string[] };

    expect(report.escaped).toEqual([]);
    expect(report.outcomes).toHaveLength(queries.length);
    for (const result of report.outcomes) {
      expect(result, result.label).toMatchObject({ appError: true, code: expect.stringMatching(/^DNS_/) });
      expect(result.ms, result.label).toBeLessThan(PROMPT_MS);
    }
  });

  it.each(TRANSPORTS.flatMap((transport) => UNUSABLE.map((host) => [transport, host] as const)))(
    'rejects over %s to %s when the connect throws',
    async (transport, host) => {
      const result = await outcome(ask(host, 53, transport));
      await settle();
      // The guard refused on purpose here (its throw stands for a connect that throws): forgive it.
      expect(takeRefusedAttempts()).toEqual([expect.stringContaining(host)]);
      expect(result).toMatchObject({ appError: true, code: expect.stringMatching(/^DNS_/) });
      expect(result.ms).toBeLessThan(PROMPT_MS);
      expect(escaped).toEqual([]);
    },
  );
});
