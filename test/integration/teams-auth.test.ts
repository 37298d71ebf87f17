/**
 * The Teams endpoint with authentication ON, as in production (single tenant, a made-up app id):
 * requests without a valid Bot Framework token get a plain 401, and when the signing keys cannot
 * be fetched a plain 503; never the SDK's own error text. Nothing leaves loopback: a request with
 * no or a malformed token is refused before any fetch, and where the SDK does try to fetch the
 * OpenID metadata, the loopback guard refuses the connection (as a machine without internet
 * would) or the metadata URL points at a server on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
} from 'botbuilder';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import { createInMemoryConversationReferenceStore } from '../../src/chat/teams/conversation-reference-store.js';
import { createTeamsBot } from '../../src/chat/teams/teams-bot.js';
import { listenForActivities } from '../../src/chat/teams/teams-http.js';
import { authenticateActivity } from '../../src/chat/teams/teams-request-auth.js';
import {
  createTeamsEndpoint,
  TEAMS_MESSAGES_PATH,
  type TeamsAuthentication,
} from '../../src/chat/teams/teams-settings.js';
import {
  startFakeBotConnector,
  TEAMS_TEST_BOT,
  TEAMS_TEST_SETTINGS,
  type FakeBotConnector,
} from '../support/fake-bot-connector.js';
import { takeRefusedAttempts } from '../support/loopback-guard.js';
import { noMailcheck } from '../support/no-mailcheck.js';

const SETTINGS = TEAMS_TEST_SETTINGS;
/** The issuer of tokens from Bot Framework channels (botframework-connector AuthenticationConstants). */
const CHANNEL_ISSUER = 'https://api.botframework.com';
/** Texts the SDK puts in its answers: none may reach the caller. */
const SDK_TEXT = /Unauthorized|authoriz|openID|Failed to load|Error|botframework/i;

/** A well-formed JWT from an allowed issuer, so the SDK goes on to fetch the keys to check its signature. */
function channelToken(): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'test-key' })}.${part({ iss: CHANNEL_ISSUER, aud: SETTINGS.appId, serviceurl: 'http://127.0.0.1:9/', nbf: now - 60, exp: now + 3600 })}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

/** The production single-tenant authentication, with the channel's OpenID metadata at `metadataUrl`. */
function authenticationWithMetadataAt(metadataUrl: string): TeamsAuthentication {
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppId: SETTINGS.appId,
    MicrosoftAppPassword: SETTINGS.appPassword,
    MicrosoftAppTenantId: SETTINGS.tenantId,
  });
  return new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: SETTINGS.appId,
      MicrosoftAppTenantId: SETTINGS.tenantId,
      ToBotFromChannelTokenIssuer: CHANNEL_ISSUER,
      ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
    },
    credentials,
  );
}

