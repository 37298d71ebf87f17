/**
 * `commands` signed /mailcheck slash commands arriving at once at `mxops start` (the real bot as
 * a process, with its in-process probe workers on real Redis): the time to each command's HTTP
 * response (the ack, the first response, which Slack wants within 3 s), the time to its final
 * card (the chat.update whose header reads "<domain>: <verdict>"), and the bot's memory.
 *
 *   node --import tsx bench/slash-burst.ts [commands] [domains]      (defaults 200 and 20)
 *   BENCH_SMOKE=1 node --import tsx bench/slash-burst.ts             (100 and 10; exit 1 past an ack p99 of 600 ms)
 *
 * Commands go round robin over `domains` customer domains (slash-burst-zones.ts), so checks of
 * the same domain join each other, as they do when a partner's outage makes a whole team type
 * /mailcheck at once. Everything is on loopback: DNS and SMTP servers with STARTTLS in a child
 * process (slash-burst-servers.ts), Slack's Web API played by test/support's fake in this
 * process. Needs Redis (MXOPS_REDIS_URL, default redis://127.0.0.1:6379); the bot uses its own
 * key prefix, removed afterwards.
 *
 *   node --import tsx bench/slash-burst.ts 200 200                  (the second case: nothing joins)
 *
 * With as many domains as commands each command checks a domain of its own, with an MX host of its
 * own: 200 diagnoses and 200 SMTP probes where the first case runs 20 and 20, so ten times the work
 * follows the same acks. Up to 242 domains (one loopback address per MX host); 202 smtp-server
 * listeners cost the child process next to nothing (86 MB of RSS, as with 22).
 *
 * The comparison (the obvious alternative): a bot that answered the slash command only when the
 * check was done would have responded at the time this bot's final card arrived. That column is
 * derived from the same run, not measured on a second bot.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { loopbackBotEnv } from '../test/support/bot-env.js';
import { freePort, until } from '../test/support/wait.js';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { type FakeSlackApi, sendToApp, slashCommandBody, startFakeSlackApi } from '../test/support/fake-slack-api.js';
import { dropPrefix } from '../test/support/redis-test.js';
import type { ServersReady, ServersReport } from './slash-burst-servers.js';
import { burstDomains, RESOLVER } from './slash-burst-zones.js';
import { checkGoal, SMOKE } from './smoke.js';

// Smoke: half the burst, still ten times the 10 arrivals that make the bot hold its work (ack-priority.ts);
// without the hold the last of 100 connections would wait ~100 busy loop turns, 1-3 s.
const COMMANDS = SMOKE ? 100 : Number(process.argv[2] ?? 200);
const DOMAINS = SMOKE ? 10 : Number(process.argv[3] ?? 20);
/** The aim (bench/README.md): every ack's p99 under this, where Slack's limit is 3 s. */
const ACK_P99_AIM_MS = 300;
const REDIS_URL = process.env.MXOPS_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = path.resolve(import.meta.dirname, '..');
const SIGNING_SECRET = 'bench-signing-secret';
const BOT_TOKEN = 'xoxb-bench-token';
/** What Slack allows before it shows the user "operation_timeout" for a slash command. */
const SLACK_ACK_LIMIT_MS = 3_000;
const FINAL_DEADLINE_MS = 120_000;
/** Commands typed one at a time while the burst's checks run (full runs only): their acks are the late ones. */
const LATE_COMMANDS = SMOKE ? 0 : 10;
const LATE_EVERY_MS = 200;
const SAMPLE_EVERY_MS = 250;
const MB = 2 ** 20;

if (!Number.isInteger(COMMANDS) || COMMANDS < 1) throw new Error('commands: a positive integer');
const { warmup, solo, domains } = burstDomains(DOMAINS);

// ---- small helpers ----

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let aborted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (aborted) process.exit(130);
    aborted = true;
    process.stderr.write(`\n${signal}: tearing down\n`);
  });
}

