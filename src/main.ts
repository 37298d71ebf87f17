#!/usr/bin/env node
/**
 * The composition root: the only module that reads the environment and creates clients
 * (DESIGN.md). Everything below it takes what it needs as arguments.
 */
import { getServers } from 'node:dns';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { diagnoseTarget, lookupSettings, mailServerLimits, runCheckCommand, type CheckCommandDeps, type ProbeOptions } from '../commands/check.js';
import { bounceToJson, checksOf, diagnoseBounce, renderBounceText } from '../commands/bounce.js';
import { readCappedFile, readCappedStream } from './cli/read-capped.js';
import { runFollowUpCommand } from '../commands/follow-up.js';
import { buildProgram, EXIT_BAD_INPUT } from './cli/program.js';
import { loadConfig, redact, type Config } from './config.js';
import { formatServer } from './diagnosis/dns-port.js';
import type { SmtpProbeResult, SmtpProber } from './diagnosis/smtp-port.js';
import type { SmtpSettings } from './diagnosis/smtp-sessions.js';
import { AppError, isAppError } from './errors.js';
import { RunningChecks, type CheckRegistry } from './chat/running-checks.js';
import { createSharedChecks } from './store/redis-shared-checks.js';
import { randomUUID } from 'node:crypto';
import { BoundedMap } from './chat/bounded-map.js';
import { createSlackApp } from './chat/slack/slack-app.js';
import { createTeamsBot } from './chat/teams/teams-bot.js';
import { listenForActivities } from './chat/teams/teams-http.js';
import { createRedisConversationReferenceStore } from './store/redis-conversation-references.js';
import type { MailcheckDeps } from '../commands/mailcheck.js';
import type { HttpsFetcher } from './diagnosis/https-port.js';
import { calendarFeed, createOpsServer } from './observability/http-server.js';
import type http from 'node:http';
import { instrumentProber } from './observability/instrumented-prober.js';
import { createLogger, forCommand, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { runConsoleChat } from './chat/console/console-chat.js';
import { diagnose } from './diagnosis/diagnose.js';
import type { DnsServer } from './diagnosis/dns-port.js';
import type { ChatOptions } from './cli/program.js';
import { parseHostPort } from './host-port.js';
import { createDnsClient } from './net/dns-client.js';
import { createHttpsFetcher } from './net/https-fetcher.js';
import { createSmtpProber } from './net/smtp-prober.js';
import { createFollowUpReader } from './queue/follow-up-reader.js';
import { createFollowUpScheduler } from './queue/follow-up-scheduler.js';
import { createQueuedSmtpProber } from './queue/queued-smtp-prober.js';
import { createRedisConnection } from './queue/redis-connection.js';
import { SMTP_PROBE_QUEUE, type SmtpProbeJobData } from './queue/smtp-probe-jobs.js';
import { createSmtpWorker } from './queue/smtp-worker.js';
import { startPatchWorkers } from './queue/patch-workers.js';
import { startWatchWorker } from './queue/watch-workers.js';
import { createNagNotifiers } from './chat/nag-notifiers.js';
import type { PatchDeps } from '../commands/patch.js';
import { runAuditExport, runAuditVerify } from '../commands/audit-log.js';
import { runInventoryExport, runInventoryImport } from '../commands/inventory-file.js';
import { runOutageCalendar } from '../commands/outage-calendar.js';
import { closeExpiredRequests } from '../commands/outage-decisions.js';
import { openDatabase, type OpenDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { recordCheck, type CheckSource } from './store/check-reports.js';
import type { DiagnosisProgress, DiagnosisReport } from './diagnosis/diagnose.js';
import type { Check } from './diagnosis/check.js';
import type { CheckTarget } from './diagnosis/check-target.js';
import type { WatchChatDeps } from '../commands/mailcheck-watch.js';
import { MAIL_WATCH_QUEUE, scheduleWatch, unscheduleWatch, type WatchJobData } from './queue/watch-jobs.js';
import { runHistoryCommand } from '../commands/history.js';

/** Things to close before the process ends (queue connections). */
const closers: (() => Promise<void>)[] = [];

function inProcessProber(config: Config, allowPrivate: boolean): SmtpProber {
  const { connectTimeoutMs, bannerTimeoutMs, commandTimeoutMs, totalTimeoutMs } = config.smtp;
  return createSmtpProber({ limits: { connectTimeoutMs, bannerTimeoutMs, commandTimeoutMs, totalTimeoutMs }, allowPrivateTargets: config.smtp.allowPrivateTargets || allowPrivate });
}

interface QueueHandle {
  readonly queue: Queue<SmtpProbeJobData, SmtpProbeResult>;
  readonly events: QueueEvents;
  /** The producer's own connection, for health checks. */
  readonly redis: Redis;
}

/** How long closing the queue's connections may take before they are dropped. */
const CLOSE_WAIT_MS = 2_000;

/**
 * The SMTP probe queue as a producer sees it. Redis is reached first, so an unreachable one is one
 * clear error instead of a command that retries for ever; connections close when the command ends.
 */
async function openQueue(config: Config): Promise<QueueHandle> {
  const producer = createRedisConnection(config.queue.redisUrl, 'producer');
  // ioredis reports the cause (ECONNREFUSED, auth) as an event; connect() only says it closed.
  let cause: Error | undefined;
  producer.on('error', (error: Error) => (cause = error));
  try {
    await producer.connect();
  } catch (error) {
    producer.disconnect();
    const why = cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new AppError('QUEUE_UNAVAILABLE', `cannot reach Redis at ${redact(config.queue.redisUrl)} (MXOPS_REDIS_URL): ${why}`);
  }
  const listener = createRedisConnection(config.queue.redisUrl, 'worker');
  const queue = new Queue<SmtpProbeJobData, SmtpProbeResult>(SMTP_PROBE_QUEUE, { connection: producer, prefix: config.queue.prefix });
  const events = new QueueEvents(SMTP_PROBE_QUEUE, { connection: listener, prefix: config.queue.prefix });
  closers.push(async () => {
    const closed = Promise.all([events.close(), queue.close()]).catch(() => undefined);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    producer.disconnect();
    listener.disconnect();
  });
  return { queue, events, redis: producer };
}

async function smtpSettings(config: Config, input: Pick<ProbeOptions, 'queue' | 'allowPrivate'>): Promise<SmtpSettings> {
  const base = { port: config.smtp.port, heloName: config.smtp.heloName ?? hostname() };
  if (!input.queue) return { ...base, prober: inProcessProber(config, input.allowPrivate ?? false) };
  const { queue, events } = await openQueue(config);
  return {
    ...base,
    prober: createQueuedSmtpProber({ queue, events, cacheSeconds: config.queue.probeCacheSeconds, waitTimeoutMs: config.smtp.totalTimeoutMs * 3 }),
    followUps: { scheduler: createFollowUpScheduler(queue), delayMs: config.queue.greylistRecheckSeconds * 1000 },
  };
}

/** What `mxops check` and `mxops bounce` run checks with. */
function checkDeps(config: Config, quiet: boolean): CheckCommandDeps {
  return {
    config,
    dns: createDnsClient(),
    now: () => performance.now(),
    smtpFor: (valid) => smtpSettings(config, valid),
    https: createHttpsFetcher(),
    clock: () => new Date(),
    onStart: (domain, resolver) => {
      // A check can take a while when servers are slow; say what is going on, on a terminal only.
      if (process.stderr.isTTY && !quiet) process.stderr.write(`Checking ${domain} from resolver ${formatServer(resolver)}...\n`);
    },
    systemResolver,
  };
}

function systemResolver(): DnsServer | undefined {
  const first = getServers()[0];
  return first === undefined ? undefined : parseHostPort(first, 53, 'the system resolver');
}

/** What every chat surface needs: the whole diagnosis behind `mailcheck`, its history and watches. */
function mailcheckDeps(
  config: Config,
  smtp: SmtpSettings | undefined,
  https: HttpsFetcher | undefined,
  shared?: { metrics?: Metrics; logger?: Logger; running?: CheckRegistry; store?: OpenDatabase; watches?: WatchChatDeps },
): MailcheckDeps {
  const { metrics, logger, running, store, watches } = shared ?? {};
  const run = diagnosisRunner(config, smtp, https);
  return {
    diagnose: async (target, onProgress, options = {}) => {
      const log = logger ? forCommand(logger, { command: 'mailcheck', domain: target.domain }) : undefined;
      log?.info({ fresh: options.fresh ?? false }, 'check started');
      const report = await run(target, { onProgress, fresh: options.fresh ?? false });
      metrics?.checkSeconds.observe({ status: report.status }, report.durationMs / 1000);
      log?.info({ status: report.status, durationMs: Math.round(report.durationMs), findings: report.findings.length }, 'check finished');
      // Recorded here, where the run happens once however many people asked for it.
      if (store) await recordReport(config, report, 'chat', store);
      return report;
    },
    bounces: { test: (target, hypothesis) => run(target, { checks: checksOf(hypothesis), dnsOnly: !hypothesis.smtp }) },
    ...(store ? { history: { store } } : {}),
    ...(watches ? { watches } : {}),
    running: running ?? new RunningChecks(REJOIN_FINISHED_CHECK_MS),
    reports: new BoundedMap(RECENT_REPORTS),
    minUpdateIntervalMs: 1_000,
    now: () => performance.now(),
    counted: (command, outcome) => metrics?.commandsHandled.inc({ surface: 'console', command, outcome }),
  };
}

interface RunOptions {
  readonly onProgress?: (progress: DiagnosisProgress) => void;
  readonly checks?: readonly Check[];
  readonly dnsOnly?: boolean;
  /** Probe the mail servers afresh (Re-check), past the probe cache. */
  readonly fresh?: boolean;
}

/** Runs a diagnosis with the configured resolver and time-outs, as the chat surfaces and watches do. */
function diagnosisRunner(config: Config, smtp: SmtpSettings | undefined, https: HttpsFetcher | undefined): (target: CheckTarget, options?: RunOptions) => Promise<DiagnosisReport> {
  const resolver = config.resolver ?? systemResolver();
  if (!resolver) throw new AppError('BAD_CONFIG', 'no resolver: the system has none configured; set MXOPS_RESOLVER');
  return (target, options = {}) =>
    diagnose(target, {
      dns: createDnsClient(),
      now: () => performance.now(),
      lookup: lookupSettings(config, resolver),
      limits: mailServerLimits(config),
      ...(smtp && !options.dnsOnly ? { smtp: options.fresh ? { ...smtp, fresh: true } : smtp } : {}),
      ...(https && !options.dnsOnly ? { https } : {}),
      ...(options.checks ? { checks: options.checks } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      dnsblZones: config.dnsblZones,
      clock: () => new Date(),
    });
}

/** `mailcheck watch` as the chat surfaces run it: a row in the store and a job scheduler in Redis. */
function watchChatDeps(config: Config, store: OpenDatabase, queue: Queue<WatchJobData>): WatchChatDeps {
  return {
    store,
    schedule: (watch) => scheduleWatch(queue, watch),
    unschedule: (watchId) => unscheduleWatch(queue, watchId),
    defaultIntervalMs: config.watchIntervalMinutes * 60_000,
    clock: () => new Date(),
  };
}

/** A finished check answers new requests for the same target this long (see RunningChecks). */
const REJOIN_FINISHED_CHECK_MS = 10_000;

/** Reports kept for the "Note for their admin" button; older ones are checked again on demand. */
const RECENT_REPORTS = 500;

/** The inventory store: brought up to date on open, closed when the command ends. */
async function openStore(config: Config): Promise<OpenDatabase> {
  const store = openDatabase(config.database);
  closers.push(() => store.close());
  await migrateToLatest(store);
  return store;
}

/**
 * Keeps a report for `mxops history`. A store that cannot be reached costs the history, not the
 * check: the report is still printed, with a warning.
 */
async function recordReport(config: Config, report: DiagnosisReport, source: CheckSource, store?: OpenDatabase): Promise<void> {
  const recording = (async () => recordCheck(store ?? (await openStore(config)), report, { source, at: new Date(), keepMs: config.checkHistoryDays * DAY_MS }))();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${RECORD_TIMEOUT_MS / 1000} s`)), RECORD_TIMEOUT_MS);
  });
  try {
    await Promise.race([recording, timeout]);
  } catch (error) {
    process.stderr.write(`mxops: the report was not stored for mxops history: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    clearTimeout(timer);
  }
}

/** How long storing a report may hold up the end of a command. */
const RECORD_TIMEOUT_MS = 10_000;

const DAY_MS = 86_400_000;

/** The zone of this machine, for dates shown on a terminal. */
function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * The background work of `mxops worker` and `mxops start`: the escalation sweep and nags, and the
 * watches' re-checks, posting through whichever platforms are configured.
 */
async function startBackgroundWorkers(config: Config, connection: Redis, store: OpenDatabase, onError: (error: Error) => void): Promise<{ close(): Promise<void> }> {
  const notifiers = createNagNotifiers({ slack: config.slack, teams: config.teams, teamsReferences: createRedisConversationReferenceStore(connection, config.queue.prefix) });
  const escalation = await startPatchWorkers({
    connection,
    prefix: config.queue.prefix,
    store,
    notifiers,
    sweepEveryMs: config.sweepIntervalSeconds * 1000,
    now: () => Date.now(),
    onError,
    expireOutages: (now) => closeExpiredRequests(store, notifiers, now),
  });
  // A watch's SMTP probes run in this worker: it is one itself, and waiting on the probe queue from here could starve it.
  const run = diagnosisRunner(config, await smtpSettings(config, { queue: false, allowPrivate: false }), createHttpsFetcher());
  const watches = await startWatchWorker({
    connection,
    prefix: config.queue.prefix,
    store,
    notifiers,
    diagnose: (target) => run(target),
    keepMs: config.checkHistoryDays * DAY_MS,
    now: () => new Date(),
    onError,
  });
  return {
    async close() {
      await Promise.all([escalation.close(), watches.close()]);
    },
  };
}

/** The outage calendar feed, when MXOPS_CALENDAR_TOKEN is set. */
function calendarRoutes(config: Config, store: OpenDatabase): Record<string, http.RequestListener> {
  if (config.calendarToken === undefined) return {};
  return { [`/calendar/${config.calendarToken}.ics`]: calendarFeed(() => runOutageCalendar({}, { store, now: () => Date.now() })) };
}

async function openPatchDeps(config: Config): Promise<PatchDeps> {
  return { store: await openStore(config), now: () => Date.now() };
}

/** The console has no notifiers: outage requests typed there reach approvers only where typed. */
function consoleDeps(patch: PatchDeps): { patch: PatchDeps; outage: PatchDeps } {
  return { patch, outage: patch };
}

/** `mxops chat`: the console surface, with the whole diagnosis and the patch inventory behind it. */
async function runChat(config: Config, options: ChatOptions): Promise<number> {
  const smtp = options.dnsOnly ? undefined : await smtpSettings(config, options);
  const https = options.dnsOnly ? undefined : createHttpsFetcher();
  const patch = await openPatchDeps(config);
  await runConsoleChat(process.stdin, process.stdout, mailcheckDeps(config, smtp, https, { store: patch.store }), { ...consoleDeps(patch), ...(options.as !== undefined ? { actor: options.as } : {}) });
  return 0;
}

/** Resolves with the signal's name at the first SIGTERM or SIGINT. */
function nextStopSignal(): Promise<string> {
  return new Promise<string>((resolve) => {
    const stop = (name: string): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(name);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * `mxops start`: the configured chat surfaces, probe workers (unless MXOPS_START_WORKERS=false),
 * and /healthz and /metrics, in one process; SIGTERM lets running work finish.
 */
async function runStart(config: Config): Promise<number> {
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
  const smtp: SmtpSettings = {
    port: config.smtp.port,
    heloName: config.smtp.heloName ?? hostname(),
    prober: createQueuedSmtpProber({ queue, events, cacheSeconds: config.queue.probeCacheSeconds, waitTimeoutMs: config.smtp.totalTimeoutMs * 3 }),
    followUps: { scheduler: createFollowUpScheduler(queue), delayMs: config.queue.greylistRecheckSeconds * 1000 },
  };
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
  const patch: PatchDeps = { ...(await openPatchDeps(config)), notifiers: createNagNotifiers({ slack: config.slack, teams: config.teams, teamsReferences: createRedisConversationReferenceStore(redis, config.queue.prefix) }) };
  const watchQueue = new Queue<WatchJobData>(MAIL_WATCH_QUEUE, { connection: redis, prefix: config.queue.prefix });
  const deps = mailcheckDeps(config, smtp, createHttpsFetcher(), { metrics, logger, running, store: patch.store, watches: watchChatDeps(config, patch.store, watchQueue) });
  const background = workerConnection ? await startBackgroundWorkers(config, workerConnection, patch.store, (error) => logger.error({ err: error }, 'background worker')) : undefined;
  const slack = config.slack ? createSlackApp(config.slack, on('slack'), { patch, outage: patch }) : undefined;
  const slackListening = await slack?.start();
  const teams = config.teams ? createTeamsBot(config.teams, on('teams'), { references: createRedisConversationReferenceStore(redis, config.queue.prefix), patch, outage: patch }) : undefined;
  const teamsServer = config.teams && teams ? await listenForActivities(teams.handle, config.teams.port, config.teams.host) : undefined;
  const ops = createOpsServer(metrics, [{ name: 'redis', probe: async () => (await redis.ping()) === 'PONG' }], calendarRoutes(config, patch.store));
  await new Promise<void>((resolve) => ops.listen(config.http.port, config.http.host, resolve));
  logger.info({ slack: slackListening, teams: config.teams ? { port: config.teams.port } : undefined, http: config.http, workers: worker ? config.queue.workerConcurrency : 0 }, 'mxops started');
  const signal = await nextStopSignal();
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

async function runWorker(config: Config): Promise<number> {
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
  process.stderr.write(
    `mxops worker: probing with concurrency ${config.queue.workerConcurrency}, sweeping patches every ${config.sweepIntervalSeconds} s, re-checking watched domains; SIGTERM or Ctrl-C stops after running jobs finish\n`,
  );
  const signal = await nextStopSignal();
  process.stderr.write(`mxops worker: ${signal}: finishing running jobs\n`);
  await worker.close();
  await background.close();
  connection.disconnect();
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  // `mxops audit export | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  // A .env beside the working directory is a convenience for local runs; real deployments set variables.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const program = buildProgram({
    async check(input) {
      const config = loadConfig(process.env);
      const result = await runCheckCommand(input, checkDeps(config, input.json));
      process.stdout.write(result.output);
      // After the output: a slow or unreachable database costs the history, not the answer.
      await recordReport(config, result.report, 'cli');
      return result.exitCode;
    },
    async bounce(input) {
      const config = loadConfig(process.env);
      const text = input.file === undefined ? await readCappedStream(process.stdin) : await readCappedFile(input.file);
      const deps = checkDeps(config, input.json);
      const diagnosis = await diagnoseBounce(text, input, (target, hypothesis) => diagnoseTarget(target, { ...input, dnsOnly: input.dnsOnly || !hypothesis.smtp }, deps, checksOf(hypothesis)));
      process.stdout.write(input.json ? `${JSON.stringify(bounceToJson(diagnosis), null, 2)}\n` : renderBounceText(diagnosis, input));
      return 0;
    },
    worker: () => runWorker(loadConfig(process.env)),
    chat: (options) => runChat(loadConfig(process.env), options),
    start: () => runStart(loadConfig(process.env)),
    async inventoryImport(input) {
      const store = await openStore(loadConfig(process.env));
      const actor = input.as ?? `cli:${userInfo().username}`;
      process.stdout.write(await runInventoryImport({ ...input, actor }, { store, readFile: (path) => readFile(path, 'utf8'), now: () => Date.now() }));
      return 0;
    },
    async inventoryExport(input) {
      process.stdout.write(await runInventoryExport(input, { store: await openStore(loadConfig(process.env)) }));
      return 0;
    },
    async auditVerify() {
      const { output, exitCode } = await runAuditVerify({ store: await openStore(loadConfig(process.env)) });
      process.stdout.write(output);
      return exitCode;
    },
    async auditExport(input) {
      await runAuditExport(input, { store: await openStore(loadConfig(process.env)), now: () => Date.now(), write: (text) => void process.stdout.write(text) });
      return 0;
    },
    async outageCalendar(input) {
      process.stdout.write(await runOutageCalendar(input, { store: await openStore(loadConfig(process.env)), now: () => Date.now() }));
      return 0;
    },
    async history(input) {
      process.stdout.write(await runHistoryCommand(input, { store: await openStore(loadConfig(process.env)), zone: localZone() }));
      return 0;
    },
    async followUp(input) {
      const config = loadConfig(process.env);
      const { queue, events } = await openQueue(config);
      const result = await runFollowUpCommand(input, { reader: createFollowUpReader(queue, events), clock: () => new Date(), waitSlackMs: config.smtp.totalTimeoutMs + 60_000 });
      process.stdout.write(result.output);
      return result.exitCode;
    },
  });
  try {
    return await program.run(argv);
  } finally {
    await Promise.all(closers.map((close) => close()));
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mxops: ${isAppError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = isAppError(error, 'BAD_INPUT') || isAppError(error, 'BAD_CONFIG') || isAppError(error, 'QUEUE_UNAVAILABLE') ? EXIT_BAD_INPUT : 70;
  },
);
