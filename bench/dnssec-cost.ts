/**
 * What DNSSEC validation costs a full `mxops check` of a typical signed domain: the longest chain
 * of dependent queries, the queries sent, and the wall time when every answer takes a fixed delay,
 * with the trust anchor (validation on) and without one (no anchor applies, so validation asks
 * nothing), on the same signed zones and servers (signed-bench-zones.ts).
 *
 *   node --import tsx bench/dnssec-cost.ts [delayMs] [runs] [--rounds]
 *   node --import tsx bench/dns-parallelism.ts [delayMs] [runs] --signed     (the same)
 *
 * The chain is counted as dns-parallelism.ts counts it (test/support/round-counter.ts), on answers Knot gave in
 * a first run and replayed from memory; `--rounds` prints each round's queries, the DNSSEC ones
 * (DO bit) marked, to see where validation waits.
 */
import { systemClock } from '../src/clock.js';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parseCheckTarget } from '../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../src/diagnosis/diagnose.js';
import type { LookupSettings } from '../src/diagnosis/dns-lookups.js';
import type { DnsClient, DnsQuery } from '../src/diagnosis/dns-port.js';
import { parseTrustAnchors } from '../src/diagnosis/dnssec/trust-anchors.js';
import { createDnsClient } from '../src/net/dns-client.js';
import { startKnot, type RunningKnot } from '../test/support/knot-server.js';
import { loopbackLookup } from '../test/support/loopback-lookup.js';
import { DOMAIN, RESOLVER } from './bench-zones.js';
import type { ForwarderPlan } from './delayed-forwarders.js';
import { median } from './median.js';
import { rememberingClient, roundCounter } from '../test/support/round-counter.js';
import { ROOT, signedBench } from './signed-bench-zones.js';

interface Mode {
  readonly name: string;
  readonly settings: LookupSettings;
}

interface Measured {
  readonly queries: number;
  readonly chain: number;
  readonly rounds: readonly DnsQuery[][];
  readonly wallMs: number[];
  readonly dnssec: string;
}

export async function measureDnssecCost(delayMs: number, runs: number, showRounds: boolean): Promise<void> {
  const bench = signedBench();
  const knots: RunningKnot[] = [];
  let forwarders: ReturnType<typeof fork> | undefined;
  try {
    for (const server of bench.servers)
      knots.push(
        await startKnot({ address: server.upstream, port: knots[0]?.port, zones: server.zones.map((z) => ({ ...z })) }),
      );
    const port = (knots[0] as RunningKnot).port;
    const plan: ForwarderPlan = {
      delayMs,
      port,
      forwarders: bench.servers.flatMap((s) => s.publicAddresses.map((address) => ({ address, upstream: s.upstream }))),
    };
    // The forwarders run in a child process, on their own event loop, as remote servers would.
    forwarders = fork(new URL('./delayed-forwarders.ts', import.meta.url), [JSON.stringify(plan)], {
      execArgv: ['--import', 'tsx'],
    });
    await once(forwarders, 'message');
    const lookup = (trustAnchors: LookupSettings['trustAnchors']): LookupSettings =>
      loopbackLookup(RESOLVER, port, 2000, { rootHints: [{ host: 'a.root.test', address: ROOT }], trustAnchors });
    const modes: Mode[] = [
      { name: 'validation off (no anchor applies)', settings: lookup([]) },
      { name: 'validation on (the root anchor)', settings: lookup(parseTrustAnchors(bench.anchor, 'bench root')) },
    ];
    const results = new Map<string, Measured>();
    for (const mode of modes) results.set(mode.name, await countChain(mode));
    const client = createDnsClient();
    for (let run = 0; run < runs; run++) {
      for (const mode of modes) {
        const started = performance.now();
        await check(client, mode.settings);
        results.get(mode.name)?.wallMs.push(performance.now() - started);
      }
    }
    report(delayMs, modes, results, showRounds);
  } finally {
    forwarders?.disconnect();
    for (const knot of knots.reverse()) await knot.stop();
  }
}

function check(dns: DnsClient, lookup: LookupSettings): Promise<DiagnosisReport> {
  return diagnose(parseCheckTarget(DOMAIN), { dns, lookup, clock: systemClock });
}

/** One run against the servers to learn their answers, then the same run from memory, in rounds. */
async function countChain(mode: Mode): Promise<Measured> {
  const remembered = rememberingClient(createDnsClient());
  await check(remembered, mode.settings);
  const counter = roundCounter(remembered);
  const counted = await check(counter, mode.settings);
  const dnssec = counted.findings.filter((f) => f.id.startsWith('dnssec.')).map((f) => f.id);
  return {
    queries: counted.queriesSent,
    chain: counter.rounds(),
    rounds: counter.log(),
    wallMs: [],
    dnssec: [...new Set(dnssec)].join(', '),
  };
}

function report(delayMs: number, modes: readonly Mode[], results: Map<string, Measured>, showRounds: boolean): void {
  console.log(
    `${DOMAIN} signed (ECDSAP256SHA256, NSEC3) under a signed test. and root, 3 nameservers, 2 MX hosts; answer delay ${delayMs} ms`,
  );
  for (const mode of modes) {
    const m = results.get(mode.name) as Measured;
    const wall = median(m.wallMs);
    console.log(
      `${mode.name.padEnd(36)} ${String(m.queries).padStart(4)} queries  chain ${m.chain} -> floor ${m.chain * delayMs} ms  median ${wall.toFixed(1)} ms over ${m.wallMs.length} runs (ratio ${(wall / (m.chain * delayMs)).toFixed(2)})  ${m.dnssec}`,
    );
  }
  const [off, on] = modes.map((mode) => results.get(mode.name) as Measured) as [Measured, Measured];
  console.log(
    `validation adds ${on.queries - off.queries} queries, ${on.chain - off.chain} rounds, ${(median(on.wallMs) - median(off.wallMs)).toFixed(1)} ms`,
  );
  if (!showRounds) return;
  on.rounds.forEach((round, i) => {
    const line = round.map((q) => `${q.edns && q.edns.dnssecOk ? '*' : ''}${q.type} ${q.name || '.'}@${q.server.host}`);
    console.log(`round ${i + 1} (${round.length}): ${line.join(', ')}`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  await measureDnssecCost(Number(args[0] ?? 20), Number(args[1] ?? 7), process.argv.includes('--rounds'));
}
