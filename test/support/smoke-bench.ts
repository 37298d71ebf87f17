/**
 * One bench of bench/ in smoke mode (bench/smoke.ts) as a process of its own, the way a developer
 * runs it: `node --import tsx bench/<name>.ts` with BENCH_SMOKE=1, in a process group of its own so
 * that nothing it started outlives it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** After the deadline's SIGINT (slash-burst.ts and nag-kill.ts tear down on it), before SIGKILL. */
const TEARDOWN_GRACE_MS = 20_000;
/** How long the bench's servers, workers and bot may take to go once the bench has exited. */
const CHILDREN_GRACE_MS = 10_000;
const KEPT_OUTPUT = 40_000;

export interface SmokeRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr as they came, the last KEPT_OUTPUT characters, with what went wrong around the bench. */
  readonly output: string;
  readonly ms: number;
}

export interface SmokeOptions {
  /** Node.js flags before `--import tsx`: `--expose-gc`. */
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Past this the bench is interrupted (SIGINT), then killed with everything it started. */
  readonly deadlineMs: number;
}

/** The most a run may take in all: its deadline and the teardown after it. */
export const smokeRunLimitMs = (deadlineMs: number): number => deadlineMs + TEARDOWN_GRACE_MS + CHILDREN_GRACE_MS;

export async function runSmokeBench(name: string, options: SmokeOptions): Promise<SmokeRun> {
  const started = performance.now();
  const bench = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', `bench/${name}.ts`], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, BENCH_SMOKE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const group = bench.pid;
  if (group === undefined) throw new Error(`could not start bench/${name}.ts`);
  let output = '';
  const keep = (text: string): void => void (output = (output + text).slice(-KEPT_OUTPUT));
  bench.stdout.setEncoding('utf8').on('data', keep);
  bench.stderr.setEncoding('utf8').on('data', keep);
  const exited = once(bench, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  const interrupt = setTimeout(() => {
    // To the bench alone: it tears down what it started (slash-burst.ts, nag-kill.ts) or dies, and SIGKILL follows.
    keep(`\n[smoke test] past the ${options.deadlineMs / 1000} s deadline: SIGINT\n`);
    bench.kill('SIGINT');
  }, options.deadlineMs);
  const kill = setTimeout(() => {
    keep(`\n[smoke test] still running ${TEARDOWN_GRACE_MS / 1000} s after SIGINT: SIGKILL to its process group\n`);
    signalGroup(group, 'SIGKILL');
  }, options.deadlineMs + TEARDOWN_GRACE_MS);
  const [code, signal] = await exited;
  clearTimeout(interrupt);
  clearTimeout(kill);
  const ms = performance.now() - started;

  // A server, worker or bot left behind is a failed clean-up, which the exit status alone would hide.
  const left = await leftRunning(group, CHILDREN_GRACE_MS);
  if (left.length > 0) {
    keep(
      `\n[smoke test] still running ${CHILDREN_GRACE_MS / 1000} s after the bench exited, killed:\n${left.join('\n')}\n`,
    );
    signalGroup(group, 'SIGKILL');
    return { code: code === 0 ? 1 : code, signal, output, ms };
  }
  return { code, signal, output, ms };
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // ESRCH: every process of the group has gone.
  }
}

/** The group's processes still running after `withinMs`, as "pid command line"; empty once all have gone. */
async function leftRunning(group: number, withinMs: number): Promise<string[]> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const left = runningInGroup(group);
    if (left.length === 0 || performance.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * From /proc (Linux, as CI), leaving out zombies: an orphan that exited stays in its group as one
 * until init reaps it, which the init of some containers never does, so kill(-group, 0) cannot tell.
 */
function runningInGroup(group: number): string[] {
  const running: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: the command name may hold spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== group || state === 'Z') continue;
      running.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`);
    } catch {
      // Gone while being read.
    }
  }
  return running;
}
