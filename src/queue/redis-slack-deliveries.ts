import type { Redis } from 'ioredis';
import { REDELIVERY_WINDOW_MS, type DeliveryLog } from '../chat/slack/recent-deliveries.js';

/**
 * The Slack delivery log in Redis, shared by every replica behind the request URL: SET NX is
 * atomic, so when a retry lands on another replica than the original, exactly one of them runs
 * it. The key expires with the window, so the log never grows.
 */
export function createRedisDeliveryLog(redis: Redis, prefix: string, windowMs = REDELIVERY_WINDOW_MS): DeliveryLog {
  return {
    async firstTime(key) {
      return (await redis.set(`${prefix}:slack:delivery:${key}`, '1', 'PX', windowMs, 'NX')) === 'OK';
    },
  };
}
