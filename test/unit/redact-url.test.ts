import { describe, expect, it } from 'vitest';
import { loadConfig, redact } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { redactUrl } from '../../src/redact-url.js';

const SECRET = 's3cr3t';

describe('redactUrl', () => {
  it.each([
    // The forms people actually write, valid or not.
    [`redis::${SECRET}@cache.internal`, 'redis::***@cache.internal'],
    [`redis://:${SECRET}@cache.internal`, 'redis://:***@cache.internal'],
    [`rediss://app:${SECRET}@cache.internal:6380/0`, 'rediss://app:***@cache.internal:6380/0'],
    [`redis://${SECRET}@cache.internal:6379`, 'redis://***@cache.internal:6379'],
    [`http://user:${SECRET}@cache.internal:6379`, 'http://user:***@cache.internal:6379'],
    // Unencoded @, / and : in the password, and URLs that do not parse.
    [`redis://app:${SECRET}@with/slash@cache.internal`, 'redis://app:***@cache.internal'],
    [`redis://:${SECRET}:more@[not-a-host`, 'redis://:***@[not-a-host'],
    [`redis:/:${SECRET}@cache.internal`, 'redis:/:***@cache.internal'],
    [`app:${SECRET}@cache.internal:6379`, 'app:***@cache.internal:6379'],
    [`:${SECRET}@cache.internal`, ':***@cache.internal'],
    [`cache.internal:6379?password=${SECRET}&db=2`, 'cache.internal:6379?password=***&db=2'],
    [`redis://cache.internal?db=1&Password=${SECRET}`, 'redis://cache.internal?db=1&Password=***'],
  ])('%s -> %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redact(url)).toBe(shown);
  });

  it.each([['redis://cache.internal:6379/0'], ['rediss://[::1]:6380'], ['not a url at all'], ['']])(
    'leaves %j, which holds no credentials, as it is',
    (url) => {
      expect(redactUrl(url)).toBe(url);
    },
  );
});

describe('the Redis URL in configuration errors', () => {
  function configError(url: string): AppError {
    try {
      loadConfig({ MXOPS_REDIS_URL: url });
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      return error as AppError;
    }
    throw new Error(`expected ${url} to be refused`);
  }

  it.each([
    [
      `redis::${SECRET}@cache.internal`,
      'MXOPS_REDIS_URL: "redis::***@cache.internal" names no host: use redis://host:6379 or rediss://user:password@host:6380/0',
    ],
    [
      `redis://:${SECRET}@[not-a-host`,
      'MXOPS_REDIS_URL: "redis://:***@[not-a-host" is not a URL; use redis://host:6379 or rediss://user:password@host:6380/0 (percent-encode / @ : in the password)',
    ],
    [`app:${SECRET}@cache.internal`, 'MXOPS_REDIS_URL: "app:***@cache.internal" is not a redis:// or rediss:// URL'],
    [
      `https://user:${SECRET}@cache.internal:6379`,
      'MXOPS_REDIS_URL: "https://user:***@cache.internal:6379" is not a redis:// or rediss:// URL',
    ],
  ])('refuses %s without showing the password', (url, problem) => {
    const error = configError(url);
    expect(error.code).toBe('BAD_CONFIG');
    expect(error.message).toBe(`configuration has 1 problem:\n  ${problem}`);
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(SECRET);
  });

  it('accepts the valid forms, password included, and keeps them for the connection', () => {
    expect(loadConfig({ MXOPS_REDIS_URL: `redis://:${SECRET}@cache.internal` }).queue.redisUrl).toBe(
      `redis://:${SECRET}@cache.internal`,
    );
    expect(loadConfig({ MXOPS_REDIS_URL: `rediss://app:${SECRET}@cache.internal:6380/0` }).queue.redisUrl).toBe(
      `rediss://app:${SECRET}@cache.internal:6380/0`,
    );
  });
});

describe('createRedisConnection', () => {
  it('refuses a URL ioredis cannot parse without passing the password on in the message or a cause', () => {
    let thrown: unknown;
    try {
      createRedisConnection(`redis://:${SECRET}@[not-a-host`, 'worker');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({
      code: 'BAD_CONFIG',
      message: 'cannot use the Redis URL "redis://:***@[not-a-host" (MXOPS_REDIS_URL): Invalid URL',
    });
    expect((thrown as Error).cause).toBeUndefined();
    expect(JSON.stringify(thrown)).not.toContain(SECRET);
  });
});
