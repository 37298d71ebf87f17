/**
 * A Bot Framework connector on loopback, standing in for Teams' regional service
 * (smba.trafficmanager.net): activities the bot sends or updates arrive here because the test's
 * incoming activities name it as their serviceUrl. It records the Bot Connector REST calls the
 * adapter makes (POST /v3/conversations/{id}/activities[/{replyToId}], PUT
 * /v3/conversations/{id}/activities/{activityId}) and answers like the service: { id }. It also
 * creates conversations (POST /v3/conversations, how a bot opens a 1:1 chat), answering with the
 * chat's id. A test can have it throttle like Teams: 429 with Retry-After to the next activity POSTs,
 * or take the next activity POST and lose its answer (a 5xx from a gateway after Teams took it).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { createTeamsEndpoint, type TeamsEndpoint, type TeamsSettings } from '../../src/chat/teams/teams-settings.js';

export interface ConnectorCall {
  readonly method: 'POST' | 'PUT';
  /** Decoded: the client percent-encodes it, ";messageid=" included. */
  readonly conversationId: string;
  /** PUT: the activity replaced. POST: the activity replied to, if the bot used replyToActivity. */
  readonly activityId: string | undefined;
  readonly activity: Record<string, unknown>;
  /** The Authorization header: absent while authentication is off. */
  readonly authorization: string | undefined;
  /** What the connector answered as the activity's id. */
  readonly id: string;
}

/** An activity POST answered 429 Too Many Requests instead of being accepted (not in `calls`). */
export interface ThrottledCall {
  readonly conversationId: string;
  readonly activity: Record<string, unknown>;
}

/** A createConversation call: POST /v3/conversations with ConversationParameters. */
export interface CreatedConversation {
  readonly parameters: Record<string, unknown>;
  readonly authorization: string | undefined;
  /** The conversation id the connector answered: "a:created-<n>", one per distinct member list. */
  readonly id: string;
}

export interface FakeBotConnector {
  /** With the trailing slash, as Teams sends it. */
  readonly serviceUrl: string;
  readonly calls: readonly ConnectorCall[];
  readonly created: readonly CreatedConversation[];
  readonly throttled: readonly ThrottledCall[];
  /**
   * Answers the next `count` activity POSTs with 429, `Retry-After: <retryAfterSeconds>` and an
   * ErrorResponse body; 0 stops throttling. Updates (PUT) and createConversation pass.
   */
  throttleNext(count: number, retryAfterSeconds?: number): void;
  /** The next activity POST is taken (it is in `calls`) but answered with HTTP `status` and no id. */
  loseAnswerNext(status: number): void;
  /** Resolves once `test` holds for the calls so far; rejects after `timeoutMs` saying what was awaited. */
  waitFor(what: string, test: (calls: readonly ConnectorCall[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const CONVERSATIONS = /^\/v3\/conversations\/?$/;
const ACTIVITIES = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/;

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const created: CreatedConversation[] = [];
  const throttled: ThrottledCall[] = [];
  const throttle = { left: 0, retryAfterSeconds: 0 };
  let loseAnswer: number | undefined;
  const chats = new Map<string, string>();
  const waiters = new Set<() => void>();
  let counter = 0;
  const server: Server = createServer((req, res) => {
    void readBody(req).then((activity) => {
      const path = new URL(req.url ?? '/', 'http://connector').pathname;
      const match = ACTIVITIES.exec(path);
      const method = req.method;
      if (method === 'POST' && CONVERSATIONS.test(path)) {
        // Teams answers the same chat for the same member: the id is derived from the members.
        const members = JSON.stringify(activity.members ?? []);
        const id = chats.get(members) ?? `a:created-${chats.size + 1}`;
        chats.set(members, id);
        created.push({ parameters: activity, authorization: req.headers.authorization, id });
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
        return;
      }
      if (!match?.[1] || (method !== 'POST' && method !== 'PUT') || (method === 'PUT' && !match[2])) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'NotFound', message: `${method} ${req.url}` } }));
        return;
      }
      const activityId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
      if (method === 'POST' && throttle.left > 0) {
        throttle.left -= 1;
        throttled.push({ conversationId: decodeURIComponent(match[1]), activity });
        const body = {
          error: { code: 'TooManyRequests', message: 'Too many requests. Please retry after some time.' },
        };
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(throttle.retryAfterSeconds) })
          .end(JSON.stringify(body));
        return;
      }
      const id = method === 'PUT' ? (activityId ?? '') : `activity-${++counter}`;
      calls.push({
        method,
        conversationId: decodeURIComponent(match[1]),
        activityId,
        activity,
        authorization: req.headers.authorization,
        id,
      });
      for (const wake of waiters) wake();
      if (method === 'POST' && loseAnswer !== undefined) {
        const status = loseAnswer;
        loseAnswer = undefined;
        res.writeHead(status, { 'content-type': 'text/plain' }).end('upstream request timeout');
        return;
      }
      // The connector answers 201 Created to a new activity and 200 to an update, with a ResourceResponse.
      res.writeHead(method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    calls,
    created,
    throttled,
    throttleNext(count, retryAfterSeconds = 0) {
      throttle.left = count;
      throttle.retryAfterSeconds = retryAfterSeconds;
    },
    loseAnswerNext(status) {
      loseAnswer = status;
    },
    waitFor(what, test, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!test(calls)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `connector: gave up waiting for ${what}; calls so far: ${calls.map((c) => `${c.method} ${c.conversationId} ${c.activityId ?? ''}`).join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Authentication switched off, for tests on loopback only. With no MicrosoftAppId the credential
 * factory reports authentication disabled (PasswordServiceClientCredentialFactory
 * .isAuthenticationDisabled: appId empty), so: incoming requests are accepted without a JWT
 * (ParameterizedBotFrameworkAuthentication.JwtTokenValidation_authenticateRequest returns an
 * anonymous ClaimsIdentity, and no OpenID metadata is fetched), and outgoing calls use
 * MicrosoftAppCredentials.Empty, which never asks login.microsoftonline.com for a token
 * (AppCredentials.shouldSetToken is false without an app id). The production path
 * (singleTenantAuthentication) cannot produce this: SingleTenant refuses an empty app id.
 */
/** A single-tenant Teams app as the loopback tests configure it (authentication is off for them). */
export const TEAMS_TEST_SETTINGS: TeamsSettings = {
  appId: '00000000-0000-4000-8000-0000000000b0',
  appPassword: 'not-used-while-authentication-is-off',
  tenantId: '00000000-0000-4000-8000-00000000000a',
  port: 0,
  host: '127.0.0.1',
};

/** The bot's own account in Teams: 28: and its app id. */
export const TEAMS_TEST_BOT = { id: `28:${TEAMS_TEST_SETTINGS.appId}`, name: 'mxops' };

/** The bot's adapter with authentication switched off, for a connector on loopback: no token is asked for or checked. */
export function loopbackTeamsEndpoint(settings: TeamsSettings = TEAMS_TEST_SETTINGS): TeamsEndpoint {
  return createTeamsEndpoint(settings, new ConfigurationBotFrameworkAuthentication({}));
}

/** POSTs an activity to the bot as the Bot Framework service would (minus the JWT). */
export async function sendToBot(
  botUrl: string,
  activity: Record<string, unknown>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(botUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { status: response.status, body: text === '' ? undefined : json ? (JSON.parse(text) as unknown) : text };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}
