/**
 * The nag notifiers of a long-running process (`mxops start`, `mxops worker`), made once and
 * shared by everything in it that posts: the chat surfaces (risk and outage requests in the
 * approvers' direct messages), the background workers (nags, outage follow-through) and the audit
 * channel's checkpoints. With them, the one store of the Teams conversation references (in Redis)
 * that the Teams bot also keeps up to date, and the one Teams adapter that the bot receives with and
 * everything sends through.
 */
import type { Redis } from 'ioredis';
import type { NagNotifier } from '../chat/nag-notifier.js';
import { createNagNotifiers } from './nag-notifiers.js';
import type { ConversationReferenceStore } from '../chat/teams/conversation-reference-store.js';
import type { TeamsEndpoint } from '../chat/teams/teams-settings.js';
import type { Config } from '../config.js';
import type { SdkLog } from '../observability/sdk-log.js';
import type { OpenDatabase } from '../store/database.js';
import { createRedisConversationReferenceStore } from '../queue/redis-conversation-references.js';
import { postCheckpointsToChannel } from './audit-checkpoints.js';

export interface Notifiers {
  readonly notifiers: readonly NagNotifier[];
  readonly references: ConversationReferenceStore;
  /** When Teams is configured: its adapter and authentication, for the bot as well. */
  readonly teamsEndpoint: TeamsEndpoint | undefined;
}

/** `log`: where the Slack Web API client logs (sdk-log.ts). */
export async function createNotifiers(
  config: Config,
  store: OpenDatabase,
  redis: Redis,
  log: SdkLog,
): Promise<Notifiers> {
  const references = createRedisConversationReferenceStore(redis, config.queue.prefix);
  const teamsEndpoint = config.teams
    ? (await import('../chat/teams/teams-settings.js')).createTeamsEndpoint(config.teams)
    : undefined;
  const notifiers = await createNagNotifiers({
    slack: config.slack,
    teams: config.teams,
    teamsReferences: references,
    ...(teamsEndpoint ? { teamsEndpoint } : {}),
    log,
  });
  postCheckpointsToChannel(config, store, notifiers);
  return { notifiers, references, teamsEndpoint };
}
