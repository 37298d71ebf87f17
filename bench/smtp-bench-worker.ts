/**
 * Child process of smtp-throughput.ts: one `mxops worker` equivalent (createSmtpWorker over the
 * real prober) that reports its CPU time and peak memory when asked.
 */
import { createSmtpProber } from '../src/net/smtp-prober.js';
import { createRedisConnection } from '../src/queue/redis-connection.js';
import { createSmtpWorker } from '../src/queue/smtp-worker.js';

const [redisUrl = 'redis://127.0.0.1:6379', prefix = 'mxops-bench', concurrency = '16', caCert = ''] =
  process.argv.slice(2);
const connection = createRedisConnection(redisUrl, 'worker');
const worker = createSmtpWorker({
  connection,
  prefix,
  concurrency: Number(concurrency),
  prober: createSmtpProber({ allowPrivateTargets: true, trustedCa: caCert }),
  probeTimeoutMs: 30_000,
});
await worker.waitUntilReady();
const cpuAtStart = process.cpuUsage();
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
process.send?.({ ready: true });
process.on('message', (message: { report?: boolean }) => {
  if (!message.report) return;
  const cpu = process.cpuUsage(cpuAtStart);
  process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: peakRss / 2 ** 20 });
});
process.on('disconnect', () => {
  clearInterval(sampler);
  void worker.close().then(() => {
    connection.disconnect();
    process.exit(0);
  });
});
