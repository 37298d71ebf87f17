/**
 * `mxops worker`: SMTP probes, the escalation sweep and nags, and watches, until SIGTERM or SIGINT.
 * Each part is given to the lifecycle as it starts; the entry point closes them, last started
 * first, when the worker stops or fails to start.
 */
import { loadConfig, redact } from '../config.js';
import { secretHider } from '../observability/hide-secrets.js';
import { sdkLogLines } from '../observability/sdk-log.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { watchRedisOutage } from '../queue/redis-outage.js';
import { createSmtpWorker } from '../queue/smtp-worker.js';
import { startBackgroundWorkers } from './background-workers.js';
import { configSecrets } from './config-secrets.js';
import { exitIfStillRunning } from './exit-if-still-running.js';
import type { Lifecycle } from './lifecycle.js';
import { createNotifiers } from './notifiers.js';
import { openStore } from './open-store.js';
import { inProcessProber } from './smtp-settings.js';
import { nextStopSignal } from './stop-signal.js';

export async function runWorker(env: NodeJS.ProcessEnv, lifecycle: Lifecycle): Promise<number> {
  const config = loadConfig(env);
  const say = (line: string): void => void process.stderr.write(`mxops worker: ${line}\n`);
  lifecycle.reportTo(say);
  // The store first: one that cannot be reached ends the command here, with its cause, before
  // any Redis connection or BullMQ worker exists to keep the process running without a store.
  const store = await openStore(config, lifecycle);
  const outage = watchRedisOutage({
    where: redact(config.queue.redisUrl),
    giveUpMs: config.queue.redisGiveUpSeconds === undefined ? undefined : config.queue.redisGiveUpSeconds * 1000,
    log: say,
  });
  // With Redis gone, running jobs cannot finish and BullMQ's graceful closes would wait for it: parts close at once.
  const redisGone = (): boolean => outage.isDown();
  // A probe, a nag or a watch's check finishes within a few probes' time; past that, stopping goes on without it.
  const drainMs = config.smtp.totalTimeoutMs * 4;
  const connection = createRedisConnection(config.queue.redisUrl, 'worker', outage);
  lifecycle.own("the workers' Redis connection", () => connection.disconnect());
  const worker = createSmtpWorker({
    connection,
    prefix: config.queue.prefix,
    concurrency: config.queue.workerConcurrency,
    prober: inProcessProber(config, false),
    probeTimeoutMs: config.smtp.totalTimeoutMs,
  });
  // Forced, it is not waited for: its close() waits for a Redis that is not coming.
  lifecycle.own(
    'the SMTP probe worker',
    () => (redisGone() ? void worker.close(true).catch(() => undefined) : worker.close()),
    { limitMs: drainMs },
  );
  // While Redis is gone the outage says so, once per back-off step; BullMQ's own report of each failed command is not news.
  const report = (error: Error): void => {
    if (!outage.isDown()) say(error.message);
  };
  worker.on('error', report);
  const gaveUp = outage.gaveUp.then((error) => Promise.reject(error));
  gaveUp.catch(() => undefined);
  try {
    // The Slack Web API client's lines join the worker's own, as lines, without the configured secrets.
    const slackLog = sdkLogLines(say, 'slack', secretHider(configSecrets(config)), 'info');
    const { notifiers } = await createNotifiers(config, store, connection, slackLog);
    await Promise.race([
      startBackgroundWorkers(config, connection, store, notifiers, report, (name, close) =>
        lifecycle.own(name, () => (redisGone() ? undefined : close()), { limitMs: drainMs }),
      ),
      gaveUp,
    ]);
    await Promise.race([worker.waitUntilReady(), gaveUp]);
    const stopped = nextStopSignal();
    say(
      `probing with concurrency ${config.queue.workerConcurrency}, sweeping patches every ${config.sweepIntervalSeconds} s, re-checking watched domains; SIGTERM or Ctrl-C stops after running jobs finish`,
    );
    const signal = await Promise.race([stopped, gaveUp]);
    say(`${signal}: finishing running jobs`);
    outage.stop();
    // Without Redis, BullMQ's connections keep retrying on timers of their own, whatever is closed.
    if (redisGone()) exitIfStillRunning(config.databaseTimeouts.connectMs + CLOSE_GRACE_MS);
    return 0;
  } catch (error) {
    // Given up on Redis (or failed starting): the entry point closes what was started (without
    // waiting on a Redis that is gone) and prints the cause; BullMQ's workers would retry on their
    // own for ever, so the process then ends.
    outage.stop();
    exitIfStillRunning(config.databaseTimeouts.connectMs + CLOSE_GRACE_MS);
    throw error;
  }
}

/** Beyond closing the store, how long a failed worker may take to let go before it is ended. */
const CLOSE_GRACE_MS = 5_000;
