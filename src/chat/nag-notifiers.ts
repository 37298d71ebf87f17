/** The nag notifiers for the platforms that are configured, for workers (no request to answer). */
import { webApi } from '@slack/bolt';
import type { NagNotifier } from './nag-notifier.js';
import { createSlackNagNotifier } from './slack/slack-nag-notifier.js';
import { type SlackSettings, WEB_API_RETRIES, WEB_API_TIMEOUT_MS } from './slack/slack-settings.js';
import type { ConversationReferenceStore } from './teams/conversation-reference-store.js';
import { createTeamsNagNotifier } from './teams/teams-nag-notifier.js';
import { createTeamsAdapter, type TeamsSettings } from './teams/teams-settings.js';

export interface NagPlatforms {
  readonly slack: SlackSettings | undefined;
  readonly teams: TeamsSettings | undefined;
  /** Where the Teams bot stores conversation references (shared through Redis). */
  readonly teamsReferences: ConversationReferenceStore;
}

export function createNagNotifiers(platforms: NagPlatforms): NagNotifier[] {
  const notifiers: NagNotifier[] = [];
  if (platforms.slack) {
    const client = new webApi.WebClient(platforms.slack.botToken, {
      ...(platforms.slack.apiUrl ? { slackApiUrl: platforms.slack.apiUrl } : {}),
      retryConfig: WEB_API_RETRIES,
      rejectRateLimitedCalls: false,
      timeout: WEB_API_TIMEOUT_MS,
    });
    notifiers.push(createSlackNagNotifier(client));
  }
  if (platforms.teams) {
    notifiers.push(createTeamsNagNotifier({ adapter: createTeamsAdapter(platforms.teams), appId: platforms.teams.appId, references: platforms.teamsReferences }));
  }
  return notifiers;
}
