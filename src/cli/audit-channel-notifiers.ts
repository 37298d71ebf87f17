/**
 * The notifier of the audit channel's platform, for `mxops audit checkpoint` (a short-lived CLI
 * process): Slack needs only its Web API client; Teams also needs the conversation references the
 * bot keeps in Redis, which say where its connector is.
 */
import { createNagNotifiers } from './nag-notifiers.js';
import type { NagNotifier } from '../chat/nag-notifier.js';
import { redact, type Config } from '../config.js';
import { AppError } from '../errors.js';
import { secretHider } from '../observability/hide-secrets.js';
import { sdkLogLines } from '../observability/sdk-log.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { createRedisConversationReferenceStore } from '../queue/redis-conversation-references.js';
import { configSecrets } from './config-secrets.js';
import type { Lifecycle } from './lifecycle.js';

export async function channelNotifiers(config: Config, lifecycle: Lifecycle): Promise<NagNotifier[]> {
  const platform = config.audit.channel?.platform;
  const redis = createRedisConnection(config.queue.redisUrl, 'producer');
  lifecycle.own('the Redis connection to the conversation references', () => redis.disconnect());
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
    log: sdkLogLines(
      (line) => void process.stderr.write(`mxops: ${line}\n`),
      'slack',
      secretHider(configSecrets(config)),
      'info',
    ),
  });
}
