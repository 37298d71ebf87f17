/**
 * Child process of round-trips.ts: runs `mxops check bench.test --allow-private` in this process
 * the way src/cli/run-check.ts does (loadConfig, checkDeps, runCheckCommand; the history store
 * after the output is left out), once per message, with the environment the message carries.
 * round-trips.ts starts it with NODE_EXTRA_CA_CERTS naming the test CA, as an operator trusts a
 * private CA, so the SMTP prober is mxops's own, unchanged.
 *
 * Replies with the wall time and when each step happened, in ms from the start of the check:
 * DNS queries are timed through a wrapper around the client, SMTP sessions from the prober's
 * own transcript (each line's time since the session began) and a wrapper giving the start.
 */
import { performance } from 'node:perf_hooks';
import { runCheckCommand, type CheckCommandDeps } from '../commands/check.js';
import type { DnsClient } from '../src/diagnosis/dns-port.js';
import type { SmtpProbeResult, SmtpProber } from '../src/diagnosis/smtp-port.js';
import { checkDeps } from '../src/cli/check-deps.js';
import { loadConfig } from '../src/config.js';
import { DOMAIN } from './bench-zones.js';

export interface CheckRequest {
  readonly env: Record<string, string>;
}

export interface SessionTimeline {
  readonly host: string;
  readonly address: string;
  readonly startedMs: number;
  /** The prober's connect resolved (at once on loopback: see delaying-proxy.ts). */
  readonly connectedMs: number;
  /** The greeting read: EHLO goes out. */
  readonly greetedMs: number;
  /** The TLS handshake done: the second EHLO goes out. */
  readonly tlsMs: number | undefined;
  /** RCPT answered: the next command goes out. */
  readonly rcptMs: number | undefined;
  readonly endedMs: number;
  /** Commands sent, each one a round trip of its own (mxops does not pipeline). */
  readonly commands: readonly string[];
}

export interface RunTimeline {
  readonly wallMs: number;
  /** Report status, and the findings worse than info, for a reader to see the domain is healthy. */
  readonly status: string;
  readonly notable: readonly string[];
  readonly dnsQueries: number;
  readonly dnsTcpQueries: number;
  /** What the check did before its first question: anything here holds up every round trip. */
  readonly dnsFirstQueryMs: number;
  readonly dnsLastAnswerMs: number;
  readonly sessions: readonly SessionTimeline[];
}

/** Times every query: the first one sent is when the diagnosis began, the last answer when DNS was done. */
function timedDns(inner: DnsClient, sentAt: number[], answeredAt: number[], transports: string[]): DnsClient {
  return {
    query: (query, options) => {
      sentAt.push(performance.now());
      transports.push(query.transport);
      return inner.query(query, options).finally(() => answeredAt.push(performance.now()));
    },
  };
}

interface TimedProbe {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly result: SmtpProbeResult;
}

function timedProber(inner: SmtpProber, sessions: TimedProbe[]): SmtpProber {
  return {
    probe: async (request, options) => {
      const startedAt = performance.now();
      const result = await inner.probe(request, options);
      sessions.push({ startedAt, endedAt: performance.now(), result });
      return result;
    },
  };
}

/** When each milestone of a session came, from its transcript: a reply is read when the next command goes out. */
function sessionTimeline({ startedAt, endedAt, result }: TimedProbe, checkStarted: number): SessionTimeline {
  const since = startedAt - checkStarted;
  const sent = result.transcript.filter((line) => line.from === 'C');
  const sentAfter = (verb: string): number | undefined => {
    const at = sent.findIndex((line) => line.text.startsWith(verb));
    const next = at < 0 ? undefined : sent[at + 1];
    return next === undefined ? undefined : since + next.atMs;
  };
  return {
    host: result.request.mxHost,
    address: result.request.address,
    startedMs: since,
    connectedMs: since + (result.connect?.ms ?? NaN),
    greetedMs: since + (sent[0]?.atMs ?? NaN),
    tlsMs: sentAfter('STARTTLS'),
    rcptMs: sentAfter('RCPT'),
    endedMs: endedAt - checkStarted,
    commands: sent.map((line) => line.text.split(/[ :]/)[0] ?? ''),
  };
}

async function runOnce({ env }: CheckRequest): Promise<RunTimeline> {
  const config = loadConfig(env);
  const deps = checkDeps(config, true);
  const sentAt: number[] = [];
  const answeredAt: number[] = [];
  const transports: string[] = [];
  const sessions: TimedProbe[] = [];
  const observed: CheckCommandDeps = {
    ...deps,
    dns: timedDns(deps.dns, sentAt, answeredAt, transports),
    smtpFor: async (input) => {
      const settings = await deps.smtpFor?.(input);
      return settings && { ...settings, prober: timedProber(settings.prober, sessions) };
    },
  };
  const started = performance.now();
  const { report, output } = await runCheckCommand({ domain: DOMAIN, json: false, allowPrivate: true }, observed);
  const wallMs = performance.now() - started;
  if (output.length === 0) throw new Error('the check printed nothing');
  return {
    wallMs,
    status: report.status,
    notable: [
      ...new Set(
        report.findings.filter((f) => ['error', 'fail', 'warn'].includes(f.status)).map((f) => `${f.status} ${f.id}`),
      ),
    ],
    dnsQueries: transports.length,
    dnsTcpQueries: transports.filter((t) => t === 'tcp').length,
    dnsFirstQueryMs: Math.min(...sentAt) - started,
    dnsLastAnswerMs: Math.max(...answeredAt) - started,
    sessions: sessions
      .map((session) => sessionTimeline(session, started))
      .sort((a, b) => a.address.localeCompare(b.address)),
  };
}

process.on('message', (request: CheckRequest) => {
  runOnce(request).then(
    (timeline) => process.send?.({ timeline }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.stack : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
