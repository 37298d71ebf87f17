/**
 * What to close before the process ends (queue connections, the store), whichever command opened
 * it: the entry point closes them all when the command is done.
 */
const closers: (() => Promise<void>)[] = [];

export function closeWhenDone(close: () => Promise<void>): void {
  closers.push(close);
}

export async function closeAll(): Promise<void> {
  await Promise.all(closers.map((close) => close()));
}
