/** `mxops worker`: SMTP probes, the escalation sweep and nags, and watches, until SIGTERM or SIGINT. */
import type { Redis } from 'ioredis';
import { loadConfig } from '../config.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { createSmtpWorker } from '../queue/smtp-worker.js';
import { startBackgroundWorkers } from './background-workers.js';
import { openStore } from './open-store.js';
import { inProcessProber } from './smtp-settings.js';
import { nextStopSignal } from './stop-signal.js';

export async function runWorker(env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  const connection: Redis = createRedisConnection(config.queue.redisUrl, 'worker');
  const worker = createSmtpWorker({
    connection,
    prefix: config.queue.prefix,
    concurrency: config.queue.workerConcurrency,
    prober: inProcessProber(config, false),
    probeTimeoutMs: config.smtp.totalTimeoutMs,
  });
  const report = (error: Error): void => void process.stderr.write(`mxops worker: ${error.message}\n`);
  worker.on('error', report);
  const background = await startBackgroundWorkers(config, connection, await openStore(config), report);
  await worker.waitUntilReady();
  const stopped = nextStopSignal();
  process.stderr.write(
    `mxops worker: probing with concurrency ${config.queue.workerConcurrency}, sweeping patches every ${config.sweepIntervalSeconds} s, re-checking watched domains; SIGTERM or Ctrl-C stops after running jobs finish\n`,
  );
  const signal = await stopped;
  process.stderr.write(`mxops worker: ${signal}: finishing running jobs\n`);
  await worker.close();
  await background.close();
  connection.disconnect();
  return 0;
}
