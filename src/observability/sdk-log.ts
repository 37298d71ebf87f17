/**
 * Where the platform SDKs' own log calls go (Bolt and the Slack Web API client take a logger;
 * botbuilder's adapter errors are handed over by src/chat/teams/): into the process's log, with
 * the secrets taken out. An SDK logs whatever it holds (`logger.error('failed', error)`, a request
 * body at debug), so nothing it passes is logged as it is: strings and errors become text, other
 * values JSON without the fields that hold credentials, and all of it goes through hideSecrets.
 */
import type { HideSecrets } from './hide-secrets.js';
import type { Logger } from './logger.js';

export type SdkLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One call per line: the level and the SDK's arguments as it passed them. */
export type SdkLog = (level: SdkLogLevel, args: readonly unknown[]) => void;

export const SDK_LOG_LEVELS: readonly SdkLogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Into pino (`mxops start`): `msg` the text, `sdk` the source, `error` an error's type, message,
 * code and stack (not `err`: pino's serializer would read our plain object as an error of type Object).
 */
export function sdkLogTo(logger: Logger, sdk: string, hide: HideSecrets): SdkLog {
  const log = logger.child({ sdk });
  return (level, args) => {
    const { text, error } = logArguments(args, hide);
    if (error) log[level]({ error }, text);
    else log[level](text);
  };
}

/** Into plain lines (`mxops worker`, whose log is lines of text), at `minimum` and above. */
export function sdkLogLines(
  write: (line: string) => void,
  sdk: string,
  hide: HideSecrets,
  minimum: SdkLogLevel,
): SdkLog {
  return (level, args) => {
    if (SDK_LOG_LEVELS.indexOf(level) >= SDK_LOG_LEVELS.indexOf(minimum))
      write(`${sdk}: ${logArguments(args, hide).text}`);
  };
}

interface SafeError {
  readonly type: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

/** The text of a log call's arguments, and its first error as fields of ours, both without secrets. */
export function logArguments(args: readonly unknown[], hide: HideSecrets): { text: string; error?: SafeError } {
  const text = hide(args.map(describe).join(' '));
  const error = args.find((arg): arg is Error => arg instanceof Error);
  if (!error) return { text };
  const code = (error as { code?: unknown }).code;
  return {
    text,
    error: {
      type: error.name,
      message: hide(error.message),
      ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
      ...(error.stack !== undefined ? { stack: hide(error.stack) } : {}),
    },
  };
}

/** Request and response fields that hold a credential, in payloads, headers and options. */
const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|signature|ticket|assertion|credential|apikey/i;

/** Enough of a value to see what it was; a whole payload is not a log line. */
const MAX_VALUE_CHARS = 2_000;

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}: ${value.message}${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  if (value === null || typeof value !== 'object') return String(value);
  const seen = new WeakSet<object>();
  let text: string;
  try {
    text =
      JSON.stringify(value, (key, inner: unknown) => {
        if (key !== '' && SECRET_KEY.test(key)) return '[redacted]';
        if (typeof inner === 'object' && inner !== null) {
          if (seen.has(inner)) return '[circular]';
          seen.add(inner);
        }
        return inner;
      }) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text;
}
