import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LogLevel } from '@slack/bolt';
import { slackLogger } from '../../src/chat/slack/slack-logger.js';
import { configSecrets } from '../../src/cli/config-secrets.js';
import { loadConfig } from '../../src/config.js';
import { secretHider } from '../../src/observability/hide-secrets.js';
import { logArguments, sdkLogLines, sdkLogTo } from '../../src/observability/sdk-log.js';

const BOT_TOKEN = 'xoxb-1111-2222-abcdefABCDEF';
const SIGNING_SECRET = '8f14e45fceea167a5a36dedd4bea2543';
const TEAMS_PASSWORD = 'Zx8Q~teams.client-secret_value';
const REDIS_PASSWORD = 'redis p@ss/word';
const PG_PASSWORD = 'pg-secret-never-logged';

const config = loadConfig({
  MXOPS_SLACK_BOT_TOKEN: BOT_TOKEN,
  MXOPS_SLACK_SIGNING_SECRET: SIGNING_SECRET,
  MXOPS_TEAMS_APP_ID: '00000000-0000-0000-0000-000000000001',
  MXOPS_TEAMS_APP_PASSWORD: TEAMS_PASSWORD,
  MXOPS_TEAMS_TENANT_ID: '00000000-0000-0000-0000-000000000002',
  MXOPS_REDIS_URL: `redis://:${encodeURIComponent(REDIS_PASSWORD)}@127.0.0.1:6379`,
  DATABASE_URL: `postgres://mxops:${PG_PASSWORD}@127.0.0.1:5432/mxops`,
});
const hide = secretHider(configSecrets(config));
const SECRETS = [
  BOT_TOKEN,
  SIGNING_SECRET,
  TEAMS_PASSWORD,
  REDIS_PASSWORD,
  encodeURIComponent(REDIS_PASSWORD),
  PG_PASSWORD,
];

/** A pino logger like the bot's, writing its JSON lines here. */
function capturedPino(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('what the platform SDKs log', () => {
  it('hides every configured secret, as written and decoded, wherever it appears in the text', () => {
    const text = [
      `token=${BOT_TOKEN}`,
      `signature over ${SIGNING_SECRET}`,
      `client_secret ${TEAMS_PASSWORD} rejected`,
      `AUTH ${REDIS_PASSWORD} failed`,
      `pg says password authentication failed for "${PG_PASSWORD}"`,
    ].join('; ');
    const hidden = hide(text);
    for (const secret of SECRETS) expect(hidden).not.toContain(secret);
    expect(hidden).toContain('AUTH *** failed');
  });

  it('hides the shapes of secrets it was not given: Slack tokens, bearer headers, JWTs, URL credentials, tickets', () => {
    const none = secretHider([]);
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJl';
    const hidden = none(
      [
        'user token xoxp-123-456-789-abcdef and app token xapp-1-A0-123-abc',
        `Authorization: Bearer ${jwt}`,
        `token ${jwt} expired`,
        'connecting to rediss://default:hunter22@cache.internal:6380/0',
        'wss://wss-primary.slack.com/link/?ticket=7f3e-secret-ticket&app_id=A1',
        'body grant_type=client_credentials&client_secret=s3cr3t-v4lue&scope=x',
      ].join('\n'),
    );
    for (const secret of ['123-456-789-abcdef', '1-A0-123-abc', jwt, 'hunter22', '7f3e-secret-ticket', 's3cr3t-v4lue'])
      expect(hidden).not.toContain(secret);
    expect(hidden).toContain('rediss://default:***@cache.internal:6380/0');
    expect(hidden).toContain('xoxp-***');
  });

  it('logs objects without the fields that hold credentials, and errors as text of ours, not as they are', () => {
    // A Web API request error the way axios shapes it: the token sits in the request's headers.
    const error = Object.assign(new Error(`An HTTP protocol error occurred: statusCode = 500`), {
      code: 'slack_webapi_http_error',
      original: { config: { headers: { Authorization: `Bearer ${BOT_TOKEN}` }, data: `token=${BOT_TOKEN}` } },
    });
    const payload = { token: 'legacy-verification-token', team_id: 'T1', nested: { client_secret: 'x-secret-x' } };
    const { text, error: err } = logArguments(['request failed', error, payload], hide);
    expect(text).toBe(
      'request failed Error: An HTTP protocol error occurred: statusCode = 500 (slack_webapi_http_error) {"token":"[redacted]","team_id":"T1","nested":{"client_secret":"[redacted]"}}',
    );
    expect(err).toMatchObject({ type: 'Error', code: 'slack_webapi_http_error' });
    expect(JSON.stringify(err)).not.toContain(BOT_TOKEN);
    expect(Object.keys(err ?? {}).sort()).toEqual(['code', 'message', 'stack', 'type']);
  });

  it("passes Bolt's log calls to pino at their level, marked with the SDK, and drops those below the level Bolt sets", () => {
    const { logger, lines } = capturedPino();
    const slack = slackLogger(sdkLogTo(logger, 'slack', hide));
    slack.setLevel(LogLevel.INFO);
    slack.debug('http request body', { token: BOT_TOKEN });
    slack.info(`http request url: https://slack.test/api/chat.postMessage?token=${BOT_TOKEN}`);
    slack.error('command failed', new Error(`invalid_auth for ${BOT_TOKEN}`));
    const logged = lines();
    expect(logged.map((line) => [line['level'], line['sdk'], line['msg']])).toEqual([
      [30, 'slack', 'http request url: https://slack.test/api/chat.postMessage?token=***'],
      [50, 'slack', 'command failed Error: invalid_auth for ***'],
    ]);
    expect(logged[1]?.['error']).toMatchObject({ type: 'Error', message: 'invalid_auth for ***' });
    expect(JSON.stringify(logged)).not.toContain(BOT_TOKEN);
    expect(slack.getLevel()).toBe(LogLevel.INFO);
  });

  it('writes plain lines for a process whose log is lines (mxops worker), at the minimum level and above', () => {
    const written: string[] = [];
    const log = sdkLogLines((line) => written.push(line), 'slack', hide, 'info');
    log('debug', ['not shown']);
    log('warn', [`rate limited, retrying with token ${BOT_TOKEN}`]);
    expect(written).toEqual(['slack: rate limited, retrying with token ***']);
  });
});
