/** The real `mxops` command line as a child process, the way a user runs it. */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `mxops <args>` from the checkout with extra environment; resolves with its exit code and output. */
export async function runMxops(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { readonly input?: string } = {},
): Promise<CliRun> {
  const child = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  // mxops stops reading at its input cap and may exit before taking everything: that is not an error here.
  child.child.stdin?.on('error', () => undefined);
  child.child.stdin?.end(options.input);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let measuredStartup: Promise<number> | undefined;

/**
 * Wall time of one process that loads every command's modules on this machine, now: the most a
 * CLI run pays before it does anything. Since each command loads only what it uses, `mxops --help`
 * (commander alone) would understate what a check or the bot loads. Measured once per test file,
 * so a loaded machine gets a budget to match.
 */
export function cliStartupMs(): Promise<number> {
  measuredStartup ??= (async () => {
    const started = performance.now();
    const modules = readdirSync(path.join(ROOT, 'src/cli')).filter(
      (file) => file.startsWith('run-') && file.endsWith('.ts'),
    );
    const script = modules.map((file) => `await import(${JSON.stringify(`./src/cli/${file}`)});`).join('\n');
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      timeout: 60_000,
    });
    return performance.now() - started;
  })();
  return measuredStartup;
}

/** Headroom over the measured start-up for each process: its own work, and the other core's load changing mid-test. */
const STARTUP_HEADROOM = 3;
const WORK_PER_PROCESS_MS = 2_000;

/**
 * Time budgets from the work a test does rather than a fixed constant: `budget(processes, otherMs)`
 * allows `processes` CLI runs at three times the measured start-up plus their own work each, plus
 * `otherMs` for whatever else the test waits for (a server starting). Await it at a test file's top
 * level; the start-up is measured then.
 */
export async function cliBudget(): Promise<(processes: number, otherMs?: number) => number> {
  const startup = await cliStartupMs();
  return (processes, otherMs = 0) =>
    Math.ceil(processes * (STARTUP_HEADROOM * startup + WORK_PER_PROCESS_MS) + otherMs);
}
