/**
 * The Slack and Teams surfaces of `mxops start`, for the platforms that are configured (Bolt and
 * botbuilder load only then), logging into the process's log with the secrets hidden. They are one
 * part of the lifecycle, owned before either exists so that one started before a later step failed
 * is stopped too: both stop taking requests at once, then the work they took finishes.
 */
import type http from 'node:http';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { PatchDeps } from '../../commands/patch.js';
import type { DeliveryLog } from '../chat/slack/recent-deliveries.js';
import type { SlackApp, SlackListening } from '../chat/slack/slack-app.js';
import type { ConversationReferenceStore } from '../chat/teams/conversation-reference-store.js';
import type { TeamsBot } from '../chat/teams/teams-bot.js';
import type { TeamsEndpoint } from '../chat/teams/teams-settings.js';
import type { Config } from '../config.js';
import type { HideSecrets } from '../observability/hide-secrets.js';
import type { Logger } from '../observability/logger.js';
import { sdkLogTo } from '../observability/sdk-log.js';
import { closeServer } from './close-server.js';
import type { Lifecycle } from './lifecycle.js';

export interface ChatSurfaceDeps {
  /** The mailcheck deps of a surface (each counts its own commands). */
  on(surface: 'slack' | 'teams'): MailcheckDeps;
  readonly patch: PatchDeps;
  readonly references: ConversationReferenceStore;
  /** The process's Teams adapter, which its notifiers send through too (notifiers.ts). */
  readonly teamsEndpoint: TeamsEndpoint | undefined;
  readonly deliveries: DeliveryLog;
  readonly logger: Logger;
  readonly hide: HideSecrets;
  /** How long running checks may take to finish when stopping. */
  readonly drainMs: number;
  /** Redis is gone: running checks cannot finish, so stopping does not wait for them. */
  readonly redisGone: () => boolean;
}

interface Surfaces {
  slack?: SlackApp;
  teams?: TeamsBot;
  teamsServer?: http.Server;
}

/** Starts the configured surfaces; resolves with where Slack listens, if it is configured. */
export async function startChatSurfaces(
  config: Config,
  lifecycle: Lifecycle,
  deps: ChatSurfaceDeps,
): Promise<SlackListening | undefined> {
  const surfaces: Surfaces = {};
  lifecycle.own('the chat surfaces', () => stopSurfaces(surfaces, deps.redisGone()), { limitMs: deps.drainMs });
  const { patch, logger, hide } = deps;
  // The outage commands run against the same store as the patch inventory.
  const commandsOn = (surface: 'slack' | 'teams') => chatCommands(deps.on(surface), { patch, outage: patch });
  if (config.slack) {
    const [{ createSlackApp }, { slackLogger }] = await Promise.all([
      import('../chat/slack/slack-app.js'),
      import('../chat/slack/slack-logger.js'),
    ]);
    surfaces.slack = createSlackApp(config.slack, commandsOn('slack'), {
      deliveries: deps.deliveries,
      logger: slackLogger(sdkLogTo(logger, 'slack', hide)),
    });
  }
  const slackListening = await surfaces.slack?.start();
  if (config.teams) {
    const [{ createTeamsBot }, { listenForActivities }] = await Promise.all([
      import('../chat/teams/teams-bot.js'),
      import('../chat/teams/teams-http.js'),
    ]);
    const log = sdkLogTo(logger, 'teams', hide);
    surfaces.teams = createTeamsBot(config.teams, commandsOn('teams'), {
      references: deps.references,
      ...(deps.teamsEndpoint ? { endpoint: deps.teamsEndpoint } : {}),
      log: (line, level = 'warn') => log(level, [line]),
    });
    surfaces.teamsServer = await listenForActivities(surfaces.teams.handle, config.teams.port, config.teams.host);
  }
  return slackListening;
}

async function stopSurfaces({ slack, teams, teamsServer }: Surfaces, redisGone: boolean): Promise<void> {
  const slackStopped = slack?.stop();
  const teamsClosed = teamsServer ? closeServer(teamsServer) : undefined;
  if (redisGone) {
    // Nothing running can finish: stop taking requests and leave the rest to the process's end.
    void slackStopped?.catch(() => undefined);
    await teamsClosed;
    return;
  }
  await Promise.all([slackStopped, teamsClosed?.then(() => teams?.settled())]);
}
