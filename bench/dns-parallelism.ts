/**
 * How close a full `mxops check` comes to the floor set by its longest chain of dependent DNS
 * queries, when every answer takes a fixed delay; and the same queries asked one after another.
 *
 *   npm run bench            (or: node --import tsx bench/dns-parallelism.ts [delayMs] [runs])
 *
 * Everything runs on loopback: a resolver and three authoritative servers (test/support's
 * dns-packet server, in a child process) serving a domain with 3 nameservers and 2 MX hosts,
 * SPF, DMARC and forward-confirmed PTRs (bench-zones.ts), each answer delayed by `delayMs`.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parseCheckTarget } from '../src/diagnosis/check-target.js';
import { diagnose } from '../src/diagnosis/diagnose.js';
import type { DnsClient, DnsQuery, DnsQueryOptions } from '../src/diagnosis/dns-port.js';
import type { LookupSettings } from '../src/diagnosis/dns-lookups.js';
import { createDnsClient } from '../src/net/dns-client.js';
import { createZoneDnsClient } from '../test/support/zone-dns-client.js';
import { BENCH_SERVERS, BENCH_ZONES, DOMAIN, RESOLVER } from './bench-zones.js';
import { loopbackLookup } from '../test/support/loopback-lookup.js';

const DELAY_MS = Number(process.argv[2] ?? 20);
const RUNS = Number(process.argv[3] ?? 7);
/** Records every query a run sends, so the serial baseline replays exactly the same ones. */
function recording(inner: DnsClient, log: DnsQuery[]): DnsClient {
  return { query: (query, options) => (log.push(query), inner.query(query, options)) };
}

/**
 * Answers in rounds: queries wait until no new one has come for a few milliseconds, then the
 * whole batch is answered (from the same zones, in memory). The number of rounds is the longest
 * chain of queries that each needed an earlier answer, whatever the machine's timing.
 */
function roundCounter(inner: DnsClient): DnsClient & { rounds(): number } {
  let rounds = 0;
  let batch: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    rounds++;
    const now = batch;
    batch = [];
    for (const release of now) release();
  };
  return {
    rounds: () => rounds,
    query: (query: DnsQuery, options: DnsQueryOptions) =>
      new Promise((resolve, reject) => {
        batch.push(() => void inner.query(query, options).then(resolve, reject));
        clearTimeout(timer);
        timer = setTimeout(flush, 5);
      }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const fakeServers = Object.fromEntries(BENCH_SERVERS.map((address) => [address, { zones: BENCH_ZONES }]));
  const counter = roundCounter(createZoneDnsClient(fakeServers));
  const countingSettings: LookupSettings = loopbackLookup(RESOLVER, 53, 2000);
  const dry = await diagnose(parseCheckTarget(DOMAIN), {
    dns: counter,
    lookup: countingSettings,
    now: () => performance.now(),
  });
  const chain = counter.rounds();

  // The servers run in a child process, on their own event loop, as remote servers would.
  const servers = fork(new URL('./delayed-servers.ts', import.meta.url), [String(DELAY_MS)], {
    execArgv: ['--import', 'tsx'],
  });
  const [{ port }] = (await once(servers, 'message')) as [{ port: number }];
  try {
    const settings: LookupSettings = loopbackLookup(RESOLVER, port, 2000);
    const client = createDnsClient();
    const parallel: number[] = [];
    let sent: DnsQuery[] = [];
    let status = '';
    for (let run = 0; run < RUNS; run++) {
      const log: DnsQuery[] = [];
      const started = performance.now();
      const report = await diagnose(parseCheckTarget(DOMAIN), {
        dns: recording(client, log),
        lookup: settings,
        now: () => performance.now(),
      });
      parallel.push(performance.now() - started);
      sent = log;
      status = `${report.status}, ${report.findings.length} findings`;
    }
    const serial: number[] = [];
    for (let run = 0; run < Math.min(RUNS, 3); run++) {
      const started = performance.now();
      for (const query of sent) await client.query(query, settings.queryOptions).catch(() => undefined);
      serial.push(performance.now() - started);
    }
    const floor = chain * DELAY_MS;
    const parallelMs = median(parallel);
    const serialMs = median(serial);
    console.log(`domain ${DOMAIN}: 3 nameservers, 2 MX hosts; report ${status} (dry run: ${dry.status})`);
    console.log(
      `answer delay ${DELAY_MS} ms; ${sent.length} queries per check; longest dependent chain ${chain} queries -> floor ${floor} ms`,
    );
    console.log(
      `concurrent (mxops):  median ${parallelMs.toFixed(1)} ms over ${RUNS} runs  ratio ${(parallelMs / floor).toFixed(2)}`,
    );
    console.log(
      `one after another:   median ${serialMs.toFixed(1)} ms over ${serial.length} runs  ratio ${(serialMs / floor).toFixed(2)}`,
    );
    console.log(`speed-up ${(serialMs / parallelMs).toFixed(1)}x`);
  } finally {
    servers.disconnect();
  }
}

await main();
