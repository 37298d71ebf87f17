import { auditKeyring } from '../../src/store/audit-keys.js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { normalizeDomain } from '../../src/diagnosis/domain-name.js';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { BUILT_IN_ROOT_HINTS } from '../../src/diagnosis/delegation/root-hints.js';
import { BUILT_IN_TRUST_ANCHORS } from '../../src/diagnosis/dnssec/trust-anchors.js';
import { parseHostPort } from '../../src/host-port.js';

/** The AppError `act` throws; fails the test when it returns or throws anything else. */
function rejection(act: () => unknown): AppError {
  let result: unknown;
  try {
    result = act();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
}

function expectRejected(act: () => unknown, code: ErrorCode, message: string): void {
  const error = rejection(act);
  expect({ code: error.code, message: error.message }).toEqual({ code, message });
}

const label = (char: string, length: number): string => char.repeat(length);

describe('normalizeDomain: accepted input', () => {
  it.each([
    ['bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.Example', 'xn--bcher-kva.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['partner.test.', 'partner.test'],
    ['Partner.TEST', 'partner.test'],
    ['  partner.test  ', 'partner.test'],
    ['_dmarc.partner.test', '_dmarc.partner.test'],
    ['mx-1.partner.test', 'mx-1.partner.test'],
    [`${label('a', 63)}.test`, `${label('a', 63)}.test`],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it('accepts a name of exactly 253 characters, with or without the root dot', () => {
    const name = `${label('a', 63)}.${label('b', 63)}.${label('c', 63)}.${label('d', 61)}`;
    expect(name).toHaveLength(253);
    expect(normalizeDomain(name)).toBe(name);
    expect(normalizeDomain(`${name}.`)).toBe(name);
  });
});

describe('normalizeDomain: rejected input, each with its reason', () => {
  const longName = `${label('a', 63)}.${label('b', 63)}.${label('c', 63)}.${label('d', 62)}`;
  it.each([
    ['', 'no domain given: name the mail domain to check, for example partner.com'],
    ['   ', 'no domain given: name the mail domain to check, for example partner.com'],
    ['.', 'no domain given: name the mail domain to check, for example partner.com'],
    ['192.0.2.1', '"192.0.2.1" is an IP address; give the mail domain (the part after @), not a server address'],
    ['2001:db8::1', '"2001:db8::1" is an IP address; give the mail domain (the part after @), not a server address'],
    [
      '[2001:db8::1]',
      '"[2001:db8::1]" is an IP address; give the mail domain (the part after @), not a server address',
    ],
    ['[192.0.2.1]', '"[192.0.2.1]" is an IP address; give the mail domain (the part after @), not a server address'],
    // Shorthand IPv4 that the WHATWG host parser would otherwise turn into a dotted address.
    ['127.1', '"127.1" is an IP address (127.0.0.1); give the mail domain (the part after @), not a server address'],
    [
      '0x7f000001',
      '"0x7f000001" is an IP address (127.0.0.1); give the mail domain (the part after @), not a server address',
    ],
    [
      '3232235777',
      '"3232235777" is an IP address (192.168.1.1); give the mail domain (the part after @), not a server address',
    ],
    ['1.2.3', '"1.2.3" is an IP address (1.2.0.3); give the mail domain (the part after @), not a server address'],
    [
      'user@partner.test',
      '"user@partner.test" is not a domain name: give only the part after @, with no scheme, path or port',
    ],
    [
      'https://partner.test/',
      '"https://partner.test/" is not a domain name: give only the part after @, with no scheme, path or port',
    ],
    [
      'partner.test:25',
      '"partner.test:25" is not a domain name: give only the part after @, with no scheme, path or port',
    ],
    ['par tner.test', '"par tner.test" is not a domain name: give only the part after @, with no scheme, path or port'],
    ['par%tner.test', '"par%tner.test" is not a valid domain name (it cannot be converted to IDNA A-labels)'],
    [longName, `"${longName}" is 254 characters long; a domain name has at most 253`],
    ['localhost', '"localhost" has a single label; give a full domain such as partner.com'],
    ['partner..test', '"partner..test" has an empty label (two dots in a row, or a leading dot)'],
    ['.partner.test', '".partner.test" has an empty label (two dots in a row, or a leading dot)'],
    [`${label('a', 64)}.test`, `the label "${label('a', 20)}..." is 64 characters; a label has at most 63`],
    ['part!ner.test', 'the label "part!ner" in "part!ner.test" is not valid: use letters, digits and inner hyphens'],
    ['p*.test', 'the label "p*" in "p*.test" is not valid: use letters, digits and inner hyphens'],
    ['-partner.test', 'the label "-partner" in "-partner.test" is not valid: use letters, digits and inner hyphens'],
    ['partner-.test', 'the label "partner-" in "partner-.test" is not valid: use letters, digits and inner hyphens'],
  ])('%j', (input, message) => {
    expectRejected(() => normalizeDomain(input), 'BAD_INPUT', message);
  });
});

describe('parseHostPort', () => {
  it.each([
    ['192.0.2.53', { host: '192.0.2.53', port: 53 }],
    [' 192.0.2.53 ', { host: '192.0.2.53', port: 53 }],
    ['192.0.2.53:5353', { host: '192.0.2.53', port: 5353 }],
    ['2001:db8::53', { host: '2001:db8::53', port: 53 }],
    ['::ffff:192.0.2.53', { host: '::ffff:192.0.2.53', port: 53 }],
    ['[2001:db8::53]', { host: '2001:db8::53', port: 53 }],
    ['[2001:db8::53]:5353', { host: '2001:db8::53', port: 5353 }],
    ['[::1]:1', { host: '::1', port: 1 }],
    ['127.0.0.1:65535', { host: '127.0.0.1', port: 65535 }],
  ])('%j -> %j', (text, expected) => {
    expect(parseHostPort(text, 53, 'the resolver')).toEqual(expected);
  });

  it('uses the default port it is given', () => {
    expect(parseHostPort('192.0.2.53', 5300, 'the resolver')).toEqual({ host: '192.0.2.53', port: 5300 });
  });

  it.each([
    ['192.0.2.53:0', 'the resolver "192.0.2.53:0" has port 0; a port is 1 to 65535'],
    ['192.0.2.53:65536', 'the resolver "192.0.2.53:65536" has port 65536; a port is 1 to 65535'],
    ['[2001:db8::53]:0', 'the resolver "[2001:db8::53]:0" has port 0; a port is 1 to 65535'],
    [
      '192.0.2.53:abc',
      'the resolver "192.0.2.53:abc" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)',
    ],
    [
      '192.0.2.53:',
      'the resolver "192.0.2.53:" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)',
    ],
    [
      'dns.example',
      'the resolver "dns.example" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)',
    ],
    [
      'localhost:53',
      'the resolver "localhost:53" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)',
    ],
    [
      '[dns.example]:53',
      'the resolver "[dns.example]:53" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)',
    ],
    ['192.0.2', 'the resolver "192.0.2" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)'],
  ])('rejects %j', (text, message) => {
    expectRejected(() => parseHostPort(text, 53, 'the resolver'), 'BAD_INPUT', message);
  });
});

const SMTP_DEFAULTS = {
  port: 25,
  heloName: undefined,
  allowPrivateTargets: false,
  connectTimeoutMs: 10_000,
  bannerTimeoutMs: 30_000,
  commandTimeoutMs: 30_000,
  totalTimeoutMs: 90_000,
};
const QUEUE_DEFAULTS = {
  redisUrl: 'redis://127.0.0.1:6379',
  prefix: 'mxops',
  workerConcurrency: 16,
  probeCacheSeconds: 300,
  greylistRecheckSeconds: 600,
  redisGiveUpSeconds: undefined,
};
/** No key, no checkpoint file or channel: a plain hash chain, checkpointed hourly where configured. */
const AUDIT_DEFAULTS = {
  keyring: auditKeyring(undefined, []),
  checkpointFile: undefined,
  channel: undefined,
  checkpointMinutes: 60,
};
const STORE_DEFAULTS = {
  databaseTimeouts: { connectMs: 10_000, statementMs: 30_000 },
  healthTimeoutMs: 2_000,
  audit: AUDIT_DEFAULTS,
};
const DNS_DEFAULTS = {
  resolver: undefined,
  dnsTimeoutMs: 2000,
  dnsRetries: 1,
  authoritativePort: 53,
  rootHints: BUILT_IN_ROOT_HINTS,
  maxQueriesPerCheck: 2000,
  maxRunningChecks: 16,
  trustAnchors: BUILT_IN_TRUST_ANCHORS,
  maxMxHosts: 20,
  maxMxAddresses: 24,
  dnsblZones: ['zen.spamhaus.org', 'bl.spamcop.net'],
  http: { host: '0.0.0.0', port: 3000 },
  logLevel: 'info',
  startWorkers: true,
  database: { dialect: 'sqlite', target: './data/mxops.sqlite' },
  sweepIntervalSeconds: 300,
  checkHistoryDays: 365,
  watchIntervalMinutes: 60,
};

describe('loadConfig', () => {
  it('uses the defaults for keys that are missing or blank', () => {
    const defaults = { ...DNS_DEFAULTS, ...STORE_DEFAULTS, smtp: SMTP_DEFAULTS, queue: QUEUE_DEFAULTS };
    expect(loadConfig({})).toEqual(defaults);
    expect(loadConfig({ MXOPS_RESOLVER: '  ', MXOPS_DNS_TIMEOUT_MS: '', MXOPS_DNS_RETRIES: undefined })).toEqual(
      defaults,
    );
  });

  it('reads every key', () => {
    expect(
      loadConfig({
        MXOPS_RESOLVER: '[::1]:5353',
        MXOPS_DNS_TIMEOUT_MS: ' 500 ',
        MXOPS_DNS_RETRIES: '0',
        MXOPS_DNS_PORT: '5300',
        MXOPS_SMTP_PORT: '2525',
        MXOPS_HELO_NAME: 'probe.example.com',
        MXOPS_ALLOW_PRIVATE_TARGETS: 'yes',
        MXOPS_SMTP_CONNECT_TIMEOUT_MS: '1000',
        MXOPS_SMTP_BANNER_TIMEOUT_MS: '2000',
        MXOPS_SMTP_COMMAND_TIMEOUT_MS: '3000',
        MXOPS_SMTP_TOTAL_TIMEOUT_MS: '4000',
        MXOPS_REDIS_URL: 'rediss://user:secret@redis.internal:6380/2',
        MXOPS_QUEUE_PREFIX: '{mxops}',
        MXOPS_WORKER_CONCURRENCY: '4',
        MXOPS_MAX_RUNNING_CHECKS: '4',
        MXOPS_PROBE_CACHE_SECONDS: '0',
        MXOPS_GREYLIST_RECHECK_SECONDS: '120',
        MXOPS_DNSBL_ZONES: 'bl.example.net, DNSBL.Example.org.',
        MXOPS_HTTP_HOST: '127.0.0.1',
        MXOPS_HTTP_PORT: '8080',
        MXOPS_LOG_LEVEL: 'DEBUG',
        MXOPS_START_WORKERS: 'false',
        DATABASE_URL: 'postgres://mxops@db.internal:5432/mxops',
        MXOPS_SWEEP_INTERVAL_SECONDS: '60',
        MXOPS_CHECK_HISTORY_DAYS: '30',
        MXOPS_WATCH_INTERVAL_MINUTES: '15',
        MXOPS_CALENDAR_TOKEN: '0123456789abcdef0123456789abcdef',
        UNRELATED: 'x',
      }),
    ).toEqual({
      database: { dialect: 'postgres', target: 'postgres://mxops@db.internal:5432/mxops' },
      sweepIntervalSeconds: 60,
      checkHistoryDays: 30,
      watchIntervalMinutes: 15,
      calendarToken: '0123456789abcdef0123456789abcdef',
      resolver: { host: '::1', port: 5353 },
      dnsTimeoutMs: 500,
      dnsRetries: 0,
      authoritativePort: 5300,
      rootHints: BUILT_IN_ROOT_HINTS,
      maxQueriesPerCheck: 2000,
      maxRunningChecks: 4,
      trustAnchors: BUILT_IN_TRUST_ANCHORS,
      maxMxHosts: 20,
      maxMxAddresses: 24,
      dnsblZones: ['bl.example.net', 'dnsbl.example.org'],
      http: { host: '127.0.0.1', port: 8080 },
      logLevel: 'debug',
      startWorkers: false,
      smtp: {
        port: 2525,
        heloName: 'probe.example.com',
        allowPrivateTargets: true,
        connectTimeoutMs: 1000,
        bannerTimeoutMs: 2000,
        commandTimeoutMs: 3000,
        totalTimeoutMs: 4000,
      },
      queue: {
        redisUrl: 'rediss://user:secret@redis.internal:6380/2',
        prefix: '{mxops}',
        workerConcurrency: 4,
        probeCacheSeconds: 0,
        greylistRecheckSeconds: 120,
        redisGiveUpSeconds: undefined,
      },
      ...STORE_DEFAULTS,
    });
  });

  it('never echoes a Redis password in its error', () => {
    const error = rejection(() => loadConfig({ MXOPS_REDIS_URL: 'http://user:hunter2@redis.internal:6379' }));
    expect(error.message).toContain(
      'MXOPS_REDIS_URL: "http://user:***@redis.internal:6379" is not a redis:// or rediss:// URL',
    );
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['MXOPS_ALLOW_PRIVATE_TARGETS', 'maybe', '"maybe" is not true or false'],
    [
      'MXOPS_HELO_NAME',
      'localhost',
      '"localhost" is not a fully qualified host name (e.g. probe.example.com); receivers reject EHLO with bare names',
    ],
    [
      'MXOPS_QUEUE_PREFIX',
      'a:b',
      '"a:b" is not a usable prefix: letters, digits, _ - and {} (for a Redis Cluster hash tag), at most 64',
    ],
    [
      'MXOPS_CALENDAR_TOKEN',
      'short',
      'use 24 to 128 letters, digits, - or _ (e.g. the output of: openssl rand -hex 16); the value is not shown here',
    ],
    [
      'MXOPS_WATCH_INTERVAL_MINUTES',
      '1',
      '"1" is not a whole number from 5 to 10080 (minutes between watch re-checks)',
    ],
    ['MXOPS_WORKER_CONCURRENCY', '0', '"0" is not a whole number from 1 to 1000 (probes at once per worker)'],
    [
      'MXOPS_DNSBL_ZONES',
      'zen.spamhaus.org,,x',
      '"" is not a DNS zone name; give zones separated by commas (e.g. zen.spamhaus.org,bl.spamcop.net), or none',
    ],
  ])('rejects %s=%s', (key, value, problem) => {
    expectRejected(
      () => loadConfig({ [key]: value }),
      'BAD_CONFIG',
      `configuration has 1 problem:\n  ${key}: ${problem}`,
    );
  });

  it.each([
    ['MXOPS_DNS_TIMEOUT_MS', '50', { dnsTimeoutMs: 50 }],
    ['MXOPS_DNS_TIMEOUT_MS', '60000', { dnsTimeoutMs: 60000 }],
    ['MXOPS_DNS_RETRIES', '5', { dnsRetries: 5 }],
    ['MXOPS_DNS_PORT', '1', { authoritativePort: 1 }],
    ['MXOPS_DNS_PORT', '65535', { authoritativePort: 65535 }],
  ])('accepts %s=%s at the edge of its range', (key, value, expected) => {
    expect(loadConfig({ [key]: value })).toEqual({
      ...DNS_DEFAULTS,
      ...STORE_DEFAULTS,
      smtp: SMTP_DEFAULTS,
      queue: QUEUE_DEFAULTS,
      ...expected,
    });
  });

  it.each([
    ['MXOPS_DNS_TIMEOUT_MS', '49', '"49" is not a whole number from 50 to 60000 (milliseconds per DNS query)'],
    ['MXOPS_DNS_TIMEOUT_MS', '60001', '"60001" is not a whole number from 50 to 60000 (milliseconds per DNS query)'],
    ['MXOPS_DNS_TIMEOUT_MS', '1e3', '"1e3" is not a whole number from 50 to 60000 (milliseconds per DNS query)'],
    ['MXOPS_DNS_RETRIES', '6', '"6" is not a whole number from 0 to 5 (retries after a DNS time-out)'],
    ['MXOPS_DNS_RETRIES', '-1', '"-1" is not a whole number from 0 to 5 (retries after a DNS time-out)'],
    ['MXOPS_DNS_PORT', '0', '"0" is not a whole number from 1 to 65535 (a port)'],
    [
      'MXOPS_RESOLVER',
      'dns.example',
      'the resolver "dns.example" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)',
    ],
  ])('rejects %s=%s, naming the key', (key, value, problem) => {
    expectRejected(
      () => loadConfig({ [key]: value }),
      'BAD_CONFIG',
      `configuration has 1 problem:\n  ${key}: ${problem}`,
    );
  });

  it('reports every bad key together in one BAD_CONFIG error', () => {
    const error = rejection(() =>
      loadConfig({
        MXOPS_RESOLVER: 'dns.example',
        MXOPS_DNS_TIMEOUT_MS: '10',
        MXOPS_DNS_RETRIES: '1.5',
        MXOPS_DNS_PORT: '0',
      }),
    );
    expect(error.code).toBe('BAD_CONFIG');
    expect(error.message.split('\n')).toEqual([
      'configuration has 4 problems:',
      '  MXOPS_RESOLVER: the resolver "dns.example" is not an IP address with an optional port (e.g. 127.0.0.1:5353 or [::1]:53)',
      '  MXOPS_DNS_TIMEOUT_MS: "10" is not a whole number from 50 to 60000 (milliseconds per DNS query)',
      '  MXOPS_DNS_RETRIES: "1.5" is not a whole number from 0 to 5 (retries after a DNS time-out)',
      '  MXOPS_DNS_PORT: "0" is not a whole number from 1 to 65535 (a port)',
    ]);
  });
});

describe('loadConfig: Slack slash commands', () => {
  const slack = { MXOPS_SLACK_BOT_TOKEN: 'xoxb-1', MXOPS_SLACK_SIGNING_SECRET: 'secret' };

  it('takes /mailcheck and /patch by default, or the names the manifest gives them', () => {
    expect(loadConfig(slack).slack).toMatchObject({ command: '/mailcheck', patchCommand: '/patch' });
    expect(
      loadConfig({ ...slack, MXOPS_SLACK_COMMAND: '/mx', MXOPS_SLACK_PATCH_COMMAND: '/mx-patch' }).slack,
    ).toMatchObject({ command: '/mx', patchCommand: '/mx-patch' });
  });

  it('takes /outage by default, or the name the manifest gives it, and refuses one already taken', () => {
    expect(loadConfig(slack).slack).toMatchObject({ outageCommand: '/outage' });
    expect(loadConfig({ ...slack, MXOPS_SLACK_OUTAGE_COMMAND: '/mx-outage' }).slack).toMatchObject({
      outageCommand: '/mx-outage',
    });
    expect(() => loadConfig({ ...slack, MXOPS_SLACK_OUTAGE_COMMAND: 'outage' })).toThrow(
      'MXOPS_SLACK_OUTAGE_COMMAND: "outage" is not a slash command such as /outage',
    );
    expect(() => loadConfig({ ...slack, MXOPS_SLACK_OUTAGE_COMMAND: '/patch' })).toThrow(
      'MXOPS_SLACK_OUTAGE_COMMAND: "/patch" is MXOPS_SLACK_PATCH_COMMAND too',
    );
  });

  it.each([
    ['patch', 'MXOPS_SLACK_PATCH_COMMAND: "patch" is not a slash command such as /patch'],
    ['/mailcheck', 'MXOPS_SLACK_PATCH_COMMAND: "/mailcheck" is MXOPS_SLACK_COMMAND too'],
  ])('refuses MXOPS_SLACK_PATCH_COMMAND=%s', (value, problem) => {
    expect(() => loadConfig({ ...slack, MXOPS_SLACK_PATCH_COMMAND: value })).toThrow(problem);
  });
});
