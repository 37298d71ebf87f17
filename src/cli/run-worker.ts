/** `mxops worker`: SMTP probes, the escalation sweep and nags, and watches, until SIGTERM or SIGINT. */
import { loadConfig, redact } from '../config.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { watchRedisOutage } from '../queue/redis-outage.js';
import { createSmtpWorker } from '../queue/smtp-worker.js';
import { startBackgroundWorkers } from './background-workers.js';
import { exitIfStillRunning } from './exit-if-still-running.js';
import { openStore } from './open-store.js';
import { inProcessProber } from './smtp-settings.js';
import { nextStopSignal } from './stop-signal.js';

export async function runWorker(env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  const say = (line: string): void => void process.stderr.write(`mxops worker: ${line}\n`);
  // The store first: one that cannot be reached ends the command here, with its cause, before
  // any Redis connection or BullMQ worker exists to keep the process running without a store.
  const store = await openStore(config);
  const outage = watchRedisOutage({
    where: redact(config.queue.redisUrl),
    giveUpMs: config.queue.redisGiveUpSeconds === undefined ? undefined : config.queue.redisGiveUpSeconds * 1000,
    log: say,
  });
  const connection = createRedisConnection(config.queue.redisUrl, 'worker', outage);
  const worker = createSmtpWorker({
    connection,
    prefix: config.queue.prefix,
    concurrency: config.queue.workerConcurrency,
    prober: inProcessProber(config, false),
    probeTimeoutMs: config.smtp.totalTimeoutMs,
  });
  // While Redis is gone the outage says so, once per back-off step; BullMQ's own report of each failed command is not news.
  const report = (error: Error): void => {
    if (!outage.isDown()) say(error.message);
  };
  worker.on('error', report);
  const gaveUp = outage.gaveUp.then((error) => Promise.reject(error));
  gaveUp.catch(() => undefined);
  try {
    const background = await Promise.race([startBackgroundWorkers(config, connection, store, report), gaveUp]);
    await Promise.race([worker.waitUntilReady(), gaveUp]);
    const stopped = nextStopSignal();
    say(
      `probing with concurrency ${config.queue.workerConcurrency}, sweeping patches every ${config.sweepIntervalSeconds} s, re-checking watched domains; SIGTERM or Ctrl-C stops after running jobs finish`,
    );
    const signal = await Promise.race([stopped, gaveUp]);
    say(`${signal}: finishing running jobs`);
    outage.stop();
    await worker.close();
    await background.close();
    connection.disconnect();
    return 0;
  } catch (error) {
    // Given up on Redis (or failed starting): nothing can finish without it, and BullMQ's
    // workers would retry on their own for ever. Drop the connections, and end the process once
    // the entry point has closed the store and printed the cause.
    outage.stop();
    connection.disconnect();
    void worker.close(true).catch(() => undefined);
    exitIfStillRunning(config.databaseTimeouts.connectMs + CLOSE_GRACE_MS);
    throw error;
  }
}

/** Beyond closing the store, how long a failed worker may take to let go before it is ended. */
const CLOSE_GRACE_MS = 5_000;
