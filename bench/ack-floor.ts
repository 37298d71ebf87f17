/**
 * The floor under slash-burst.ts's ack times: `commands` signed slash commands at once to a Bolt
 * App (HTTP mode, the options slack-app.ts uses) whose handler only acks, in a child process, so
 * this process does nothing but send and time.
 *
 *   node --import tsx bench/ack-floor.ts [commands] [busyMs]      (defaults 200 and 0)
 *   BENCH_SMOKE=1 node --import tsx bench/ack-floor.ts            (200, idle; exit 1 past 2x the recorded ratio)
 *
 * The same burst first goes to a plain node:http server in the same kind of child process that
 * reads each body and answers 200: the floor of this machine, node:http and this harness (its
 * fetch and its HMACs) at the load of the moment. Bolt's p99 over that one is the figure the smoke
 * run checks: a ratio taken in one run holds on a slower or busier machine, where the absolute
 * times do not (on one 2-core machine: 329-343 ms idle, 719 ms with the other core busy).
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
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { App, LogLevel } from '@slack/bolt';
import { sendToApp, slashCommandBody, type Delivery } from '../test/support/fake-slack-api.js';
import { checkGoal, checkThat, SMOKE } from './smoke.js';

const SIGNING_SECRET = 'ack-floor-secret';
/** Bolt's ack p99 over the plain server's in the same run, idle (2026-12-08, the worst of five runs). */
const RECORDED_RATIO = 1.62;

/** Who answers the burst: the Bolt App as the bot configures it, or node:http alone (the floor). */
type Receiver = 'bolt' | 'plain';

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

/** Answers every request with an empty 200 once its body is read, as Bolt's ack does. */
function plainServer(onFirstRequest: () => void): Promise<Server> {
  const server = createServer((req, res) => {
    onFirstRequest();
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function boltServer(onFirstRequest: () => void): Promise<{ server: Server; stop: () => Promise<unknown> }> {
  const app = new App({
    signingSecret: SIGNING_SECRET,
    endpoints: '/slack/events',
    processBeforeResponse: false,
    convoStore: false,
    logLevel: LogLevel.ERROR,
    // No Web API here: the bot's authorize awaits one auth.test made at start-up; this answers the same at once.
    authorize: async () => ({ botToken: 'xoxb-floor', botId: 'B0FLOOR', botUserId: 'U0FLOOR' }),
  });
  app.command('/mailcheck', async ({ ack }) => {
    onFirstRequest();
    await ack();
  });
  return { server: (await app.start({ port: 0, host: '127.0.0.1' })) as Server, stop: () => app.stop() };
}

async function serve(receiver: Receiver, busyMs: number): Promise<void> {
  const timings: Timings = { accepts: [], requests: [], turnsWhileBusy: 0 };
  let busyUntil = 0;
  const spin = (): void => {
    if (performance.now() > busyUntil) return;
    const until = performance.now() + busyMs;
    while (performance.now() < until);
    timings.turnsWhileBusy++;
    setImmediate(spin);
  };
  // The warm-up request starts nothing: the busy time begins with the burst's first request.
  let seen = 0;
  const onRequest = (): void => {
    if (++seen !== 2 || busyMs <= 0) return;
    busyUntil = performance.now() + 5_000;
    setImmediate(spin);
  };
  const { server, stop } =
    receiver === 'bolt'
      ? await boltServer(onRequest)
      : await plainServer(onRequest).then((plain) => ({
          server: plain,
          stop: () => new Promise((resolve) => plain.close(resolve)),
        }));
  server.on('connection', () => timings.accepts.push(performance.timeOrigin + performance.now()));
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    const entry = { at: performance.timeOrigin + performance.now(), respondedAt: NaN };
    timings.requests.push(entry);
    res.once('finish', () => (entry.respondedAt = performance.timeOrigin + performance.now()));
  });
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  process.on('message', () => process.send?.(timings));
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
}

/** `commands` commands at once to a fresh child serving with `receiver`; what each side saw. */
async function burst(
  receiver: Receiver,
  commands: number,
  busyMs: number,
): Promise<{ deliveries: Delivery[]; timings: Timings; startedAt: number }> {
  const child = fork(import.meta.filename, ['serve', receiver, String(busyMs)], { execArgv: ['--import', 'tsx'] });
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
  return { deliveries, timings, startedAt };
}

/** Prints what one burst saw; returns its ack p99 and how many answers were not 200. */
function report(receiver: Receiver, run: Awaited<ReturnType<typeof burst>>): { p99: number; bad: number } {
  const { deliveries, timings, startedAt } = run;
  const acks = deliveries.map((d) => d.elapsedMs);
  const bad = deliveries.filter((d) => d.status !== 200).length;
  const accepts = timings.accepts.filter((t) => t >= startedAt);
  const requests = timings.requests.filter((r) => r.at >= startedAt);
  const first = Math.min(...accepts);
  console.log(`${receiver === 'bolt' ? 'Bolt App that only acks' : 'plain node:http server'}:`);
  console.log(`  ack (this process) median / p99 / max: ${fmt(acks)}; non-200: ${bad}`);
  console.log(
    `  child, after the first accept: accepted ${fmt(accepts.map((t) => t - first))}; 'request' event ${fmt(requests.map((r) => r.at - first))}; response ${fmt(requests.map((r) => r.respondedAt - first))}`,
  );
  console.log(
    `  child: 'request' to response ${fmt(requests.map((r) => r.respondedAt - r.at))}; loop turns spent busy: ${timings.turnsWhileBusy}`,
  );
  return { p99: pct(acks, 99), bad };
}

async function main(): Promise<void> {
  // Smoke: the recorded case, 200 commands to an idle app; it takes about two seconds.
  const commands = SMOKE ? 200 : Number(process.argv[2] ?? 200);
  const busyMs = SMOKE ? 0 : Number(process.argv[3] ?? 0);
  console.log(`${commands} signed slash commands at once (child processes), busy ${busyMs} ms per loop turn`);
  // This process's own first burst is slower (its fetch and signing are compiled on the way): one unreported burst first.
  await burst('plain', commands, 0);
  const plain = report('plain', await burst('plain', commands, busyMs));
  const bolt = report('bolt', await burst('bolt', commands, busyMs));
  const ratio = bolt.p99 / plain.p99;
  console.log(`Bolt's ack p99 over the plain server's: ${ratio.toFixed(2)}x`);
  if (SMOKE) {
    checkThat(`all ${commands} commands answered 200 by both`, plain.bad + bolt.bad === 0);
    checkGoal({
      what: `ack p99 of ${commands} commands to a Bolt App that only acks, over a plain node:http server's`,
      value: Number(ratio.toFixed(2)),
      unit: 'x',
      atMost: Number((2 * RECORDED_RATIO).toFixed(2)),
      why: `twice the ${RECORDED_RATIO}x recorded`,
    });
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Receiver, Number(process.argv[4] ?? 0));
else await main();
