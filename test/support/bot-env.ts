/**
 * The environment of an `mxops start` process in a test bed on loopback: Slack over HTTP against a
 * fake Web API, Redis workers under their own prefix, DNS and SMTP servers on 127.0.0.x, private
 * targets allowed, no DNSBL (blocklists are beyond loopback), an in-memory inventory store. Teams and Socket Mode are pinned off
 * so a developer's own environment cannot switch them on.
 */
import { rootHintsFile } from './root-hints-file.js';
export interface LoopbackBot {
  readonly botToken: string;
  readonly signingSecret: string;
  readonly slackApiUrl: string;
  readonly slackPort: number;
  readonly httpPort: number;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  /** host:port of the resolver. */
  readonly resolver: string;
  readonly dnsPort: number;
  readonly smtpPort: number;
}

export function loopbackBotEnv(bot: LoopbackBot): Record<string, string> {
  return {
    MXOPS_SLACK_BOT_TOKEN: bot.botToken,
    MXOPS_SLACK_SIGNING_SECRET: bot.signingSecret,
    MXOPS_SLACK_APP_TOKEN: '',
    MXOPS_TEAMS_APP_ID: '',
    MXOPS_SLACK_API_URL: bot.slackApiUrl,
    MXOPS_SLACK_HOST: '127.0.0.1',
    MXOPS_SLACK_PORT: String(bot.slackPort),
    MXOPS_HTTP_HOST: '127.0.0.1',
    MXOPS_HTTP_PORT: String(bot.httpPort),
    MXOPS_REDIS_URL: bot.redisUrl,
    MXOPS_QUEUE_PREFIX: bot.queuePrefix,
    MXOPS_RESOLVER: bot.resolver,
    // The resolver knows every zone, so it stands in for the root too: the walk stays on loopback.
    MXOPS_ROOT_HINTS: rootHintsFile(bot.resolver.replace(/:\d+$/, '')),
    MXOPS_DNS_PORT: String(bot.dnsPort),
    MXOPS_SMTP_PORT: String(bot.smtpPort),
    MXOPS_ALLOW_PRIVATE_TARGETS: 'true',
    MXOPS_HELO_NAME: 'probe.mxops.test',
    MXOPS_DNSBL_ZONES: 'none',
    MXOPS_LOG_LEVEL: 'warn',
    // The inventory store of that process alone: no file left in the checkout.
    DATABASE_URL: 'sqlite::memory:',
  };
}
