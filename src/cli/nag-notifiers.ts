/**
 * The nag notifiers for the platforms that are configured, for workers (no request to answer).
 * Each platform's SDK loads only when that platform is configured: botbuilder alone takes most of
 * a second to load, which a Slack-only deployment should not pay at every start (bench/startup.ts).
 * Here at the composition root, not in src/chat/, whose neutral layer knows no platform.
 */
import type { SdkLog } from '../observability/sdk-log.js';
import type { NagNotifier } from '../chat/nag-notifier.js';
import { type SlackSettings, WEB_API_RETRIES, WEB_API_TIMEOUT_MS } from '../chat/slack/slack-settings.js';
import type { ConversationReferenceStore } from '../chat/teams/conversation-reference-store.js';
import type { TeamsEndpoint, TeamsSettings } from '../chat/teams/teams-settings.js';

export interface NagPlatforms {
  readonly slack: SlackSettings | undefined;
  readonly teams: TeamsSettings | undefined;
  /** Where the Teams bot stores conversation references (shared through Redis). */
  readonly teamsReferences: ConversationReferenceStore;
  /** The process's Teams adapter, shared with its bot (notifiers.ts); a short-lived command that has no bot makes its own. */
  readonly teamsEndpoint?: TeamsEndpoint;
  /** Where the Slack Web API client logs (its retries, rate limits); by default its ConsoleLogger. */
  readonly log?: SdkLog;
}

export async function createNagNotifiers(platforms: NagPlatforms): Promise<NagNotifier[]> {
  const notifiers: NagNotifier[] = [];
  if (platforms.slack) {
    const [{ createSlackNagNotifier }, { slackLogger }] = await Promise.all([
      import('../chat/slack/slack-nag-notifier.js'),
      import('../chat/slack/slack-logger.js'),
    ]);
    // Posts drop WEB_API_RETRIES: a retried post Slack took would be a second message (post-once.ts).
    notifiers.push(
      createSlackNagNotifier(platforms.slack.botToken, {
        ...(platforms.slack.apiUrl ? { slackApiUrl: platforms.slack.apiUrl } : {}),
        ...(platforms.log ? { logger: slackLogger(platforms.log) } : {}),
        retryConfig: WEB_API_RETRIES,
        rejectRateLimitedCalls: false,
        timeout: WEB_API_TIMEOUT_MS,
      }),
    );
  }
  if (platforms.teams) {
    const [{ createTeamsNagNotifier }, { createTeamsEndpoint }] = await Promise.all([
      import('../chat/teams/teams-nag-notifier.js'),
      import('../chat/teams/teams-settings.js'),
    ]);
    notifiers.push(
      createTeamsNagNotifier({
        adapter: (platforms.teamsEndpoint ?? createTeamsEndpoint(platforms.teams)).adapter,
        appId: platforms.teams.appId,
        references: platforms.teamsReferences,
      }),
    );
  }
  return notifiers;
}
