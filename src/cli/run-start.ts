/**
 * `mxops start`: the configured chat surfaces, probe workers (unless MXOPS_START_WORKERS=false),
 * and /healthz and /metrics, in one process; SIGTERM lets running work finish.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { hostname } from 'node:os';
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { PatchDeps } from '../../commands/patch.js';
import { createNagNotifiers } from '../chat/nag-notifiers.js';
import { RunningChecks } from '../chat/running-checks.js';
import { loadConfig, redact, type Config } from '../config.js';
import { AppError } from '../errors.js';
import { calendarFeed, createOpsServer } from '../observability/http-server.js';
import { instrumentProber } from '../observability/instrumented-prober.js';
import { createLogger, forCommand } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { watchRedisOutage } from '../queue/redis-outage.js';
import { createSmtpWorker } from '../queue/smtp-worker.js';
import { MAIL_WATCH_QUEUE, type WatchJobData } from '../queue/watch-jobs.js';
import type { OpenDatabase } from '../store/database.js';
import { createRedisConversationReferenceStore } from '../store/redis-conversation-references.js';
import { createRedisDeliveryLog } from '../store/redis-slack-deliveries.js';
import { createSharedChecks } from '../store/redis-shared-checks.js';
import { postCheckpointsToChannel } from './audit-checkpoints.js';
import { startBackgroundWorkers } from './background-workers.js';
import { exitIfStillRunning } from './exit-if-still-running.js';
import { redisHealth, storeHealth } from './health-checks.js';
import { httpsFetcher } from './https-settings.js';
import { mailcheckDeps, REJOIN_FINISHED_CHECK_MS, watchChatDeps } from './mailcheck-deps.js';
import { openQueue } from './open-queue.js';
import { openStore } from './open-store.js';
import { inProcessProber, queuedSmtpSettings } from './smtp-settings.js';
import { nextStopSignal } from './stop-signal.js';

export async function runStart(env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  if (!config.slack && !config.teams) {
    throw new AppError(
      'BAD_CONFIG',
      'no chat surface is configured: set MXOPS_SLACK_BOT_TOKEN (Slack) or MXOPS_TEAMS_APP_ID (Teams), see README; to try mxops without a platform, run mxops chat',
    );
  }
  const logger = createLogger(config.logLevel);
  // The store first: one that cannot be reached (refused, or a connect or statement time-out)
  // ends the command here with its cause, before any Redis connection or listener exists to keep
  // a process running that serves nothing.
  const store = await openStore(config);
  // One account of a Redis outage for every connection below: a line per back-off step, and an
  // exit after MXOPS_REDIS_GIVE_UP_SECONDS if set. /healthz says 503 meanwhile.
  const outage = watchRedisOutage({
    where: redact(config.queue.redisUrl),
    giveUpMs: config.queue.redisGiveUpSeconds === undefined ? undefined : config.queue.redisGiveUpSeconds * 1000,
    log: (line) => logger.warn(line),
  });
  const gaveUp = outage.gaveUp.then((error) => Promise.reject(error));
  gaveUp.catch(() => undefined);
  const { queue, events, redis } = await openQueue(config, outage);
  // What runs, for stopping in order, on a signal or after a failure on the way up.
  const parts: Running = {};
  try {
    const metrics = createMetrics(() => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));
    const workerConnection = config.startWorkers
      ? createRedisConnection(config.queue.redisUrl, 'worker', outage)
      : undefined;
    parts.workerConnection = workerConnection;
    const worker = workerConnection
      ? createSmtpWorker({
          connection: workerConnection,
          prefix: config.queue.prefix,
          concurrency: config.queue.workerConcurrency,
          prober: instrumentProber(inProcessProber(config, false), metrics),
          probeTimeoutMs: config.smtp.totalTimeoutMs,
        })
      : undefined;
    parts.worker = worker;
    // While Redis is gone the account says so, once per step; BullMQ's report of each failed command is not news.
    const onError = (what: string) => (error: Error) => void (outage.isDown() || logger.error({ err: error }, what));
    worker?.on('error', onError('worker error'));
    const smtp = queuedSmtpSettings(config, { queue, events });
    // One set of deps: a check typed in Slack and one typed in Teams join each other.
    // Checks are shared by every replica on this Redis: one run per target, whoever is asked.
    const subscriber = createRedisConnection(config.queue.redisUrl, 'worker', outage);
    parts.subscriber = subscriber;
    const running = await Promise.race([
      createSharedChecks(new RunningChecks(REJOIN_FINISHED_CHECK_MS), redis, subscriber, {
        prefix: config.queue.prefix,
        instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
        leaseMs: config.smtp.totalTimeoutMs * 4,
        rejoinMs: REJOIN_FINISHED_CHECK_MS,
      }),
      gaveUp,
    ]);
    // Each surface counts its own commands; the rest (running checks included) is shared.
    const on = (surface: string): MailcheckDeps => ({
      ...deps,
      counted: (command, outcome) => metrics.commandsHandled.inc({ surface, command, outcome }),
    });
    // Risk acceptance and outage requests also go to the approvers' direct messages, on every configured
    // platform; the same notifiers replace an outage card's copies when it is decided.
    const notifiers = await createNagNotifiers({
      slack: config.slack,
      teams: config.teams,
      teamsReferences: createRedisConversationReferenceStore(redis, config.queue.prefix),
    });
    postCheckpointsToChannel(config, store, notifiers);
    const patch: PatchDeps = { store, now: () => Date.now(), notifiers };
    const watchQueue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection: redis, prefix: config.queue.prefix });
    watchQueue.on('error', onError('watch queue'));
    parts.watchQueue = watchQueue;
    const deps = mailcheckDeps(config, smtp, httpsFetcher(config, false), {
      metrics,
      logFor: (domain) => forCommand(logger, { command: 'mailcheck', domain }),
      running,
      store: patch.store,
      watches: watchChatDeps(config, patch.store, watchQueue),
    });
    parts.background = workerConnection
      ? await Promise.race([
          startBackgroundWorkers(config, workerConnection, patch.store, onError('background worker')),
          gaveUp,
        ])
      : undefined;
    // Bolt and botbuilder load only for the surfaces that are configured.
    const slack = config.slack
      ? (await import('../chat/slack/slack-app.js')).createSlackApp(config.slack, on('slack'), {
          patch,
          outage: patch,
          deliveries: createRedisDeliveryLog(redis, config.queue.prefix),
        })
      : undefined;
    const slackListening = await slack?.start();
    parts.slack = slack;
    const teams = config.teams
      ? (await import('../chat/teams/teams-bot.js')).createTeamsBot(config.teams, on('teams'), {
          references: createRedisConversationReferenceStore(redis, config.queue.prefix),
          patch,
          outage: patch,
        })
      : undefined;
    parts.teams = teams;
    parts.teamsServer =
      config.teams && teams
        ? await (
            await import('../chat/teams/teams-http.js')
          ).listenForActivities(teams.handle, config.teams.port, config.teams.host)
        : undefined;
    const ops = createOpsServer(metrics, [storeHealth(store), redisHealth(redis)], calendarRoutes(config, store), {
      checkTimeoutMs: config.healthTimeoutMs,
    });
    await new Promise<void>((resolve, reject) =>
      ops.once('error', reject).listen(config.http.port, config.http.host, resolve),
    );
    parts.ops = ops;
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
    outage.stop();
    await stopAll(parts, false);
    return 0;
  } catch (error) {
    // Failed on the way up, or Redis given up for lost: stop what runs without waiting on Redis
    // (running jobs cannot finish without it), and end the process even if a library keeps a
    // timer of its own. The entry point closes the store and prints the cause.
    outage.stop();
    exitIfStillRunning(STOP_WAIT_MS + config.databaseTimeouts.connectMs + CLOSE_GRACE_MS);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      stopAll(parts, true).catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS))),
    ]);
    clearTimeout(timer);
    throw error;
  }
}

/** How long a failed bot waits for its parts to stop before the entry point reports the failure. */
const STOP_WAIT_MS = 5_000;
/** Beyond that and closing the store, how long a failed bot may take to let go before it is ended. */
const CLOSE_GRACE_MS = 5_000;

