import { readFileSync } from 'node:fs';
import { BUILT_IN_ROOT_HINTS, parseRootHints, type RootHint } from './diagnosis/delegation/root-hints.js';
import { DEFAULT_MAX_QUERIES } from './diagnosis/dns-lookups.js';
import { BUILT_IN_TRUST_ANCHORS, parseTrustAnchors, type TrustAnchor } from './diagnosis/dnssec/trust-anchors.js';
import type { DnsServer } from './diagnosis/dns-port.js';
import { DEFAULT_MAIL_SERVER_LIMITS } from './diagnosis/mail-server-limits.js';
import { AppError, isAppError } from './errors.js';
import { fileErrorWords } from './file-error.js';
import { parseHostPort } from './host-port.js';
import { redactUrl } from './redact-url.js';
import { databaseLocation, type DatabaseLocation } from './store/database-location.js';
import { type AuditConfig, readAuditConfig } from './store/audit-config.js';
import { DEFAULT_OUTAGE_COMMAND, type SlackSettings } from './chat/slack/slack-settings.js';
import type { TeamsSettings } from './chat/teams/teams-settings.js';

/** Every setting mxops reads, parsed and validated once (DESIGN.md, "Config parsed once"). */
export interface Config {
  /** The recursive resolver for the first lookups; undefined means the system's (/etc/resolv.conf). */
  readonly resolver: DnsServer | undefined;
  readonly dnsTimeoutMs: number;
  readonly dnsRetries: number;
  /** Port of authoritative servers: 53, or another for a test bed of local nameservers. */
  readonly authoritativePort: number;
  /** Where the delegation walk starts: IANA's root servers unless MXOPS_ROOT_HINTS names a file. */
  readonly rootHints: readonly RootHint[];
  /** At most this many DNS packets per check (a hostile zone must not make a check a flood). */
  readonly maxQueriesPerCheck: number;
  /** At most this many chat checks run at once in one process; the rest wait their turn. */
  readonly maxRunningChecks: number;
  /** Where DNSSEC validation starts: the root's IANA anchors, plus or instead of (per zone) those in MXOPS_TRUST_ANCHORS. */
  readonly trustAnchors: readonly TrustAnchor[];
  /** At most this many MX hosts, and mail server addresses, are looked at and probed (Postfix tries 5 addresses). */
  readonly maxMxHosts: number;
  readonly maxMxAddresses: number;
  readonly smtp: {
    /** 25, or another for a test bed of local mail servers. */
    readonly port: number;
    /** Our EHLO name; undefined means this host's name. */
    readonly heloName: string | undefined;
    /** Probe loopback, private and reserved addresses too (tests, internal use). */
    readonly allowPrivateTargets: boolean;
    readonly connectTimeoutMs: number;
    readonly bannerTimeoutMs: number;
    readonly commandTimeoutMs: number;
    readonly totalTimeoutMs: number;
  };
  /** The HTTP listener of `mxops start`: /healthz, /metrics, and the chat platforms' endpoints. */
  readonly http: { readonly host: string; readonly port: number };
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  readonly logLevel: string;
  /** The Slack surface; undefined unless MXOPS_SLACK_BOT_TOKEN is set. */
  readonly slack: SlackSettings | undefined;
  /** The Teams surface; undefined unless MXOPS_TEAMS_APP_ID is set. */
  readonly teams: TeamsSettings | undefined;
  /** Whether `mxops start` runs SMTP probe workers in the same process. */
  readonly startWorkers: boolean;
  /** DNS blocklists to look the MX addresses up in; empty: none. */
  readonly dnsblZones: readonly string[];
  /** How often the escalation sweep looks for patches coming due and overdue (one schedule for all replicas). */
  readonly sweepIntervalSeconds: number;
  /** How long each domain's check reports are kept, for `mxops history` and "What changed". */
  readonly checkHistoryDays: number;
  /** How often `/mailcheck watch` re-checks unless told otherwise. */
  readonly watchIntervalMinutes: number;
  /** Serves the outage calendar at /calendar/<token>.ics on the HTTP port; undefined: not served. */
  readonly calendarToken: string | undefined;
  /** The audit log's MAC keys and where its head is checkpointed outside the database (README, "The audit log"). */
  readonly audit: AuditConfig;
  /** The inventory and audit store: SQLite under MXOPS_DATA_DIR unless DATABASE_URL names PostgreSQL. */
  readonly database: DatabaseLocation;
  /** A store that is down or hung fails with a clear error instead of hanging the command. */
  readonly databaseTimeouts: {
    /** PostgreSQL: to get a connection; SQLite: to get another process's write lock (busy timeout). */
    readonly connectMs: number;
    /** PostgreSQL: one statement, cancelled by the server past it. */
    readonly statementMs: number;
  };
  /** How long /healthz waits for each dependency before calling it down. */
  readonly healthTimeoutMs: number;
  readonly queue: {
    readonly redisUrl: string;
    /** BullMQ key prefix; wrap it in {braces} on Redis Cluster so a queue's keys share a slot. */
    readonly prefix: string;
    readonly workerConcurrency: number;
    /** How long a finished probe's result is reused for the same probe. */
    readonly probeCacheSeconds: number;
    /** How long after a temporary RCPT failure (greylisting) the follow-up probe runs. */
    readonly greylistRecheckSeconds: number;
    /** How long `mxops worker` and `mxops start` retry a Redis that is gone before exiting; undefined: for ever. */
    readonly redisGiveUpSeconds: number | undefined;
  };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Free for low-volume use from your own resolver; Spamhaus refuses public resolvers (reported as such). */
/** A watch re-checks at most this often (a partner's DNS is not news by the minute) and at least weekly. */
export const WATCH_MIN_MINUTES = 5;
export const WATCH_MAX_MINUTES = 10_080;

export const DEFAULT_DNSBL_ZONES: readonly string[] = ['zen.spamhaus.org', 'bl.spamcop.net'];

/**
 * Reads the MXOPS_* keys (see .env.example). Collects every problem before failing, so a broken
 * deployment is fixed in one round, and names the key and the fix for each.
 */
export function loadConfig(
  env: Env,
  readText: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Config {
  const problems: string[] = [];
  const read = <T>(key: string, fallback: T, parse: (text: string) => T): T => {
    const raw = env[key];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parse(raw.trim());
    } catch (error) {
      problems.push(`${key}: ${isAppError(error) ? error.message : String(error)}`);
      return fallback;
    }
  };
  const config: Config = {
    resolver: read<DnsServer | undefined>('MXOPS_RESOLVER', undefined, (text) =>
      parseHostPort(text, 53, 'the resolver'),
    ),
    dnsTimeoutMs: read('MXOPS_DNS_TIMEOUT_MS', 2000, (text) =>
      parseInteger(text, 50, 60_000, 'milliseconds per DNS query'),
    ),
    dnsRetries: read('MXOPS_DNS_RETRIES', 1, (text) => parseInteger(text, 0, 5, 'retries after a DNS time-out')),
    authoritativePort: read('MXOPS_DNS_PORT', 53, (text) => parseInteger(text, 1, 65_535, 'a port')),
    rootHints: read('MXOPS_ROOT_HINTS', BUILT_IN_ROOT_HINTS, (path) =>
      parseRootHints(readHintsFile(path, readText), path),
    ),
    trustAnchors: read('MXOPS_TRUST_ANCHORS', BUILT_IN_TRUST_ANCHORS, (path) =>
      withTrustAnchors(parseTrustAnchors(readTrustAnchorFile(path, readText), path)),
    ),
    maxQueriesPerCheck: read('MXOPS_MAX_QUERIES_PER_CHECK', DEFAULT_MAX_QUERIES, (text) =>
      parseInteger(text, 50, 100_000, 'DNS queries per check'),
    ),
    maxRunningChecks: read('MXOPS_MAX_RUNNING_CHECKS', 16, (text) =>
      parseInteger(text, 1, 1_000, 'checks running at once'),
    ),
    maxMxHosts: read('MXOPS_MAX_MX_HOSTS', DEFAULT_MAIL_SERVER_LIMITS.maxHosts, (text) =>
      parseInteger(text, 1, 1_000, 'MX hosts looked at per check'),
    ),
    maxMxAddresses: read('MXOPS_MAX_MX_ADDRESSES', DEFAULT_MAIL_SERVER_LIMITS.maxAddresses, (text) =>
      parseInteger(text, 1, 1_000, 'mail server addresses probed per check'),
    ),
    smtp: {
      port: read('MXOPS_SMTP_PORT', 25, (text) => parseInteger(text, 1, 65_535, 'a port')),
      heloName: read<string | undefined>('MXOPS_HELO_NAME', undefined, parseHeloName),
      allowPrivateTargets: read('MXOPS_ALLOW_PRIVATE_TARGETS', false, parseBoolean),
      connectTimeoutMs: read('MXOPS_SMTP_CONNECT_TIMEOUT_MS', 10_000, (text) =>
        parseInteger(text, 100, 120_000, 'milliseconds'),
      ),
      bannerTimeoutMs: read('MXOPS_SMTP_BANNER_TIMEOUT_MS', 30_000, (text) =>
        parseInteger(text, 100, 300_000, 'milliseconds'),
      ),
      commandTimeoutMs: read('MXOPS_SMTP_COMMAND_TIMEOUT_MS', 30_000, (text) =>
        parseInteger(text, 100, 300_000, 'milliseconds'),
      ),
      totalTimeoutMs: read('MXOPS_SMTP_TOTAL_TIMEOUT_MS', 90_000, (text) =>
        parseInteger(text, 1_000, 900_000, 'milliseconds'),
      ),
    },
    dnsblZones: read('MXOPS_DNSBL_ZONES', DEFAULT_DNSBL_ZONES, parseZoneList),
    http: {
      host: read('MXOPS_HTTP_HOST', '0.0.0.0', (text) => parseHostPort(text, 1, 'MXOPS_HTTP_HOST').host),
      port: read('MXOPS_HTTP_PORT', 3000, (text) => parseInteger(text, 1, 65_535, 'a port')),
    },
    logLevel: read('MXOPS_LOG_LEVEL', 'info', parseLogLevel),
    startWorkers: read('MXOPS_START_WORKERS', true, parseBoolean),
    slack: undefined,
    teams: undefined,
    database: readDatabase(env, problems),
    databaseTimeouts: {
      connectMs: read('MXOPS_DB_CONNECT_TIMEOUT_MS', 10_000, (text) =>
        parseInteger(text, 100, 600_000, 'milliseconds to get a database connection'),
      ),
      statementMs: read('MXOPS_DB_STATEMENT_TIMEOUT_MS', 30_000, (text) =>
        parseInteger(text, 100, 3_600_000, 'milliseconds per database statement'),
      ),
    },
    healthTimeoutMs: read('MXOPS_HEALTH_TIMEOUT_MS', 2_000, (text) =>
      parseInteger(text, 50, 60_000, 'milliseconds per /healthz dependency check'),
    ),
    calendarToken: read<string | undefined>('MXOPS_CALENDAR_TOKEN', undefined, parseCalendarToken),
    audit: readAuditConfig(read, parseInteger),
    checkHistoryDays: read('MXOPS_CHECK_HISTORY_DAYS', 365, (text) =>
      parseInteger(text, 1, 3_650, 'days to keep check reports'),
    ),
    watchIntervalMinutes: read('MXOPS_WATCH_INTERVAL_MINUTES', 60, (text) =>
      parseInteger(text, WATCH_MIN_MINUTES, WATCH_MAX_MINUTES, 'minutes between watch re-checks'),
    ),
    sweepIntervalSeconds: read('MXOPS_SWEEP_INTERVAL_SECONDS', 300, (text) =>
      parseInteger(text, 5, 86_400, 'seconds between escalation sweeps'),
    ),
    queue: {
      redisUrl: read('MXOPS_REDIS_URL', 'redis://127.0.0.1:6379', parseRedisUrl),
      prefix: read('MXOPS_QUEUE_PREFIX', 'mxops', parseQueuePrefix),
      workerConcurrency: read('MXOPS_WORKER_CONCURRENCY', 16, (text) =>
        parseInteger(text, 1, 1_000, 'probes at once per worker'),
      ),
      probeCacheSeconds: read('MXOPS_PROBE_CACHE_SECONDS', 300, (text) => parseInteger(text, 0, 86_400, 'seconds')),
      greylistRecheckSeconds: read('MXOPS_GREYLIST_RECHECK_SECONDS', 600, (text) =>
        parseInteger(text, 10, 86_400, 'seconds'),
      ),
      redisGiveUpSeconds: read<number | undefined>('MXOPS_REDIS_GIVE_UP_SECONDS', undefined, (text) =>
        text.toLowerCase() === 'never'
          ? undefined
          : parseInteger(text, 1, 604_800, 'seconds to retry a Redis that is gone, or never'),
      ),
    },
  };
  const slack = readSlack(env, config.logLevel, problems);
  const teams = readTeams(env, problems);
  if (problems.length > 0)
    throw new AppError(
      'BAD_CONFIG',
      `configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`,
    );
  return { ...config, slack, teams };
}

/** A file's anchors replace the built-in ones for the zones it names (a test bed's own root) and add the rest (islands of trust). */
function withTrustAnchors(anchors: readonly TrustAnchor[]): TrustAnchor[] {
  const zones = new Set(anchors.map((a) => a.zone));
  return [...BUILT_IN_TRUST_ANCHORS.filter((a) => !zones.has(a.zone)), ...anchors];
}

function readTrustAnchorFile(path: string, readText: (path: string) => string): string {
  try {
    return readText(path);
  } catch (error) {
    throw new AppError(
      'BAD_INPUT',
      `cannot read ${path}: ${fileErrorWords(error)} (DS or DNSKEY records in zone-file format, as unbound's trust-anchor-file)`,
    );
  }
}

function readHintsFile(path: string, readText: (path: string) => string): string {
  try {
    return readText(path);
  } catch (error) {
    throw new AppError(
      'BAD_INPUT',
      `cannot read ${path}: ${fileErrorWords(error)} (a root hints file in zone format, like named.root)`,
    );
  }
}

export function parseInteger(text: string, min: number, max: number, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new AppError('BAD_INPUT', `"${text}" is not a whole number from ${min} to ${max} (${what})`);
  }
  return value;
}

