/**
 * What the Slack surface needs from configuration. config.ts parses the MXOPS_SLACK_* keys into
 * this shape; nothing here reads the environment (DESIGN.md, "Config parsed once").
 */
import type { webApi } from '@slack/bolt';

export interface SlackSettings {
  /** Bot token, xoxb-... (MXOPS_SLACK_BOT_TOKEN). */
  readonly botToken: string;
  /** Verifies that HTTP requests come from Slack (MXOPS_SLACK_SIGNING_SECRET); required in HTTP mode. */
  readonly signingSecret: string | undefined;
  /** App-level token, xapp-... with connections:write (MXOPS_SLACK_APP_TOKEN): when set, Socket Mode instead of HTTP. */
  readonly appToken: string | undefined;
  /** HTTP mode: where to listen (MXOPS_SLACK_PORT, default 3000; MXOPS_SLACK_HOST, default all interfaces). 0 picks a free port. */
  readonly port: number;
  readonly host: string | undefined;
  /** The slash command as the app manifest declares it (MXOPS_SLACK_COMMAND, default /mailcheck). */
  readonly command: string;
  /** The patch inventory's slash command (MXOPS_SLACK_PATCH_COMMAND, default /patch). */
  readonly patchCommand: string;
  /** Outage-window requests' slash command (MXOPS_SLACK_OUTAGE_COMMAND); default DEFAULT_OUTAGE_COMMAND. */
  readonly outageCommand?: string;
  /**
   * Web API base URL (MXOPS_SLACK_API_URL): https://slack.com/api/ when undefined; GovSlack is
   * https://slack-gov.com/api/; tests point it at a fake on loopback.
   */
  readonly apiUrl: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const DEFAULT_OUTAGE_COMMAND = '/outage';

export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Retries of Web API calls. On a 429 the WebClient itself waits Retry-After seconds before the
 * attempt counts as failed, so this back-off only adds to Slack's wait and can stay short; ten
 * attempts ride out a burst of rate limiting (chat.update is ~1/s per message) without losing the
 * final card. Network errors and time-outs retry under the same policy, except the workers' posts
 * (slack-nag-notifier.ts), which look for a post Slack may have taken before sending it again.
 */
export const WEB_API_RETRIES: webApi.RetryOptions = {
  retries: 10,
  factor: 2,
  minTimeout: 200,
  maxTimeout: 30_000,
  randomize: true,
};

/** The WebClient default is no time-out at all: a stalled connection would hang a check for good. */
export const WEB_API_TIMEOUT_MS = 30_000;
