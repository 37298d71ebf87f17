/** The real `mxops` command line as a child process, the way a user runs it. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `mxops <args>` from the checkout with extra environment; resolves with its exit code and output. */
export async function runMxops(args: readonly string[], env: Record<string, string> = {}, options: { readonly input?: string } = {}): Promise<CliRun> {
  const child = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
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
