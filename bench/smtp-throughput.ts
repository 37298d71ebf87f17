/**
 * SMTP probes per second through BullMQ with 1 and then 2 worker processes, against 20 local
 * smtp-server instances with STARTTLS (a full session each: banner, EHLO, STARTTLS, EHLO, MAIL,
 * RCPT, RSET, QUIT), with each worker's CPU time and peak memory.
 *
 *   node --import tsx bench/smtp-throughput.ts [probes] [servers] [concurrency]
 *   BENCH_SMOKE=1 node --import tsx bench/smtp-throughput.ts   (200 probes, 20 servers; limits below)
 *
 * Needs Redis (MXOPS_REDIS_URL, default redis://127.0.0.1:6379); uses its own key prefix and
 * removes it afterwards.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { SmtpProbeResult } from '../src/diagnosis/smtp-port.js';
import { smtpProbeJobId } from '../src/queue/smtp-probe-jobs.js';
import {
  BENCH_REDIS_URL,
  type BenchQueue,
  benchQueuePrefix,
  openBenchQueue,
  undoQueueOnInterrupt,
} from './bench-queue.js';
import { checkGoal, checkThat, SMOKE } from './smoke.js';

// Smoke: 200 probes keep each pass at 2-4 s even with the other core busy, long enough that the
// workers' start-up and the last stragglers do not decide the rate; 20 servers as in the figures
// (2026-11-26) the limits below come from.
const PROBES = SMOKE ? 200 : Number(process.argv[2] ?? 600);
const SERVERS = SMOKE ? 20 : Number(process.argv[3] ?? 20);
const CONCURRENCY = SMOKE ? 16 : Number(process.argv[4] ?? 16);
const tsx = { execArgv: ['--import', 'tsx'] };
/** A lost probe must end the run, not hang it: far past any pass measured (600 probes in 7 s). */
const FINISH_DEADLINE_MS = 30_000 + PROBES * 100;
/** Figures (2026-11-26, 20 servers): one worker's CPU per probe (4.06 s / 600). */
const RECORDED = { cpuPerProbeMs: 6.8 };

interface WorkerReport {
  cpuMs: number;
  peakRssMb: number;
}

async function run(workerCount: number, servers: { address: string; port: number }[], caCert: string) {
  const prefix = benchQueuePrefix();
  const workers = Array.from({ length: workerCount }, () =>
    fork(
      new URL('./smtp-bench-worker.ts', import.meta.url),
      [BENCH_REDIS_URL, prefix, String(CONCURRENCY), caCert],
      tsx,
    ),
  );
  const forget = undoQueueOnInterrupt(prefix, workers);
  let bench: BenchQueue | undefined;
  try {
    await Promise.all(workers.map((w) => once(w, 'message')));
    bench = await openBenchQueue(prefix);
    return { workerCount, ...(await measure(bench, workers, servers)) };
  } finally {
    // The workers exit when their IPC channel closes; close() drops every key under the prefix.
    for (const w of workers) if (w.connected) w.disconnect();
    await bench?.close();
    forget();
  }
}

/** PROBES probes through the queue to the running workers: the rate, and each worker's CPU and memory. */
async function measure(
  { queue, events }: BenchQueue,
  workers: readonly ChildProcess[],
  servers: { address: string; port: number }[],
) {
  let done = 0;
  let failed = 0;
  let rcptOk = 0;
  const finished = new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`${done} done and ${failed} failed of ${PROBES} probes after ${FINISH_DEADLINE_MS} ms`)),
      FINISH_DEADLINE_MS,
    );
    const settle = (): void => {
      if (done + failed < PROBES) return;
      clearTimeout(deadline);
      resolve();
    };
    events.on('completed', ({ returnvalue }) => {
      done++;
      if ((returnvalue as unknown as SmtpProbeResult).rcpt?.code === 250) rcptOk++;
      settle();
    });
    events.on('failed', () => {
      failed++;
      settle();
    });
  });
  const started = performance.now();
  const jobs = Array.from({ length: PROBES }, (_, i) => {
    const server = servers[i % servers.length]!;
    const request = {
      mxHost: 'mx.bench.test',
      address: server.address,
      port: server.port,
      heloName: 'probe.mxops.test',
      mailFrom: '',
      recipient: `user${i}@bench.test`,
    };
    return {
      name: 'probe',
      data: { request },
      opts: { jobId: smtpProbeJobId(request), removeOnComplete: true, removeOnFail: true },
    };
  });
  await queue.addBulk(jobs);
  await finished;
  const wallMs = performance.now() - started;

  const reports = await Promise.all(
    workers.map(async (w) => {
      const reply = once(w, 'message');
      w.send({ report: true });
      return (await reply)[0] as WorkerReport;
    }),
  );
  return { wallMs, perSecond: (done / wallMs) * 1000, done, failed, rcptOk, reports };
}

/**
 * Smoke limits, each at twice the recorded figure. CPU time rather than probes a second for the
 * cost: the rate on 2 cores shared with other work fell to 50-60 probes/s (88 recorded), while CPU
 * per probe does not depend on who else runs. The ratio is what the jittered retry for a busy
 * destination bought (a fixed 2 s wait gave 0.28x); measured 0.78-0.95x at load 6-9.
 */
function checkSmokeGoals(results: Awaited<ReturnType<typeof run>>[]): void {
  for (const r of results)
    checkThat(`${r.workerCount} worker(s): all ${PROBES} probes done with RCPT 250`, r.rcptOk === PROBES);
  const [one, two] = results;
  const [worker] = one?.reports ?? [];
  checkGoal({
    what: 'one worker, CPU per probe',
    value: worker && one ? worker.cpuMs / one.done : NaN,
    unit: ' ms',
    atMost: 2 * RECORDED.cpuPerProbeMs,
    why: `twice the ${RECORDED.cpuPerProbeMs} ms recorded`,
  });
  // What a second worker adds is not checked here: with 20 servers the per-destination lock is the
  // limit (1.13x recorded), and on a CI machine whose other core is busy a second worker has no core
  // of its own (0.64-0.95x measured at load 6-11). The full run reports the ratio.
  console.log(
    `2 workers / 1 worker, probes per second: ${one && two ? (two.perSecond / one.perSecond).toFixed(2) : '-'}x`,
  );
}

const servers = fork(new URL('./smtp-servers.ts', import.meta.url), [String(SERVERS)], tsx);
const [ready] = (await once(servers, 'message')) as [{ servers: { address: string; port: number }[]; caCert: string }];
try {
  const results = [];
  for (const workerCount of [1, 2]) results.push(await run(workerCount, ready.servers, ready.caCert));
  console.log(
    `${PROBES} probes (STARTTLS, full session) over ${SERVERS} local servers, concurrency ${CONCURRENCY} per worker, one connection per address at a time`,
  );
  for (const r of results) {
    const cpu = r.reports
      .map((w) => `${(w.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${w.peakRssMb.toFixed(0)} MB`)
      .join('; ');
    console.log(
      `${r.workerCount} worker${r.workerCount === 1 ? ' ' : 's'}: ${r.perSecond.toFixed(1)} probes/s (${(r.wallMs / 1000).toFixed(2)} s, ${r.done} done, ${r.failed} failed, ${r.rcptOk} RCPT 250)  [${cpu}]`,
    );
  }
  const [one, two] = results;
  if (one && two) console.log(`2 workers / 1 worker: ${(two.perSecond / one.perSecond).toFixed(2)}x`);
  if (SMOKE) checkSmokeGoals(results);
} finally {
  servers.disconnect();
}
