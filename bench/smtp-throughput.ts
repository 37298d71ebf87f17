/**
 * SMTP probes per second through BullMQ with 1 and then 2 worker processes, against 20 local
 * smtp-server instances with STARTTLS (a full session each: banner, EHLO, STARTTLS, EHLO, MAIL,
 * RCPT, RSET, QUIT), with each worker's CPU time and peak memory.
 *
 *   node --import tsx bench/smtp-throughput.ts [probes] [servers] [concurrency]
 *
 * Needs Redis (MXOPS_BENCH_REDIS_URL, default redis://127.0.0.1:6379); uses its own key prefix and
 * removes it afterwards.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { SmtpProbeResult } from '../src/diagnosis/smtp-port.js';
import { smtpProbeJobId } from '../src/queue/smtp-probe-jobs.js';
import { BENCH_REDIS_URL, benchQueuePrefix, openBenchQueue } from './bench-queue.js';

const PROBES = Number(process.argv[2] ?? 600);
const SERVERS = Number(process.argv[3] ?? 20);
const CONCURRENCY = Number(process.argv[4] ?? 16);
const tsx = { execArgv: ['--import', 'tsx'] };

interface WorkerReport {
  cpuMs: number;
  peakRssMb: number;
}

async function run(workerCount: number, servers: { address: string; port: number }[], caCert: string) {
  const prefix = benchQueuePrefix();
  const workers: ChildProcess[] = [];
  for (let i = 0; i < workerCount; i++) {
    const child = fork(
      new URL('./smtp-bench-worker.ts', import.meta.url),
      [BENCH_REDIS_URL, prefix, String(CONCURRENCY), caCert],
      tsx,
    );
    workers.push(child);
  }
  await Promise.all(workers.map((w) => once(w, 'message')));

  const { queue, events, close } = await openBenchQueue(prefix);
  let done = 0;
  let failed = 0;
  let rcptOk = 0;
  const finished = new Promise<void>((resolve) => {
    const settle = (): void => void (done + failed === PROBES && resolve());
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
  for (const w of workers) w.disconnect();
  await close();
  return { workerCount, wallMs, perSecond: (done / wallMs) * 1000, done, failed, rcptOk, reports };
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
} finally {
  servers.disconnect();
}