export function parseBoolean(text: string): boolean {
  const value = text.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new AppError('BAD_INPUT', `"${text}" is not true or false`);
}

function parseHeloName(text: string): string {
  // RFC 5321 §4.1.1.1: a fully qualified domain name (an address literal would also do, but
  // receivers distrust it).
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(text)) {
    throw new AppError(
      'BAD_INPUT',
      `"${text}" is not a fully qualified host name (e.g. probe.example.com); receivers reject EHLO with bare names`,
    );
  }
  return text;
}

function parseRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError(
      'BAD_INPUT',
      `"${redact(text)}" is not a URL; use redis://host:6379 or rediss://user:password@host:6380/0 (percent-encode / @ : in the password)`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new AppError('BAD_INPUT', `"${redact(text)}" is not a redis:// or rediss:// URL`);
  // `redis::pw@host` parses, as a path with no host; ioredis would read it as user "redis".
  if (url.host === '')
    throw new AppError(
      'BAD_INPUT',
      `"${redact(text)}" names no host: use redis://host:6379 or rediss://user:password@host:6380/0`,
    );
  return text;
}

/** The calendar feed's URL is its only secret (calendar apps cannot send credentials): make it unguessable. */
function parseCalendarToken(text: string): string {
  if (!/^[A-Za-z0-9_-]{24,128}$/.test(text))
    throw new AppError(
      'BAD_INPUT',
      'use 24 to 128 letters, digits, - or _ (e.g. the output of: openssl rand -hex 16); the value is not shown here',
    );
  return text;
}

