/**
 * A real Teams bot (CloudAdapter, authentication off) listening on loopback for each test, with
 * its replies going to a fake Bot Connector: the vitest hooks are registered by the call, inside
 * the caller's describe block.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { OutageDeps } from '../../commands/outage.js';
import type { PatchDeps } from '../../commands/patch.js';
import {
  createInMemoryConversationReferenceStore,
  type ConversationReferenceStore,
} from '../../src/chat/teams/conversation-reference-store.js';
import { createTeamsBot, type TeamsBot } from '../../src/chat/teams/teams-bot.js';
import { listenForActivities } from '../../src/chat/teams/teams-http.js';
import { TEAMS_MESSAGES_PATH } from '../../src/chat/teams/teams-settings.js';
import {
  loopbackTeamsEndpoint,
  startFakeBotConnector,
  TEAMS_TEST_SETTINGS,
  type FakeBotConnector,
} from './fake-bot-connector.js';

export interface TeamsBotHarness {
  readonly connector: FakeBotConnector;
  readonly teams: TeamsBot;
  /** Where activities go: http://127.0.0.1:<port>/api/messages. */
  readonly botUrl: string;
}

export interface TeamsBotDeps {
  readonly mailcheck: MailcheckDeps;
  readonly patch?: PatchDeps;
  readonly outage?: OutageDeps;
  /** Where the bot stores conversation references; pass one to share it with a notifier. Default: a new one per test. */
  readonly references?: ConversationReferenceStore;
  /** Where attached files may come from (a file server on loopback in tests). */
  readonly fileUrlAllowed?: (url: URL) => boolean;
}

/** `deps` is read before each test, so it may name what the test's beforeEach built. */
export function teamsBotOnLoopback(deps: () => TeamsBotDeps): TeamsBotHarness {
  const state = {} as { connector: FakeBotConnector; teams: TeamsBot; botUrl: string; server: Server };
  beforeAll(async () => {
    state.connector = await startFakeBotConnector();
  });
  afterAll(async () => {
    await state.connector.close();
  });
  beforeEach(async () => {
    const { mailcheck, patch, outage, references, fileUrlAllowed } = deps();
    state.teams = createTeamsBot(TEAMS_TEST_SETTINGS, chatCommands(mailcheck, { patch, outage }), {
      references: references ?? createInMemoryConversationReferenceStore(),
      endpoint: loopbackTeamsEndpoint(),
      log: () => undefined,
      ...(fileUrlAllowed !== undefined ? { fileUrlAllowed } : {}),
    });
    state.server = await listenForActivities(state.teams.handle, 0, '127.0.0.1');
    state.botUrl = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}${TEAMS_MESSAGES_PATH}`;
  });
  afterEach(async () => {
    state.server.closeAllConnections();
    await new Promise((resolve) => state.server.close(resolve));
  });
  return state;
}
