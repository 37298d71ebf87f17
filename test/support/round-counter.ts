/**
 * The longest chain of dependent DNS queries a check sends, counted without timing: queries wait
 * until no new one has come for a few milliseconds, then the whole batch is answered; the number of
 * batches is the chain, whatever the machine's speed. The inner client must answer at once (in
 * memory), or one batch's answers may straggle into two rounds.
 */
import type { DnsClient, DnsQuery, DnsQueryOptions, DnsReply } from '../../src/diagnosis/dns-port.js';
import { queryKey } from '../../src/diagnosis/dns-lookups.js';

/** Quiet time after which a batch counts as complete. */
const BATCH_QUIET_MS = 5;

export function roundCounter(inner: DnsClient): DnsClient & { rounds(): number; log(): DnsQuery[][] } {
  let rounds = 0;
  let batch: { query: DnsQuery; release: () => void }[] = [];
  const answered: DnsQuery[][] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    rounds++;
    const now = batch;
    batch = [];
    answered.push(now.map((b) => b.query));
    for (const { release } of now) release();
  };
  return {
    rounds: () => rounds,
    log: () => answered,
    query: (query: DnsQuery, options: DnsQueryOptions) =>
      new Promise((resolve, reject) => {
        batch.push({ query, release: () => void inner.query(query, options).then(resolve, reject) });
        clearTimeout(timer);
        timer = setTimeout(flush, BATCH_QUIET_MS);
      }),
  };
}

/**
 * Answers every question it has seen before from memory, at once, and asks `inner` the others:
 * a real server's answers (Knot's signed zones) replayed so a second run can be counted in rounds.
 */
export function rememberingClient(inner: DnsClient): DnsClient {
  const seen = new Map<string, Promise<DnsReply>>();
  return {
    query(query, options) {
      const key = queryKey(query);
      let reply = seen.get(key);
      if (!reply) {
        reply = inner.query(query, options);
        seen.set(key, reply);
        // A failure is not remembered: the next run asks again.
        reply.catch(() => seen.delete(key));
      }
      return reply;
    },
  };
}
