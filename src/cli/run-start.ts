/**
 * `mxops start`: the configured chat surfaces, probe workers (unless MXOPS_START_WORKERS=false),
 * and /healthz and /metrics, in one process; SIGTERM lets running work finish.
 *
 * Each part is given to the lifecycle as it is opened, so the entry point closes them, last
 * opened first, on SIGTERM and equally when the start-up fails half-way (a Slack token refused, a
 * port taken): the chat surfaces stop taking requests and finish their checks, then the workers
 * finish their jobs, then the Redis connections and the store close.
 */
import { systemClock } from '../clock.js';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { PatchDeps } from '../../commands/patch.js';
import { RunningChecks } from '../chat/running-checks.js';
import { loadConfig, redact, type Config } from '../config.js';
import { AppError } from '../errors.js';
import { secretHider } from '../observability/hide-secrets.js';
import { calendarFeed, createOpsServer } from '../observability/http-server.js';
import { instrumentProber } from '../observability/instrumented-prober.js';
import { createLogger, forCommand } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { sdkLogTo } from '../observability/sdk-log.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { watchRedisOutage } from '../queue/redis-outage.js';
import { createSmtpWorker } from '../queue/smtp-worker.js';
import { MAIL_WATCH_QUEUE, type WatchJobData } from '../queue/watch-jobs.js';
import type { OpenDatabase } from '../store/database.js';
import { createRedisDeliveryLog } from '../queue/redis-slack-deliveries.js';
import { createSharedChecks } from '../queue/redis-shared-checks.js';
import { startBackgroundWorkers } from './background-workers.js';
import { startChatSurfaces } from './chat-surfaces.js';
import { closeServer } from './close-server.js';
import { configSecrets } from './config-secrets.js';
import { diagnosisDeps, diagnosisRunner, fixedProbes } from './diagnosis-runner.js';
import { exitIfStillRunning } from './exit-if-still-running.js';
import { redisHealth, storeHealth } from './health-checks.js';
import { httpsFetcher } from './https-settings.js';
import type { Lifecycle } from './lifecycle.js';
import { mailcheckDeps, REJOIN_FINISHED_CHECK_MS, watchChatDeps } from './mailcheck-deps.js';
import { createNotifiers } from './notifiers.js';
import { openQueue } from './open-queue.js';
import { openStore } from './open-store.js';
import { inProcessProber, queuedSmtpSettings } from './smtp-settings.js';
import { nextStopSignal } from './stop-signal.js';