describe('Teams requests with authentication on', () => {
  let connector: FakeBotConnector;
  const servers: Server[] = [];
  let logged: string[] = [];
  let sequence = 0;

  beforeAll(async () => {
    connector = await startFakeBotConnector();
  });
  afterAll(async () => {
    await connector.close();
  });
  afterEach(async () => {
    logged = [];
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  async function listen(server: Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  /** The bot as main.ts builds it (single tenant) unless a test passes its own authentication. */
  async function startBot(authentication?: TeamsAuthentication): Promise<string> {
    const bot = createTeamsBot(SETTINGS, chatCommands(noMailcheck()), {
      references: createInMemoryConversationReferenceStore(),
      log: (line) => logged.push(line),
      ...(authentication ? { endpoint: createTeamsEndpoint(SETTINGS, authentication) } : {}),
    });
    const server = await listenForActivities(bot.handle, 0, '127.0.0.1');
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}${TEAMS_MESSAGES_PATH}`;
  }

  const activity = (): Record<string, unknown> => ({
    type: 'message',
    id: `incoming-${++sequence}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    from: { id: '29:mallory', aadObjectId: '00000000-0000-4000-8000-0000000000ff' },
    recipient: TEAMS_TEST_BOT,
    conversation: {
      id: '19:ops@thread.tacv2',
      conversationType: 'channel',
      isGroup: true,
      tenantId: SETTINGS.tenantId,
    },
    text: '<at>mxops</at> help',
  });

  async function post(
    url: string,
    authorization?: string,
  ): Promise<{ status: number; type: string | null; body: string; elapsedMs: number }> {
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(activity()),
      signal: AbortSignal.timeout(15_000),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.text(),
      elapsedMs: performance.now() - started,
    };
  }

  it.each([
    ['no Authorization header', undefined],
    ['an empty Bearer token', 'Bearer '],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
    ['another scheme', 'Basic bWFsbG9yeTpwYXNzd29yZA=='],
  ])(
    'answers a request with %s 401 "unauthorized", before any fetch, and runs nothing',
    async (_case, authorization) => {
      const sdkLogs = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const url = await startBot();
        const from = connector.calls.length;
        const answer = await post(url, authorization);
        expect(answer).toMatchObject({ status: 401, type: 'text/plain; charset=utf-8', body: 'unauthorized' });
        // Decided locally: no network round trip, whatever the SDK's network time-outs are.
        expect(answer.elapsedMs).toBeLessThan(2_000);
        expect(connector.calls.slice(from)).toEqual([]);
        expect(logged).toEqual([expect.stringMatching(/^teams: refused a request \(401\): Unauthorized/)]);
        // The SDK's handler, which prints the error to the console, never saw the request.
        expect(sdkLogs).not.toHaveBeenCalled();
      } finally {
        sdkLogs.mockRestore();
      }
    },
  );

  it('answers 503 when the keys cannot be fetched from login.botframework.com (no internet), not the SDK text', async () => {
    const url = await startBot();
    const answer = await post(url, `Bearer ${channelToken()}`);
    expect(answer).toMatchObject({
      status: 503,
      type: 'text/plain; charset=utf-8',
      body: 'cannot verify the request now; try again later',
    });
    expect(answer.body).not.toMatch(SDK_TEXT);
    expect(answer.elapsedMs).toBeLessThan(5_000);
    // The loopback guard stood in for the missing internet: the SDK did try to reach Microsoft.
    expect(takeRefusedAttempts()).toEqual([
      expect.stringContaining('test tried to reach login.botframework.com over TCP'),
    ]);
    expect(logged).toEqual([expect.stringMatching(/^teams: refused a request \(503\): .*login\.botframework\.com/)]);
  });

  it('answers 503 when the metadata server fails, where the SDK itself would have answered 401 with its text', async () => {
    const port = await listen(createServer((_req, res) => res.writeHead(500).end('down')));
    const url = await startBot(
      authenticationWithMetadataAt(`http://127.0.0.1:${port}/v1/.well-known/openidconfiguration`),
    );
    const answer = await post(url, `Bearer ${channelToken()}`);
    expect(answer).toMatchObject({ status: 503, body: 'cannot verify the request now; try again later' });
    expect(logged).toEqual(['teams: refused a request (503): Failed to load openID config: 500']);
  });

  it('answers 503 after its time-out when the metadata server never answers (the SDK sets none)', async () => {
    let asked = 0;
    const port = await listen(createServer(() => void asked++));
    const authentication = authenticationWithMetadataAt(
      `http://127.0.0.1:${port}/never/.well-known/openidconfiguration`,
    );
    const started = performance.now();
    const verdict = await authenticateActivity(
      authentication,
      activity() as unknown as Activity,
      `Bearer ${channelToken()}`,
      300,
    );
    expect(verdict).toEqual({
      ok: false,
      status: 503,
      reason: "no answer from the Bot Framework's signing keys within 300 ms",
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(asked).toBe(1);
  });
});