interface Running {
  slack?: { stop(): Promise<unknown> } | undefined;
  teams?: { settled(): Promise<unknown> } | undefined;
  teamsServer?: http.Server | undefined;
  worker?: Worker | undefined;
  background?: { close(): Promise<void> } | undefined;
  workerConnection?: Redis | undefined;
  subscriber?: Redis | undefined;
  watchQueue?: Queue | undefined;
  ops?: http.Server | undefined;
}

/** Chat first (no new work), then the workers (running jobs finish unless forced), then Redis and the listener. */
async function stopAll(parts: Running, force: boolean): Promise<void> {
  await parts.slack?.stop();
  await new Promise<void>((resolve) => (parts.teamsServer ? parts.teamsServer.close(() => resolve()) : resolve()));
  if (!force) await parts.teams?.settled();
  await parts.worker?.close(force);
  // Forced, BullMQ's workers are not waited for: their close() waits for a Redis that is not coming.
  if (!force) await parts.background?.close();
  parts.workerConnection?.disconnect();
  parts.subscriber?.disconnect();
  // Forced, the queue is left to its connection's end: BullMQ's disconnect() waits for a Redis that is not coming.
  if (!force) await parts.watchQueue?.close();
  await new Promise<void>((resolve) => (parts.ops ? parts.ops.close(() => resolve()) : resolve()));
}

/** The outage calendar feed, when MXOPS_CALENDAR_TOKEN is set; its iCalendar writer loads on the first request. */
function calendarRoutes(config: Config, store: OpenDatabase): Record<string, http.RequestListener> {
  if (config.calendarToken === undefined) return {};
  const render = async (): Promise<string> =>
    (await import('../../commands/outage-calendar.js')).runOutageCalendar({}, { store, now: () => Date.now() });
  return { [`/calendar/${config.calendarToken}.ics`]: calendarFeed(render) };
}
