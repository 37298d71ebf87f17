/**
 * What Bolt and botbuilder log, as `mxops start` wires them: through the process's pino log with
 * the configured secrets hidden, never through their own console loggers. The real Bolt app (its
 * HTTPReceiver and Web API client) and the real CloudAdapter on loopback.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { createSlackApp, type SlackApp } from '../../src/chat/slack/slack-app.js';
import { slackLogger } from '../../src/chat/slack/slack-logger.js';
import { createInMemoryConversationReferenceStore } from '../../src/chat/teams/conversation-reference-store.js';
import { createTeamsBot } from '../../src/chat/teams/teams-bot.js';
import { listenForActivities } from '../../src/chat/teams/teams-http.js';
import { TEAMS_MESSAGES_PATH } from '../../src/chat/teams/teams-settings.js';
import { secretHider } from '../../src/observability/hide-secrets.js';
import { sdkLogTo } from '../../src/observability/sdk-log.js';
import {
  loopbackTeamsEndpoint,
  sendToBot,
  TEAMS_TEST_BOT,
  TEAMS_TEST_SETTINGS,
} from '../support/fake-bot-connector.js';
import { type FakeSlackApi, sendToApp, slashCommandBody, startFakeSlackApi } from '../support/fake-slack-api.js';
import { noMailcheck } from '../support/no-mailcheck.js';

const BOT_TOKEN = 'xoxb-platform-logs-0123456789';
const SIGNING_SECRET = 'platform-logs-signing-secret';

interface Captured {
  readonly logger: pino.Logger;
  lines(): Record<string, unknown>[];
}

function capturedLog(): Captured {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, sink),
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Everything written through console.* while a test runs: the SDKs' default loggers write there. */
function consoleCalls(): () => unknown[][] {
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((name) =>
    vi.spyOn(console, name).mockImplementation(() => undefined),
  );
  return () => spies.flatMap((spy) => spy.mock.calls);
}

describe('the platform SDKs log into the process log, secrets hidden', () => {
  let written: () => unknown[][];
  beforeEach(() => {
    written = consoleCalls();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('Slack', () => {
    let api: FakeSlackApi;
    let slack: SlackApp;
    let eventsUrl: string;
    let log: Captured;

    beforeEach(async () => {
      api = await startFakeSlackApi({ botToken: BOT_TOKEN });
      log = capturedLog();
      const failing: MailcheckDeps = {
        ...noMailcheck(),
        // A failure whose text carries the token, as a careless SDK error might.
        diagnose: () => Promise.reject(new Error(`the Web API refused ${BOT_TOKEN}`)),
      };
      slack = createSlackApp(
        {
          botToken: BOT_TOKEN,
          signingSecret: SIGNING_SECRET,
          appToken: undefined,
          port: 0,
          host: '127.0.0.1',
          command: '/mailcheck',
          patchCommand: '/patch',
          apiUrl: api.apiUrl,
          logLevel: 'info',
        },
        chatCommands(failing),
        { logger: slackLogger(sdkLogTo(log.logger, 'slack', secretHider([BOT_TOKEN, SIGNING_SECRET]))) },
      );
      eventsUrl = `http://127.0.0.1:${(await slack.start()).port}/slack/events`;
    });
    afterEach(async () => {
      await slack.stop();
      await api.close();
    });

    it("the receiver's refusal and the app's failure go to pino at their levels, with the token hidden", async () => {
      const body = slashCommandBody({ text: 'partner.test', responseUrl: api.responseUrl('logs') });
      // Signed with another secret: the receiver refuses it and says so.
      expect((await sendToApp(eventsUrl, body, { signingSecret: 'not-the-secret' })).status).toBe(401);
      expect((await sendToApp(eventsUrl, body, { signingSecret: SIGNING_SECRET })).status).toBe(200);
      await vi.waitFor(() => expect(log.lines().some((line) => line['level'] === 50)).toBe(true));
      const lines = log.lines().map((line) => ({ level: line['level'], sdk: line['sdk'], msg: line['msg'] }));
      expect(lines).toContainEqual({
        level: 40,
        sdk: 'slack',
        msg: expect.stringMatching(/^Failed to parse and verify the request data: /),
      });
      expect(lines).toContainEqual({ level: 50, sdk: 'slack', msg: 'command failed Error: the Web API refused ***' });
      expect(JSON.stringify(log.lines())).not.toContain(BOT_TOKEN);
      expect(written()).toEqual([]);
    });
  });

  describe('Teams', () => {
    let server: Server;
    let botUrl: string;
    let log: Captured;

    beforeEach(async () => {
      log = capturedLog();
      const teamsLog = sdkLogTo(log.logger, 'teams', secretHider([TEAMS_TEST_SETTINGS.appPassword]));
      // Redis gone, as the bot sees it: remembering where the message came from fails the turn.
      const references = {
        ...createInMemoryConversationReferenceStore(),
        put: () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
      };
      const teams = createTeamsBot(TEAMS_TEST_SETTINGS, chatCommands(noMailcheck()), {
        references,
        endpoint: loopbackTeamsEndpoint(),
        log: (line, level = 'warn') => teamsLog(level, [line]),
      });
      server = await listenForActivities(teams.handle, 0, '127.0.0.1');
      botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TEAMS_MESSAGES_PATH}`;
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('a failed turn is answered 500 as before and logged once, as an error, instead of by console.error', async () => {
      const answer = await sendToBot(botUrl, {
        type: 'message',
        id: 'incoming-1',
        timestamp: new Date().toISOString(),
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9/',
        from: { id: '29:user', aadObjectId: '00000000-0000-4000-8000-0000000000c1' },
        recipient: TEAMS_TEST_BOT,
        conversation: { id: 'a:personal', conversationType: 'personal', tenantId: TEAMS_TEST_SETTINGS.tenantId },
        text: 'help',
      });
      expect(answer).toEqual({ status: 500, body: 'internal error' });
      expect(log.lines().map((line) => ({ level: line['level'], sdk: line['sdk'], msg: line['msg'] }))).toEqual([
        {
          level: 50,
          sdk: 'teams',
          msg: "teams: the turn failed: Stream isn't writeable and enableOfflineQueue options is false",
        },
      ]);
      expect(written()).toEqual([]);
    });
  });
});
