/**
 * The floor under slash-burst.ts's ack times: `commands` signed slash commands at once to a Bolt
 * App (HTTP mode, the options slack-app.ts uses) whose handler only acks, in a child process, so
 * this process does nothing but send and time.
 *
 *   node --import tsx bench/ack-floor.ts [commands] [busyMs]      (defaults 200 and 0)
 *   BENCH_SMOKE=1 node --import tsx bench/ack-floor.ts            (200, idle; exit 1 past an ack p99 of 414 ms)
 *
 * busyMs > 0: from the first request on, for 5 s, every turn of the child's event loop also spins
 * the CPU for busyMs (a setImmediate chain), standing in for a bot whose loop is busy with the
 * work behind earlier commands. libuv (1.45 and later, Node 20) accepts one connection per turn of
 * the loop, so the time to accept a burst grows with the length of a turn, not with the work per
 * request. The child reports, per request, when its connection was accepted ('connection') and
 * when its 'request' event and its response came, relative to the first accept.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import type { Server, IncomingMessage, ServerResponse } from 'node:http';
import { App, LogLevel } from '@slack/bolt';
import { sendToApp, slashCommandBody } from '../test/support/fake-slack-api.js';
import { checkGoal, checkThat, SMOKE } from './smoke.js';

const SIGNING_SECRET = 'ack-floor-secret';
/** The idle floor recorded for 200 commands (2026-11-26, the worst of three runs). */
const RECORDED_IDLE_P99_MS = 207;
/** The smoke limit; why it is not twice the recorded floor is said where it is checked. */
const BUSY_MACHINE_LIMIT_MS = 600;

interface Timings {
  readonly accepts: number[];
  readonly requests: { at: number; respondedAt: number }[];
  turnsWhileBusy: number;
}

const pct = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};
const fmt = (values: readonly number[]): string =>
  `${pct(values, 50).toFixed(0)} / ${pct(values, 99).toFixed(0)} / ${Math.max(...values).toFixed(0)} ms`;

async function serve(busyMs: number): Promise<void> {
  const timings: Timings = { accepts: [], requests: [], turnsWhileBusy: 0 };
  const app = new App({
    signingSecret: SIGNING_SECRET,
    endpoints: '/slack/events',
    processBeforeResponse: false,
    convoStore: false,
    logLevel: LogLevel.ERROR,
    // No Web API here: the bot's authorize awaits one auth.test made at start-up; this answers the same at once.
    authorize: async () => ({ botToken: 'xoxb-floor', botId: 'B0FLOOR', botUserId: 'U0FLOOR' }),
  });
  let busyUntil = 0;
  const spin = (): void => {
    if (performance.now() > busyUntil) return;
    const until = performance.now() + busyMs;
    while (performance.now() < until);
    timings.turnsWhileBusy++;
    setImmediate(spin);
  };
  app.command('/mailcheck', async ({ ack }) => {
    if (busyMs > 0 && busyUntil === 0) {
      busyUntil = performance.now() + 5_000;
      setImmediate(spin);
    }
    await ack();
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  server.on('connection', () => timings.accepts.push(performance.timeOrigin + performance.now()));
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    const entry = { at: performance.timeOrigin + performance.now(), respondedAt: NaN };
    timings.requests.push(entry);
    res.once('finish', () => (entry.respondedAt = performance.timeOrigin + performance.now()));
  });
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  process.on('message', () => process.send?.(timings));
  process.on('disconnect', () => void app.stop().finally(() => process.exit(0)));
}

async function main(): Promise<void> {
  // Smoke: the recorded case, 200 commands to an idle app; it takes about a second.
  const commands = SMOKE ? 200 : Number(process.argv[2] ?? 200);
  const busyMs = SMOKE ? 0 : Number(process.argv[3] ?? 0);
  const child = fork(import.meta.filename, ['serve', String(busyMs)], { execArgv: ['--import', 'tsx'] });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const url = `http://127.0.0.1:${port}/slack/events`;
  // One request first, so neither side pays for lazy compilation during the burst.
  await sendToApp(url, slashCommandBody({ text: 'warm', responseUrl: 'http://127.0.0.1:9/r' }), {
    signingSecret: SIGNING_SECRET,
  });
  const bodies = Array.from({ length: commands }, (_, i) =>
    slashCommandBody({ text: `d${i}.test`, responseUrl: `http://127.0.0.1:9/r${i}`, channel: `C${i}` }),
  );
  const startedAt = performance.timeOrigin + performance.now();
  const deliveries = await Promise.all(bodies.map((body) => sendToApp(url, body, { signingSecret: SIGNING_SECRET })));
  const reply = once(child, 'message');
  child.send('report');
  const [timings] = (await reply) as [Timings];
  child.disconnect();
  await once(child, 'exit');

  const acks = deliveries.map((d) => d.elapsedMs);
  const bad = deliveries.filter((d) => d.status !== 200).length;
  const accepts = timings.accepts.filter((t) => t >= startedAt);
  const requests = timings.requests.filter((r) => r.at >= startedAt);
  const first = Math.min(...accepts);
  console.log(
    `${commands} signed slash commands at once to a Bolt App that only acks (child process), busy ${busyMs} ms per loop turn`,
  );
  console.log(`ack (this process) median / p99 / max: ${fmt(acks)}; non-200: ${bad}`);
  console.log(
    `child, after the first accept: accepted ${fmt(accepts.map((t) => t - first))}; 'request' event ${fmt(requests.map((r) => r.at - first))}; response ${fmt(requests.map((r) => r.respondedAt - first))}`,
  );
  console.log(
    `child: 'request' to response ${fmt(requests.map((r) => r.respondedAt - r.at))}; loop turns spent busy: ${timings.turnsWhileBusy}`,
  );
  if (SMOKE) {
    checkThat(`all ${commands} commands answered 200`, bad === 0);
    // The floor is Bolt's, node:http's and this harness's CPU (nothing of mxops's), so it grows with
    // the machine's load: 261-351 ms at load averages of 5-9, once 465 ms at 8, where twice the
    // recorded 207 ms would fail a healthy run. The limit is 600 ms (2.9x): a doubling on a quiet
    // machine passes here, and only the full run (with its table) shows it; a Bolt that acks after
    // the work, or one connection per loop turn, fails at once (seconds, bench/README.md).
    checkGoal({
      what: `ack p99 of ${commands} commands to an app that only acks`,
      value: pct(acks, 99),
      unit: ' ms',
      atMost: BUSY_MACHINE_LIMIT_MS,
      why: `the ${RECORDED_IDLE_P99_MS} ms recorded, with room for a busy CI machine`,
    });
  }
}

if (process.argv[2] === 'serve') await serve(Number(process.argv[3] ?? 0));
else await main();
