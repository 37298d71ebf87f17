/**
 * The notifier of the audit channel's platform, for `mxops audit checkpoint` (a short-lived CLI
 * process): Slack needs only its Web API client; Teams also needs the conversation references the
 * bot keeps in Redis, which say where its connector is.
 */
import { createNagNotifiers } from '../chat/nag-notifiers.js';
import type { NagNotifier } from '../chat/nag-notifier.js';
import { redact, type Config } from '../config.js';
import { AppError } from '../errors.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { createRedisConversationReferenceStore } from '../store/redis-conversation-references.js';
import { closeWhenDone } from './closers.js';

export async function channelNotifiers(config: Config): Promise<NagNotifier[]> {
  const platform = config.audit.channel?.platform;
  const redis = createRedisConnection(config.queue.redisUrl, 'producer');
  closeWhenDone(async () => void redis.disconnect());
  if (platform === 'teams' && config.teams !== undefined) {
    try {
      await redis.connect();
    } catch (error) {
      throw new AppError(
        'QUEUE_UNAVAILABLE',
        `cannot reach Redis at ${redact(config.queue.redisUrl)} (MXOPS_REDIS_URL), where the Teams bot keeps its conversation references: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return createNagNotifiers({
    slack: platform === 'slack' ? config.slack : undefined,
    teams: platform === 'teams' ? config.teams : undefined,
    teamsReferences: createRedisConversationReferenceStore(redis, config.queue.prefix),
  });
}
