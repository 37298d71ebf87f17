/**
 * The secrets this process was configured with, for the log of what the platform SDKs say
 * (observability/hide-secrets.ts hides them wherever they appear): tokens and the signing secret
 * of Slack, the Teams client secret, the calendar feed's token, and the passwords in the Redis and
 * PostgreSQL URLs, as written and decoded. The audit keys are not listed: they never leave their
 * AuditKey objects, which print as their id.
 */
import type { Config } from '../config.js';

export function configSecrets(config: Config): string[] {
  const values = [
    config.slack?.botToken,
    config.slack?.appToken,
    config.slack?.signingSecret,
    config.teams?.appPassword,
    config.calendarToken,
    ...urlPasswords(config.queue.redisUrl),
    ...(config.database.dialect === 'postgres' ? urlPasswords(config.database.target) : []),
  ];
  return values.filter((value): value is string => value !== undefined && value !== '');
}

/** A URL that does not parse still names no password we could find; redact-url.ts covers it as text. */
function urlPasswords(text: string): string[] {
  try {
    const { password } = new URL(text);
    return password === '' ? [] : [password, safeDecode(password)];
  } catch {
    return [];
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