/** True once the child has exited, false if it is still running after `ms`. */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Nearest rank: the smallest value with at least p% of the values at or below it. */
function percentile(values: readonly number[], p: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : '-');
const mb = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / MB).toFixed(0)} MB` : '-');

// ---- the bot's /metrics ----

interface Sample {
  readonly rss: number;
  readonly heapUsed: number;
  /** Longest event-loop stall since the previous scrape (prom-client resets it on each collect). */
  readonly lagMax: number;
  readonly cpuSeconds: number;
  readonly queueWaiting: number;
  readonly queueActive: number;
  readonly checks: number;
  readonly probes: number;
  readonly commands: number;
}

function parseMetrics(text: string): Sample {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  /** The sum over every label set of `name`. */
  const sum = (name: string): number => {
    let total = 0;
    for (const [key, value] of values) if (key === name || key.startsWith(`${name}{`)) total += value;
    return total;
  };
  return {
    rss: sum('mxops_process_resident_memory_bytes'),
    heapUsed: sum('mxops_nodejs_heap_size_used_bytes'),
    lagMax: sum('mxops_nodejs_eventloop_lag_max_seconds'),
    cpuSeconds: sum('mxops_process_cpu_seconds_total'),
    queueWaiting: values.get('mxops_probe_queue_jobs{state="waiting"}') ?? 0,
    queueActive: values.get('mxops_probe_queue_jobs{state="active"}') ?? 0,
    checks: sum('mxops_check_seconds_count'),
    probes: sum('mxops_smtp_probe_seconds_count'),
    commands: sum('mxops_commands_total'),
  };
}

async function scrape(metricsUrl: string): Promise<Sample> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}

/** Scrapes every SAMPLE_EVERY_MS until stopped, keeping the peaks. */
function startSampler(metricsUrl: string) {
  const peak = { rss: 0, heapUsed: 0, lagMax: 0, queueWaiting: 0, queueActive: 0, samples: 0, failed: 0 };
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      const sample = await scrape(metricsUrl).catch(() => undefined);
      if (sample) {
        peak.samples++;
        peak.rss = Math.max(peak.rss, sample.rss);
        peak.heapUsed = Math.max(peak.heapUsed, sample.heapUsed);
        peak.lagMax = Math.max(peak.lagMax, sample.lagMax);
        peak.queueWaiting = Math.max(peak.queueWaiting, sample.queueWaiting);
        peak.queueActive = Math.max(peak.queueActive, sample.queueActive);
      } else peak.failed++;
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  return {
    peak,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/** The kernel's own high-water mark of the bot's RSS (Linux), to check the sampled peak against. */
async function rssHighWaterMark(pid: number | undefined): Promise<number> {
  if (pid === undefined) return NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? NaN : Number(kb) * 1024;
}

// ---- following each command through the fake Slack API ----

interface Command {
  readonly id: string;
  readonly domain: string;
  readonly channel: string;
  readonly body: string;
  sentAt: number;
  ackMs: number;
  ackStatus: number;
  ackError?: string;
  /** The "Checking <domain>" card (chat.postMessage without thread_ts). */
  cardAt?: number;
  finalAt?: number;
  verdict?: string;
  updates: number;
  threadPosts: number;
}

function makeCommand(id: string, domain: string, channel: string, slack: FakeSlackApi): Command {
  // A distinct trigger_id each: the bot drops a trigger it has seen as a redelivery.
  const body = slashCommandBody({
    text: domain,
    responseUrl: slack.responseUrl(id),
    triggerId: `trigger-${id}`,
    channel,
  });
  return { id, domain, channel, body, sentAt: NaN, ackMs: NaN, ackStatus: 0, updates: 0, threadPosts: 0 };
}

/** The header of a chat.update's blocks when it is the final card of `domain` ("<domain>: OK"). */
function finalHeader(blocks: unknown, domain: string): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as { type?: unknown; text?: { text?: unknown } }[]) {
    const text = block.type === 'header' ? block.text?.text : undefined;
    if (typeof text === 'string' && text.startsWith(`${domain}: `)) return text;
  }
  return undefined;
}

/** Reads the fake's calls as they come, attributing each to its command by channel. */
function createTracker(slack: FakeSlackApi) {
  const byChannel = new Map<string, Command>();
  const methods = new Map<string, number>();
  let scanned = 0;
  let notOk = 0;
  return {
    methods,
    notOk: () => notOk,
    track(command: Command): void {
      byChannel.set(command.channel, command);
    },
    /** Reads calls that arrived since the last scan. */
    scan(): void {
      for (; scanned < slack.calls.length; scanned++) {
        const call = slack.calls[scanned]!;
        methods.set(call.method, (methods.get(call.method) ?? 0) + 1);
        if (call.status !== 200 || call.response.ok !== true) {
          notOk++;
          continue;
        }
        const command = byChannel.get(String(call.args.channel ?? ''));
        if (!command) continue;
        if (call.method === 'chat.postMessage') {
          if (typeof call.args.thread_ts === 'string') command.threadPosts++;
          else command.cardAt ??= call.at;
        } else if (call.method === 'chat.update') {
          command.updates++;
          const header = finalHeader(call.args.blocks, command.domain);
          if (header !== undefined && command.finalAt === undefined) {
            command.finalAt = call.at;
            command.verdict = header.slice(command.domain.length + 2);
          }
        }
      }
    },
    /** Resolves once no call has arrived for `quietMs` (or after `maxMs`). */
    async quiet(quietMs: number, maxMs: number): Promise<void> {
      const deadline = Date.now() + maxMs;
      let seen = slack.calls.length;
      let since = Date.now();
      while (!aborted && Date.now() < deadline) {
        await sleep(50);
        if (slack.calls.length !== seen) {
          seen = slack.calls.length;
          since = Date.now();
        } else if (Date.now() - since >= quietMs) return;
      }
    },
  };
}

async function fire(command: Command, eventsUrl: string): Promise<void> {
  command.sentAt = Date.now();
  try {
    const delivery = await sendToApp(eventsUrl, command.body, { signingSecret: SIGNING_SECRET });
    command.ackMs = delivery.elapsedMs;
    command.ackStatus = delivery.status;
  } catch (error) {
    command.ackError = error instanceof Error ? error.message : String(error);
  }
}

// ---- the run ----

let servers: ChildProcess | undefined;
let slack: FakeSlackApi | undefined;
let bot: ChildProcess | undefined;
let botExit: number | string | undefined;
let caDir: string | undefined;
let output = '';
const prefix = `mxops-bench-burst-${randomUUID().slice(0, 8)}`;
let failed = false;

// A reader that goes away (| head) must not skip the teardown; if this process dies anyway, the bot goes with it
// (the servers' child exits when its IPC channel closes).
process.stdout.on('error', () => undefined);
process.on('exit', () => {
  if (bot && bot.exitCode === null && bot.signalCode === null) bot.kill('SIGKILL');
});

async function askServers(): Promise<ServersReport> {
  const child = servers;
  if (!child) throw new Error('no servers');
  const reply = once(child, 'message');
  child.send({ report: true });
  return (await reply)[0] as ServersReport;
}

async function teardown(): Promise<void> {
  if (bot && bot.exitCode === null && bot.signalCode === null) {
    bot.kill('SIGTERM');
    if (!(await exited(bot, 20_000))) {
      process.stderr.write('the bot did not stop within 20 s of SIGTERM: SIGKILL\n');
      bot.kill('SIGKILL');
      await exited(bot, 5_000);
    }
  }
  if (bot) botExit = bot.exitCode ?? bot.signalCode ?? undefined;
  await slack?.close().catch(() => undefined);
  if (servers?.connected) servers.disconnect();
  if (servers && !(await exited(servers, 5_000))) servers.kill('SIGKILL');
  const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    await dropPrefix(admin, prefix);
  } catch (error) {
    process.stderr.write(`could not remove the Redis prefix ${prefix}: ${String(error)}\n`);
  } finally {
    admin.disconnect();
  }
  if (caDir) await rm(caDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const tsx = { execArgv: ['--import', 'tsx'] };
  servers = fork(new URL('./slash-burst-servers.ts', import.meta.url), [String(DOMAINS)], tsx);
  const [ready] = (await once(servers, 'message')) as [ServersReady];
  slack = await startFakeSlackApi({ botToken: BOT_TOKEN });
  // The MX hosts' certificates come from a test CA; the bot trusts it the way an operator would add a private CA.
  caDir = await mkdtemp(path.join(tmpdir(), 'mxops-slash-burst-'));
  const caFile = path.join(caDir, 'ca.pem');
  await writeFile(caFile, ready.caCert);

  const [slackPort, httpPort] = [await freePort(), await freePort()];
  // Nothing of the caller's MXOPS_* settings or proxies. The bot also reads a .env in its working directory, which never
  // overrides a variable that is set, even to "": hence the empty app token (Socket Mode would go to Slack) and Teams id.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('MXOPS_') && !/^(https?|all|no)_proxy$/i.test(key)),
  );
  const spawnedAt = Date.now();
  // SLASH_BURST_CPU_PROF=<dir>: a V8 CPU profile of the bot, written when it exits.
  const profile = process.env.SLASH_BURST_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SLASH_BURST_CPU_PROF}`]
    : [];
  bot = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts', 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      NODE_EXTRA_CA_CERTS: caFile,
      ...loopbackBotEnv({
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        slackApiUrl: slack.apiUrl,
        slackPort,
        httpPort,
        redisUrl: REDIS_URL,
        queuePrefix: prefix,
        resolver: `${RESOLVER}:${ready.dnsPort}`,
        dnsPort: ready.dnsPort,
        smtpPort: ready.smtpPort,
      }),
      MXOPS_SLACK_COMMAND: '/mailcheck',
      MXOPS_START_WORKERS: 'true',
      MXOPS_WORKER_CONCURRENCY: '16',
      MXOPS_PROBE_CACHE_SECONDS: '300',
    },
  });
  const keep = (text: string): void => void (output = (output + text).slice(-20_000));
  bot.stdout?.setEncoding('utf8').on('data', keep);
  bot.stderr?.setEncoding('utf8').on('data', keep);
  const base = `http://127.0.0.1:${httpPort}`;
  const eventsUrl = `http://127.0.0.1:${slackPort}/slack/events`;
  // until() takes a probe that throws for "not yet", so a bot that died says so by an answer of its own.
  const health = await until(
    '/healthz',
    async () => {
      if (bot?.exitCode !== null || bot.signalCode !== null) return 'exited';
      return (await fetch(`${base}/healthz`)).status === 200 ? 'ready' : undefined;
    },
    { timeoutMs: 60_000, everyMs: 100, aborted: () => aborted },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${output}`);
  });
  if (health === 'exited')
    throw new Error(`the bot exited (${bot.exitCode ?? bot.signalCode}) before /healthz answered`);
  const startupMs = Date.now() - spawnedAt;

  const tracker = createTracker(slack);
  const followAlone = async (domain: string, channel: string): Promise<Command> => {
    const command = makeCommand(channel, domain, channel, slack!);
    tracker.track(command);
    await fire(command, eventsUrl);
    await until(`the final card of ${domain}`, () => (tracker.scan(), command.finalAt), {
      timeoutMs: 30_000,
      aborted: () => aborted,
    });
    await tracker.quiet(500, 10_000);
    return command;
  };
  // The first check of a fresh process pays for lazy compilation; solo.test then shows one command on a warm, idle bot.
  const first = await followAlone(warmup.domain, 'C0WARMUP');
  const alone = await followAlone(solo.domain, 'C0SOLO00');

  const before = await scrape(`${base}/metrics`);
  const serversBefore = await askServers();
  const callsBefore = slack.calls.length;
  const commands = Array.from({ length: COMMANDS }, (_, i) =>
    makeCommand(`burst-${i + 1}`, domains[i % domains.length]!.domain, `C${String(i + 1).padStart(7, '0')}`, slack!),
  );
  for (const command of commands) tracker.track(command);

  const sampler = startSampler(`${base}/metrics`);
  // This process sends the commands and plays Slack: if its own loop stalled, the figures would be its delay, not the bot's.
  const ownLoop = monitorEventLoopDelay({ resolution: 10 });
  ownLoop.enable();
  const ownCpu = process.cpuUsage();
  const burstAt = Date.now();
  await Promise.all(commands.map((command) => fire(command, eventsUrl)));
  const acksDoneMs = Date.now() - burstAt;
  // Someone typing a command while the burst's checks run: one at a time, LATE_EVERY_MS apart, from the last ack on.
  const late = Array.from({ length: LATE_COMMANDS }, (_, i) =>
    makeCommand(`late-${i + 1}`, solo.domain, `L${String(i + 1).padStart(7, '0')}`, slack!),
  );
  for (const command of late) {
    await fire(command, eventsUrl);
    await sleep(LATE_EVERY_MS);
  }
  await until(
    'every final card',
    () => {
      tracker.scan();
      return commands.every((c) => c.finalAt !== undefined || c.ackStatus !== 200) ? true : undefined;
    },
    { timeoutMs: FINAL_DEADLINE_MS, everyMs: 50, aborted: () => aborted },
  ).catch((error: unknown) => {
    if (aborted) throw error;
    process.stderr.write(`${String(error)}\n`);
  });
  const finalsDoneMs = Date.now() - burstAt;
  // Thread replies come after the final card; "after" is the bot at rest again.
  await tracker.quiet(1_000, 15_000);
  tracker.scan();
  ownLoop.disable();
  const ownCpuMs = (process.cpuUsage(ownCpu).user + process.cpuUsage(ownCpu).system) / 1000;
  await sampler.stop();
  const after = await scrape(`${base}/metrics`);
  const hwm = await rssHighWaterMark(bot.pid);
  const serversAfter = await askServers();

  // ---- figures ----
  const acks = commands.map((c) => c.ackMs);
  const finals = commands.map((c) => (c.finalAt === undefined ? NaN : c.finalAt - c.sentAt));
  const cards = commands.map((c) => (c.cardAt === undefined ? NaN : c.cardAt - c.sentAt));
  const notAcked = commands.filter((c) => c.ackStatus !== 200);
  const noFinal = commands.filter((c) => c.finalAt === undefined);
  const lateAcks = acks.filter((a) => !(a <= SLACK_ACK_LIMIT_MS)).length;
  // The alternative: answer the slash command only when the check is done, i.e. at the final card.
  const lateIfAckAfterWork = finals.filter((f) => !(f <= SLACK_ACK_LIMIT_MS)).length;
  const peakRss = Math.max(sampler.peak.rss, after.rss);
  const peakHeap = Math.max(sampler.peak.heapUsed, after.heapUsed);
  const verdicts = new Map<string, number>();
  for (const c of commands) if (c.verdict !== undefined) verdicts.set(c.verdict, (verdicts.get(c.verdict) ?? 0) + 1);
  const updates = commands.map((c) => c.updates);
  const threadPosts = commands.map((c) => c.threadPosts);
  const burstCalls = slack.calls.slice(callsBefore);
  const byMethod = new Map<string, number>();
  for (const call of burstCalls) byMethod.set(call.method, (byMethod.get(call.method) ?? 0) + 1);
  const fmt = (values: number[]): string =>
    `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))} / ${ms(Math.max(...values.filter(Number.isFinite)))}`;

  console.log(
    `${COMMANDS} /mailcheck commands at once over ${DOMAINS} domains: mxops start (tsx, in-process probe workers, concurrency 16) on Redis ${REDIS_URL}`,
  );
  console.log(
    `bot ready in ${(startupMs / 1000).toFixed(1)} s; first check (cold): ack ${ms(first.ackMs)}, final card ${ms((first.finalAt ?? NaN) - first.sentAt)}; one check on the warm idle bot: ack ${ms(alone.ackMs)}, final card ${ms((alone.finalAt ?? NaN) - alone.sentAt)}`,
  );
  console.log('');
  console.log(
    '| commands | domains | ack median / p99 / max | final update median / p99 / max | RSS before / peak / after | heap used peak | no final update |',
  );
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| ${COMMANDS} | ${DOMAINS} | ${fmt(acks)} | ${fmt(finals)} | ${mb(before.rss)} / ${mb(peakRss)} / ${mb(after.rss)} | ${mb(peakHeap)} (before ${mb(before.heapUsed)}) | ${noFinal.length} |`,
  );
  console.log('');
  // The first card shows when the first command's work began: before the last ack, it took CPU from the acks.
  console.log(
    `"Checking" card posted (chat.postMessage), first ${ms(Math.min(...cards.filter(Number.isFinite)))}, median / p99 / max: ${fmt(cards)}`,
  );
  if (late.length > 0)
    console.log(
      `${late.length} commands typed one at a time, ${LATE_EVERY_MS} ms apart, from the burst's last ack on: ack ${late.map((c) => ms(c.ackMs)).join(', ')}; ` +
        `${late.filter((c) => c.ackStatus !== 200).length} not 200`,
    );
  console.log(
    `every ack in ${ms(acksDoneMs)}, every final card in ${ms(finalsDoneMs)} after the burst began; acks over Slack's 3 s: ${lateAcks}; non-200 or failed acks: ${notAcked.length}`,
  );
  console.log(
    `ack first vs. ack after the work (derived from this run): p99 ${ms(percentile(acks, 99))} vs ${ms(percentile(finals, 99))}, ratio ${(percentile(acks, 99) / percentile(finals, 99)).toFixed(3)}; ` +
      `${lateIfAckAfterWork} of ${COMMANDS} responses would have come after Slack's 3 s`,
  );
  console.log(`verdicts: ${[...verdicts].map(([v, n]) => `${v} x${n}`).join(', ') || '-'}`);
  console.log(
    `bot: ${(after.checks - before.checks).toFixed(0)} diagnoses ran, ${(after.probes - before.probes).toFixed(0)} SMTP probes, mxops_commands_total +${(after.commands - before.commands).toFixed(0)}; ` +
      `CPU ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s; event-loop stall peak ${ms(sampler.peak.lagMax * 1000)}; probe queue peak ${sampler.peak.queueWaiting} waiting, ${sampler.peak.queueActive} active; ` +
      `RSS high-water mark (kernel) ${mb(hwm)}; ${sampler.peak.samples} /metrics samples (${sampler.peak.failed} failed)`,
  );
  console.log(
    `servers (child process): ${serversAfter.dnsQueries - serversBefore.dnsQueries} DNS queries, ${serversAfter.smtpConnections - serversBefore.smtpConnections} SMTP connections, CPU ${((serversAfter.cpuMs - serversBefore.cpuMs) / 1000).toFixed(2)} s; ` +
      `this process (commands and fake Slack): CPU ${(ownCpuMs / 1000).toFixed(2)} s, event-loop delay p99 ${ms(ownLoop.percentile(99) / 1e6)}, max ${ms(ownLoop.max / 1e6)}`,
  );
  console.log(
    `Slack calls during the burst: ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}; not ok: ${tracker.notOk()}; ` +
      `chat.update per command min/median/max ${Math.min(...updates)}/${percentile(updates, 50)}/${Math.max(...updates)}; thread posts per command ${Math.min(...threadPosts)}-${Math.max(...threadPosts)}`,
  );
  const logged = output.split('\n').filter((line) => line.trim() !== '');
  if (logged.length > 0)
    console.log(`bot output at warn (${logged.length} lines), first: ${logged.slice(0, 3).join(' | ').slice(0, 600)}`);
  if (noFinal.length > 0)
    console.log(
      `no final card for: ${noFinal
        .slice(0, 10)
        .map((c) => `${c.channel} (${c.domain})`)
        .join(', ')}${noFinal.length > 10 ? ', ...' : ''}`,
    );
  if (notAcked.length > 0)
    console.log(
      `failed acks: ${notAcked
        .slice(0, 5)
        .map((c) => `${c.channel} ${c.ackStatus} ${c.ackError ?? ''}`)
        .join(', ')}`,
    );
  failed = noFinal.length > 0 || notAcked.length > 0;
  if (SMOKE)
    // Twice the aim: 100 commands' acks took a p99 of 177 ms with the machine's load at 8 on 2 cores.
    checkGoal({
      what: `ack p99 of ${COMMANDS} commands at once`,
      value: percentile(acks, 99),
      unit: ' ms',
      atMost: 2 * ACK_P99_AIM_MS,
      why: `twice the aim of ${ACK_P99_AIM_MS} ms`,
    });
}

try {
  await main();
} catch (error) {
  failed = true;
  process.stderr.write(`slash-burst: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
} finally {
  await teardown();
}
if (botExit !== 0 && botExit !== undefined) {
  failed = true;
  process.stderr.write(`the bot exited with ${botExit} after SIGTERM\n${output.slice(-3_000)}\n`);
}
// A missed smoke goal has set the exit status already.
if (failed) process.exitCode = 1;
