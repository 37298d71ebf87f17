/**
 * The nag notifiers for the platforms that are configured, for workers (no request to answer).
 * Each platform's SDK loads only when that platform is configured: botbuilder alone takes most of
 * a second to load, which a Slack-only deployment should not pay at every start (bench/startup.ts).
 */
import type { NagNotifier } from './nag-notifier.js';
import { type SlackSettings, WEB_API_RETRIES, WEB_API_TIMEOUT_MS } from './slack/slack-settings.js';
import type { ConversationReferenceStore } from './teams/conversation-reference-store.js';
import type { TeamsSettings } from './teams/teams-settings.js';

export interface NagPlatforms {
  readonly slack: SlackSettings | undefined;
  readonly teams: TeamsSettings | undefined;
  /** Where the Teams bot stores conversation references (shared through Redis). */
  readonly teamsReferences: ConversationReferenceStore;
}

export async function createNagNotifiers(platforms: NagPlatforms): Promise<NagNotifier[]> {
  const notifiers: NagNotifier[] = [];
  if (platforms.slack) {
    const { createSlackNagNotifier } = await import('./slack/slack-nag-notifier.js');
    // Posts drop WEB_API_RETRIES: a retried post Slack took would be a second message (post-once.ts).
    notifiers.push(
      createSlackNagNotifier(platforms.slack.botToken, {
        ...(platforms.slack.apiUrl ? { slackApiUrl: platforms.slack.apiUrl } : {}),
        retryConfig: WEB_API_RETRIES,
        rejectRateLimitedCalls: false,
        timeout: WEB_API_TIMEOUT_MS,
      }),
    );
  }
  if (platforms.teams) {
    const [{ createTeamsNagNotifier }, { createTeamsAdapter }] = await Promise.all([
      import('./teams/teams-nag-notifier.js'),
      import('./teams/teams-settings.js'),
    ]);
    notifiers.push(
      createTeamsNagNotifier({
        adapter: createTeamsAdapter(platforms.teams),
        appId: platforms.teams.appId,
        references: platforms.teamsReferences,
      }),
    );
  }
  return notifiers;
}
