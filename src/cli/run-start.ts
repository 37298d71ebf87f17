/**
 * `mxops start`: the configured chat surfaces, probe workers (unless MXOPS_START_WORKERS=false),
 * and /healthz and /metrics, in one process; SIGTERM lets running work finish.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { PatchDeps } from '../../commands/patch.js';
import { createNagNotifiers } from '../chat/nag-notifiers.js';
import { RunningChecks } from '../chat/running-checks.js';
import { loadConfig, type Config } from '../config.js';
import { AppError } from '../errors.js';
import { createHttpsFetcher } from '../net/https-fetcher.js';
import { calendarFeed, createOpsServer } from '../observability/http-server.js';
import { instrumentProber } from '../observability/instrumented-prober.js';
import { createLogger, forCommand } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { createSmtpWorker } from '../queue/smtp-worker.js';
import { MAIL_WATCH_QUEUE, type WatchJobData } from '../queue/watch-jobs.js';
import type { OpenDatabase } from '../store/database.js';
import { createRedisConversationReferenceStore } from '../store/redis-conversation-references.js';
import { createRedisDeliveryLog } from '../store/redis-slack-deliveries.js';
import { createSharedChecks } from '../store/redis-shared-checks.js';
import { startBackgroundWorkers } from './background-workers.js';
import { mailcheckDeps, REJOIN_FINISHED_CHECK_MS, watchChatDeps } from './mailcheck-deps.js';
import { openQueue } from './open-queue.js';
import { openStore } from './open-store.js';
import { inProcessProber, queuedSmtpSettings } from './smtp-settings.js';
import { nextStopSignal } from './stop-signal.js';

export async function runStart(env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  if (!config.slack && !config.teams) {
    throw new AppError('BAD_CONFIG', 'no chat surface is configured: set MXOPS_SLACK_BOT_TOKEN (Slack) or MXOPS_TEAMS_APP_ID (Teams), see README; to try mxops without a platform, run mxops chat');
  }
  const logger = createLogger(config.logLevel);
  const { queue, events, redis } = await openQueue(config);
  const metrics = createMetrics(() => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));
  const workerConnection = config.startWorkers ? createRedisConnection(config.queue.redisUrl, 'worker') : undefined;
  const worker = workerConnection
    ? createSmtpWorker({ connection: workerConnection, prefix: config.queue.prefix, concurrency: config.queue.workerConcurrency, prober: instrumentProber(inProcessProber(config, false), metrics), probeTimeoutMs: config.smtp.totalTimeoutMs })
    : undefined;
  worker?.on('error', (error) => logger.error({ err: error }, 'worker error'));
  const smtp = queuedSmtpSettings(config, { queue, events });
  // One set of deps: a check typed in Slack and one typed in Teams join each other.
  // Checks are shared by every replica on this Redis: one run per target, whoever is asked.
  const subscriber = createRedisConnection(config.queue.redisUrl, 'worker');
  const running = await createSharedChecks(new RunningChecks(REJOIN_FINISHED_CHECK_MS), redis, subscriber, {
    prefix: config.queue.prefix,
    instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: config.smtp.totalTimeoutMs * 4,
    rejoinMs: REJOIN_FINISHED_CHECK_MS,
  });
  // Each surface counts its own commands; the rest (running checks included) is shared.
  const on = (surface: string): MailcheckDeps => ({ ...deps, counted: (command, outcome) => metrics.commandsHandled.inc({ surface, command, outcome }) });
  // Risk acceptance and outage requests also go to the approvers' direct messages, on every configured
  // platform; the same notifiers replace an outage card's copies when it is decided.
  const patch: PatchDeps = {
    store: await openStore(config),
    now: () => Date.now(),
    notifiers: await createNagNotifiers({ slack: config.slack, teams: config.teams, teamsReferences: createRedisConversationReferenceStore(redis, config.queue.prefix) }),
  };
  const watchQueue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection: redis, prefix: config.queue.prefix });
  const deps = mailcheckDeps(config, smtp, createHttpsFetcher(), {
    metrics,
    logFor: (domain) => forCommand(logger, { command: 'mailcheck', domain }),
    running,
    store: patch.store,
    watches: watchChatDeps(config, patch.store, watchQueue),
  });
  const background = workerConnection ? await startBackgroundWorkers(config, workerConnection, patch.store, (error) => logger.error({ err: error }, 'background worker')) : undefined;
  // Bolt and botbuilder load only for the surfaces that are configured.
  const slack = config.slack ? (await import('../chat/slack/slack-app.js')).createSlackApp(config.slack, on('slack'), { patch, outage: patch, deliveries: createRedisDeliveryLog(redis, config.queue.prefix) }) : undefined;
  const slackListening = await slack?.start();
  const teams = config.teams ? (await import('../chat/teams/teams-bot.js')).createTeamsBot(config.teams, on('teams'), { references: createRedisConversationReferenceStore(redis, config.queue.prefix), patch, outage: patch }) : undefined;
  const teamsServer = config.teams && teams ? await (await import('../chat/teams/teams-http.js')).listenForActivities(teams.handle, config.teams.port, config.teams.host) : undefined;
  const ops = createOpsServer(metrics, [{ name: 'redis', probe: async () => (await redis.ping()) === 'PONG' }], calendarRoutes(config, patch.store));
  await new Promise<void>((resolve) => ops.listen(config.http.port, config.http.host, resolve));
  // Listening before saying so: a SIGTERM sent as soon as the line appears must stop it cleanly, not kill it.
  const stopped = nextStopSignal();
  logger.info({ slack: slackListening, teams: config.teams ? { port: config.teams.port } : undefined, http: config.http, workers: worker ? config.queue.workerConcurrency : 0 }, 'mxops started');
  const signal = await stopped;
  logger.info({ signal }, 'stopping: finishing running checks and probes');
  await slack?.stop();
  await new Promise<void>((resolve) => (teamsServer ? teamsServer.close(() => resolve()) : resolve()));
  await teams?.settled();
  await worker?.close();
  await background?.close();
  workerConnection?.disconnect();
  subscriber.disconnect();
  await watchQueue.close();
  await new Promise<void>((resolve) => ops.close(() => resolve()));
  return 0;
}

/** The outage calendar feed, when MXOPS_CALENDAR_TOKEN is set; its iCalendar writer loads on the first request. */
function calendarRoutes(config: Config, store: OpenDatabase): Record<string, http.RequestListener> {
  if (config.calendarToken === undefined) return {};
  const render = async (): Promise<string> => (await import('../../commands/outage-calendar.js')).runOutageCalendar({}, { store, now: () => Date.now() });
  return { [`/calendar/${config.calendarToken}.ics`]: calendarFeed(render) };
}
