/**
 * How close a full `mxops check` comes to the floor set by its longest chain of dependent DNS
 * queries, when every answer takes a fixed delay; and the same queries asked one after another.
 *
 *   npm run bench            (or: node --import tsx bench/dns-parallelism.ts [delayMs] [runs])
 *
 * Everything runs on loopback: a resolver and three authoritative servers (test/support's
 * dns-packet server) serving a domain with 3 nameservers and 2 MX hosts, SPF, DMARC and
 * forward-confirmed PTRs, each answer delayed by `delayMs`.
 */
import { performance } from 'node:perf_hooks';
import { diagnose } from '../src/diagnosis/diagnose.js';
import type { DnsClient, DnsQuery, DnsQueryOptions } from '../src/diagnosis/dns-port.js';
import type { LookupSettings } from '../src/diagnosis/dns-lookups.js';
import { createDnsClient } from '../src/net/dns-client.js';
import { startDnsServers, type Zone } from '../test/support/dns-test-server.js';
import { createZoneDnsClient } from '../test/support/zone-dns-client.js';
import { soa, zone } from '../test/fixtures/zones.js';

const DELAY_MS = Number(process.argv[2] ?? 20);
const RUNS = Number(process.argv[3] ?? 7);
const DOMAIN = 'bench.test';
const RESOLVER = '127.0.0.30';
const NAMESERVERS = ['127.0.0.31', '127.0.0.32', '127.0.0.33'];
const MX_ADDRESSES = ['11.22.40.1', '11.22.40.2'];

const ZONES: Zone[] = [
  zone(DOMAIN, [
    soa(),
    ...NAMESERVERS.map((_, i) => ({ name: '@', type: 'NS', data: `ns${i + 1}` })),
    ...NAMESERVERS.map((address, i) => ({ name: `ns${i + 1}`, type: 'A', data: address })),
    ...MX_ADDRESSES.map((_, i) => ({ name: '@', type: 'MX', data: { preference: 10 * (i + 1), exchange: `mx${i + 1}.${DOMAIN}` } })),
    ...MX_ADDRESSES.map((address, i) => ({ name: `mx${i + 1}`, type: 'A', data: address })),
    { name: '@', type: 'TXT', data: 'v=spf1 mx include:_spf.bench.test -all' },
    { name: '_spf', type: 'TXT', data: 'v=spf1 ip4:11.22.41.0/24 -all' },
    { name: '_dmarc', type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:dmarc@bench.test' },
  ]),
  zone('40.22.11.in-addr.arpa', [soa(), { name: '@', type: 'NS', data: `ns1.${DOMAIN}.` }, ...MX_ADDRESSES.map((_, i) => ({ name: String(i + 1), type: 'PTR', data: `mx${i + 1}.${DOMAIN}.` }))]),
  zone('test', [soa()]),
];

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
  const fakeServers = Object.fromEntries([RESOLVER, ...NAMESERVERS].map((address) => [address, { zones: ZONES }]));
  const counter = roundCounter(createZoneDnsClient(fakeServers));
  const countingSettings: LookupSettings = { resolver: { host: RESOLVER, port: 53 }, authoritativePort: 53, queryOptions: { timeoutMs: 2000, retries: 0 } };
  const dry = await diagnose(DOMAIN, { dns: counter, lookup: countingSettings, now: () => performance.now() });
  const chain = counter.rounds();

  const network = await startDnsServers([RESOLVER, ...NAMESERVERS].map((address) => ({ address, zones: ZONES, behaviour: { delayMs: DELAY_MS } })));
  try {
    const settings: LookupSettings = { resolver: { host: RESOLVER, port: network.port }, authoritativePort: network.port, queryOptions: { timeoutMs: 2000, retries: 0 } };
    const client = createDnsClient();
    const parallel: number[] = [];
    let sent: DnsQuery[] = [];
    let status = '';
    for (let run = 0; run < RUNS; run++) {
      const log: DnsQuery[] = [];
      const started = performance.now();
      const report = await diagnose(DOMAIN, { dns: recording(client, log), lookup: settings, now: () => performance.now() });
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
    console.log(`answer delay ${DELAY_MS} ms; ${sent.length} queries per check; longest dependent chain ${chain} queries -> floor ${floor} ms`);
    console.log(`concurrent (mxops):  median ${parallelMs.toFixed(1)} ms over ${RUNS} runs  ratio ${(parallelMs / floor).toFixed(2)}`);
    console.log(`one after another:   median ${serialMs.toFixed(1)} ms over ${serial.length} runs  ratio ${(serialMs / floor).toFixed(2)}`);
    console.log(`speed-up ${(serialMs / parallelMs).toFixed(1)}x`);
  } finally {
    await network.close();
  }
}

await main();
