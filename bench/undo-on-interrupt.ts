/**
 * What a bench must undo if it is interrupted: Ctrl-C, or SIGINT from the smoke test past its
 * deadline (test/support/smoke-bench.ts). A bench stuck awaiting something that never comes never
 * reaches its finally blocks, so on SIGINT or SIGTERM the steps registered here run (at most
 * UNDO_LIMIT_MS), then the process ends. Its forked servers and workers end with their IPC channel.
 */

const UNDO_LIMIT_MS = 15_000;
const steps = new Set<() => Promise<void>>();
let listening = false;

/** Registers a step (drop a Redis prefix, a schema); call the result once the bench has done it itself. */
export function undoOnInterrupt(step: () => Promise<void>): () => void {
  if (!listening) {
    listening = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void undoAndExit(signal));
  }
  steps.add(step);
  return () => void steps.delete(step);
}

async function undoAndExit(signal: NodeJS.Signals): Promise<void> {
  process.stderr.write(`${signal}: undoing what the bench set up, then exiting\n`);
  const limit = new Promise((resolve) => setTimeout(resolve, UNDO_LIMIT_MS).unref());
  const undone = Promise.allSettled([...steps].map((step) => step()));
  await Promise.race([undone, limit]);
  process.exit(130);
}