export async function runStart(env: NodeJS.ProcessEnv, lifecycle: Lifecycle): Promise<number> {
  const config = loadConfig(env);
  if (!config.slack && !config.teams) {
    throw new AppError(
      'BAD_CONFIG',
      'no chat surface is configured: set MXOPS_SLACK_BOT_TOKEN (Slack) or MXOPS_TEAMS_APP_ID (Teams), see README; to try mxops without a platform, run mxops chat',
    );
  }
  const logger = createLogger(config.logLevel);
  lifecycle.reportTo((line) => logger.warn(line));
  // What Bolt, the Web API client and botbuilder log goes into this log, without the configured secrets.
  const hide = secretHider(configSecrets(config));
  // The store first: one that cannot be reached (refused, or a connect or statement time-out)
  // ends the command here with its cause, before any Redis connection or listener exists to keep
  // a process running that serves nothing.
  const store = await openStore(config, lifecycle);
  // One account of a Redis outage for every connection below: a line per back-off step, and an
  // exit after MXOPS_REDIS_GIVE_UP_SECONDS if set. /healthz says 503 meanwhile.
  const outage = watchRedisOutage({
    where: redact(config.queue.redisUrl),
    giveUpMs: config.queue.redisGiveUpSeconds === undefined ? undefined : config.queue.redisGiveUpSeconds * 1000,
    log: (line) => logger.warn(line),
  });
  const gaveUp = outage.gaveUp.then((error) => Promise.reject(error));
  gaveUp.catch(() => undefined);
  // With Redis gone, running jobs cannot finish and BullMQ's graceful closes would wait for it: parts close at once.
  const redisGone = (): boolean => outage.isDown();
  // Running checks finish before the surfaces close; past a check's lease another replica has taken it over anyway.
  const drainMs = config.smtp.totalTimeoutMs * 4;
  try {
    const { queue, events, redis } = await openQueue(config, lifecycle, outage);
    const metrics = createMetrics(() => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));
    // Created now, listening last (when everything answers), closed after the rest: /healthz answers while work drains.
    const ops = createOpsServer(metrics, [storeHealth(store), redisHealth(redis)], calendarRoutes(config, store), {
      checkTimeoutMs: config.healthTimeoutMs,
    });
    lifecycle.own('the HTTP listener', () => closeServer(ops));
    // While Redis is gone the account says so, once per step; BullMQ's report of each failed command is not news.
    const onError = (what: string) => (error: Error) => void (outage.isDown() || logger.error({ err: error }, what));
    const workerConnection = config.startWorkers
      ? createRedisConnection(config.queue.redisUrl, 'worker', outage)
      : undefined;
    if (workerConnection) lifecycle.own("the workers' Redis connection", () => workerConnection.disconnect());
    const worker = workerConnection
      ? createSmtpWorker({
          connection: workerConnection,
          prefix: config.queue.prefix,
          concurrency: config.queue.workerConcurrency,
          prober: instrumentProber(inProcessProber(config, false), metrics),
          probeTimeoutMs: config.smtp.totalTimeoutMs,
        })
      : undefined;
    if (worker) {
      worker.on('error', onError('worker error'));
      lifecycle.own(
        'the SMTP probe worker',
        // Forced, it is not waited for: its close() waits for a Redis that is not coming.
        () => (redisGone() ? void worker.close(true).catch(() => undefined) : worker.close()),
        { limitMs: drainMs },
      );
    }
    const smtp = queuedSmtpSettings(config, { queue, events });
    // One set of deps: a check typed in Slack and one typed in Teams join each other.
    // Checks are shared by every replica on this Redis: one run per target, whoever is asked.
    const subscriber = createRedisConnection(config.queue.redisUrl, 'worker', outage);
    lifecycle.own("the shared checks' subscriber", () => subscriber.disconnect());
    const running = await Promise.race([
      createSharedChecks(new RunningChecks(REJOIN_FINISHED_CHECK_MS), redis, subscriber, {
        prefix: config.queue.prefix,
        instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
        leaseMs: drainMs,
        rejoinMs: REJOIN_FINISHED_CHECK_MS,
      }),
      gaveUp,
    ]);
    // One set of notifiers and one store of Teams conversation references for the whole process:
    // risk acceptance and outage requests go to the approvers' direct messages on every configured
    // platform, the same notifiers replace an outage card's copies when it is decided, and the
    // background workers nag through them.
    const { notifiers, references, teamsEndpoint } = await createNotifiers(
      config,
      store,
      redis,
      sdkLogTo(logger, 'slack', hide),
    );
    const patch: PatchDeps = { store, clock: systemClock, notifiers };
    const watchQueue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection: redis, prefix: config.queue.prefix });
    watchQueue.on('error', onError('watch queue'));
    // Forced, the queue is left to its connection's end: BullMQ's close() waits for a Redis that is not coming.
    lifecycle.own('the watch queue', () => (redisGone() ? undefined : watchQueue.close()));
    const run = diagnosisRunner(diagnosisDeps(config, fixedProbes(smtp, httpsFetcher(config, false))));
    const deps = mailcheckDeps(config, run, {
      metrics,
      logFor: (domain) => forCommand(logger, { command: 'mailcheck', domain }),
      running,
      store,
      watches: watchChatDeps(config, store, watchQueue),
    });
    if (workerConnection)
      await Promise.race([
        startBackgroundWorkers(
          config,
          workerConnection,
          store,
          notifiers,
          onError('background worker'),
          (name, close) =>
            // Forced, BullMQ's workers are not waited for: their close() waits for a Redis that is not coming.
            lifecycle.own(name, () => (redisGone() ? undefined : close()), { limitMs: drainMs }),
        ),
        gaveUp,
      ]);
    // Each surface counts its own commands; the rest (running checks included) is shared.
    const on = (surface: 'slack' | 'teams'): MailcheckDeps => ({
      ...deps,
      counted: (command, outcome) => metrics.commandsHandled.inc({ surface, command, outcome }),
    });
    const slackListening = await startChatSurfaces(config, lifecycle, {
      on,
      patch,
      references,
      teamsEndpoint,
      deliveries: createRedisDeliveryLog(redis, config.queue.prefix),
      logger,
      hide,
      drainMs,
      redisGone,
    });
    await new Promise<void>((resolve, reject) =>
      ops.once('error', reject).listen(config.http.port, config.http.host, resolve),
    );
    // Listening before saying so: a SIGTERM sent as soon as the line appears must stop it cleanly, not kill it.
    const stopped = nextStopSignal();
    logger.info(
      {
        slack: slackListening,
        teams: config.teams ? { port: config.teams.port } : undefined,
        http: config.http,
        workers: worker ? config.queue.workerConcurrency : 0,
      },
      'mxops started',
    );
    const signal = await Promise.race([stopped, gaveUp]);
    logger.info({ signal }, 'stopping: finishing running checks and probes');
    // What runs is closed by the entry point, through the lifecycle, once this returns.
    outage.stop();
    // Without Redis, BullMQ's connections keep retrying on timers of their own, whatever is closed.
    if (redisGone()) exitIfStillRunning(STOP_WAIT_MS + config.databaseTimeouts.connectMs + CLOSE_GRACE_MS);
    return 0;
  } catch (error) {
    // Failed on the way up, or Redis given up for lost: the entry point closes what was opened
    // (without waiting on a Redis that is gone) and prints the cause. The process then ends even if
    // a library keeps a timer of its own.
    outage.stop();
    exitIfStillRunning(STOP_WAIT_MS + config.databaseTimeouts.connectMs + CLOSE_GRACE_MS);
    throw error;
  }
}

/** How long a failed bot's parts may take to stop before it is ended, beyond closing the store. */
const STOP_WAIT_MS = 5_000;
/** Beyond that and closing the store, how long a failed bot may take to let go before it is ended. */
const CLOSE_GRACE_MS = 5_000;

/** The outage calendar feed, when MXOPS_CALENDAR_TOKEN is set; its iCalendar writer loads on the first request. */
function calendarRoutes(config: Config, store: OpenDatabase): Record<string, http.RequestListener> {
  if (config.calendarToken === undefined) return {};
  const render = async (): Promise<string> =>
    (await import('../../commands/outage-calendar.js')).runOutageCalendar({}, { store, clock: systemClock });
  return { [`/calendar/${config.calendarToken}.ics`]: calendarFeed(render) };
}
