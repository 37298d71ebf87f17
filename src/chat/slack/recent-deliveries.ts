/**
 * Remembers what was recently delivered, so a payload Slack sends again (it retries when it did
 * not see the ack in time) runs once. Process-local: with several replicas behind one URL, the
 * X-Slack-Retry-Num check still stops Slack's own retries; a shared store would catch the rest.
 */
export class RecentDeliveries {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** True the first time `key` is seen within the time-to-live. */
  firstTime(key: string): boolean {
    const now = this.now();
    // A Map iterates in insertion order, which is time order here: stop at the first live entry.
    for (const [old, at] of this.seen) {
      if (now - at < this.ttlMs) break;
      this.seen.delete(old);
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }
}

/** trigger_id is unique per command and per click; Events API payloads carry an event_id instead. */
export function deliveryKey(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { trigger_id: trigger, event_id: event } = body as { trigger_id?: unknown; event_id?: unknown };
  if (typeof trigger === 'string' && trigger !== '') return `trigger:${trigger}`;
  if (typeof event === 'string' && event !== '') return `event:${event}`;
  return undefined;
}
