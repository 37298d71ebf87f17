/**
 * At most `limit` tasks at once per key (a server's address), the rest waiting in order of
 * arrival: how a run that checks many domains stays polite to each server it shares among them.
 */
export type KeyedLimit = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function createKeyedLimit(limit: number): KeyedLimit {
  const queues = new Map<string, { running: number; readonly waiting: (() => void)[] }>();
  return async (key, task) => {
    let queue = queues.get(key);
    if (!queue) {
      queue = { running: 0, waiting: [] };
      queues.set(key, queue);
    }
    if (queue.running >= limit) await new Promise<void>((resolve) => queue.waiting.push(resolve));
    queue.running++;
    try {
      return await task();
    } finally {
      queue.running--;
      const next = queue.waiting.shift();
      if (next) next();
      else if (queue.running === 0) queues.delete(key);
    }
  };
}