/** DATABASE_URL keeps its conventional name (Heroku, Render, Fly and docker images set it). */
function readDatabase(env: Env, problems: string[]): DatabaseLocation {
  const dataDir = env['MXOPS_DATA_DIR']?.trim() || './data';
  try {
    return databaseLocation(env['DATABASE_URL'], dataDir);
  } catch (error) {
    problems.push(`DATABASE_URL: ${isAppError(error) ? error.message : String(error)}`);
    return databaseLocation(undefined, dataDir);
  }
}

/** A Redis URL may carry a password, in forms that do not parse too: never echo it back (redact-url.ts). */
export function redact(text: string): string {
  return redactUrl(text);
}

function parseQueuePrefix(text: string): string {
  if (!/^[A-Za-z0-9_{}-]{1,64}$/.test(text))
    throw new AppError(
      'BAD_INPUT',
      `"${text}" is not a usable prefix: letters, digits, _ - and {} (for a Redis Cluster hash tag), at most 64`,
    );
  return text;
}

function parseZoneList(text: string): readonly string[] {
  if (text.toLowerCase() === 'none') return [];
  const zones = text.split(',').map((zone) => zone.trim().toLowerCase().replace(/\.$/, ''));
  const bad = zones.find((zone) => !/^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(zone));
  if (bad !== undefined)
    throw new AppError(
      'BAD_INPUT',
      `"${bad}" is not a DNS zone name; give zones separated by commas (e.g. zen.spamhaus.org,bl.spamcop.net), or none`,
    );
  return zones;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parseLogLevel(text: string): string {
  const level = text.toLowerCase();
  if (!LOG_LEVELS.includes(level))
    throw new AppError('BAD_INPUT', `"${text}" is not a log level; use one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/**
 * The Slack keys, read only when a bot token is set. Token values never appear in an error: only
 * which key is wrong and what shape it should have.
 */
function readSlack(env: Env, logLevel: string, problems: string[]): SlackSettings | undefined {
  const value = (key: string): string | undefined => (env[key]?.trim() ? env[key]?.trim() : undefined);
  const botToken = value('MXOPS_SLACK_BOT_TOKEN');
  if (botToken === undefined) return undefined;
  const token = (key: string, prefix: string, text: string | undefined): string | undefined => {
    if (text !== undefined && !text.startsWith(prefix))
      problems.push(
        `${key}: does not start with ${prefix} (copy it from the app's settings page; the value is not shown here)`,
      );
    return text;
  };
  const appToken = token('MXOPS_SLACK_APP_TOKEN', 'xapp-', value('MXOPS_SLACK_APP_TOKEN'));
  const signingSecret = value('MXOPS_SLACK_SIGNING_SECRET');
  if (appToken === undefined && signingSecret === undefined)
    problems.push(
      'MXOPS_SLACK_SIGNING_SECRET: required for Slack over HTTP (or set MXOPS_SLACK_APP_TOKEN for Socket Mode)',
    );
  const portText = value('MXOPS_SLACK_PORT');
  let port = 3001;
  if (portText !== undefined) {
    try {
      port = parseInteger(portText, 0, 65_535, 'a port');
    } catch (error) {
      problems.push(`MXOPS_SLACK_PORT: ${isAppError(error) ? error.message : String(error)}`);
    }
  }
  const command = value('MXOPS_SLACK_COMMAND') ?? '/mailcheck';
  if (!/^\/[a-z0-9_-]{1,31}$/.test(command))
    problems.push(
      `MXOPS_SLACK_COMMAND: "${command}" is not a slash command such as /mailcheck (it must match the app manifest)`,
    );
  const patchCommand = value('MXOPS_SLACK_PATCH_COMMAND') ?? '/patch';
  if (!/^\/[a-z0-9_-]{1,31}$/.test(patchCommand))
    problems.push(
      `MXOPS_SLACK_PATCH_COMMAND: "${patchCommand}" is not a slash command such as /patch (it must match the app manifest)`,
    );
  else if (patchCommand === command)
    problems.push(
      `MXOPS_SLACK_PATCH_COMMAND: "${patchCommand}" is MXOPS_SLACK_COMMAND too; give each command its own name`,
    );
  const outageCommand = value('MXOPS_SLACK_OUTAGE_COMMAND') ?? DEFAULT_OUTAGE_COMMAND;
  if (!/^\/[a-z0-9_-]{1,31}$/.test(outageCommand))
    problems.push(
      `MXOPS_SLACK_OUTAGE_COMMAND: "${outageCommand}" is not a slash command such as /outage (it must match the app manifest)`,
    );
  else if (outageCommand === command || outageCommand === patchCommand)
    problems.push(
      `MXOPS_SLACK_OUTAGE_COMMAND: "${outageCommand}" is ${outageCommand === command ? 'MXOPS_SLACK_COMMAND' : 'MXOPS_SLACK_PATCH_COMMAND'} too; give each command its own name`,
    );
  const slackLevels = ['debug', 'info', 'warn', 'error'] as const;
  const level = slackLevels.find((l) => l === logLevel) ?? (logLevel === 'trace' ? 'debug' : 'error');
  return {
    botToken: token('MXOPS_SLACK_BOT_TOKEN', 'xoxb-', botToken) ?? botToken,
    signingSecret,
    appToken,
    port,
    host: value('MXOPS_SLACK_HOST'),
    command,
    patchCommand,
    outageCommand,
    apiUrl: value('MXOPS_SLACK_API_URL'),
    logLevel: level,
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Teams keys, read only when an app id is set; the password is never echoed. */
function readTeams(env: Env, problems: string[]): TeamsSettings | undefined {
  const value = (key: string): string | undefined => (env[key]?.trim() ? env[key]?.trim() : undefined);
  const appId = value('MXOPS_TEAMS_APP_ID');
  if (appId === undefined) return undefined;
  if (!GUID.test(appId))
    problems.push(`MXOPS_TEAMS_APP_ID: "${appId}" is not a GUID (the Azure Bot's Microsoft App ID)`);
  const appPassword = value('MXOPS_TEAMS_APP_PASSWORD');
  if (appPassword === undefined)
    problems.push(
      'MXOPS_TEAMS_APP_PASSWORD: required with MXOPS_TEAMS_APP_ID (a client secret of the app registration)',
    );
  const tenantId = value('MXOPS_TEAMS_TENANT_ID');
  if (tenantId === undefined || !GUID.test(tenantId))
    problems.push('MXOPS_TEAMS_TENANT_ID: required with MXOPS_TEAMS_APP_ID, a GUID (new Azure Bots are single-tenant)');
  let port = 3978;
  const portText = value('MXOPS_TEAMS_PORT');
  if (portText !== undefined) {
    try {
      port = parseInteger(portText, 0, 65_535, 'a port');
    } catch (error) {
      problems.push(`MXOPS_TEAMS_PORT: ${isAppError(error) ? error.message : String(error)}`);
    }
  }
  return { appId, appPassword: appPassword ?? '', tenantId: tenantId ?? '', port, host: value('MXOPS_TEAMS_HOST') };
}
