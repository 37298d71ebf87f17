/**
 * A real daemon (knotd, exim) run by a test: its output collected for error messages, killed if
 * the test process dies without stopping it, and stopped with SIGTERM then SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Daemon {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Why it is gone (exited or never ran), or undefined while it runs. */
  gone(): string | undefined;
  /** Stops it (SIGTERM, SIGKILL after 3 s) and resolves once its output is drained. */
  stop(): Promise<void>;
}

export function spawnDaemon(binary: string, args: readonly string[], name: string): Daemon {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (output += text));
  // If the test process dies without calling stop(), do not leave the daemon holding the port.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let gone: string | undefined;
  // 'close' comes after 'exit' once stdout and stderr are drained, so `output` is complete.
  const closed = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      gone ??= `cannot run ${binary}: ${error.message}`;
      resolve();
    });
    child.once('close', (code, signal) => {
      gone ??= `${name} exited (${signal ?? `status ${code}`})`;
      resolve();
    });
  });
  return {
    child,
    output: () => output,
    gone: () => gone,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.pid === undefined) return; // never started
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
