/**
 * Remembers what was recently delivered, so a payload Slack sends again (it retries when it did
 * not see the ack in time) runs once. Replicas behind one URL share the log through Redis
 * (queue/redis-slack-deliveries.ts); RecentDeliveries is the in-process fallback for runs without
 * Redis, where one process sees every delivery.
 */

/** Slack retries within minutes; a key seen within this window is a redelivery. */
export const REDELIVERY_WINDOW_MS = 5 * 60_000;

export interface DeliveryLog {
  /** True the first time `key` is seen within the window, across everything sharing the log. */
  firstTime(key: string): boolean | Promise<boolean>;
}

import type { Clock } from '../../clock.js';

export class RecentDeliveries implements DeliveryLog {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  firstTime(key: string): boolean {
    const now = this.clock.monotonicMs();
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
