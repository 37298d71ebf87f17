/** Waiting in tests and benchmarks: for a condition by polling, and for a free port. */
import net from 'node:net';

export interface UntilOptions {
  readonly timeoutMs?: number;
  readonly everyMs?: number;
  /** Stops the wait early (a benchmark's Ctrl-C). */
  readonly aborted?: () => boolean;
}

/**
 * Polls `probe` until it gives a value other than undefined or false, and resolves to it. A probe
 * that throws counts as "not yet". Rejects after the time-out, naming what was awaited.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 20_000, everyMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.aborted?.()) throw new Error(`interrupted while waiting for ${what}`);
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A port that was free a moment ago on 127.0.0.1, for a child process to listen on. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
