/**
 * The logger Bolt, its receiver and the Web API client are given instead of their ConsoleLogger,
 * which writes to the console past the process's log, its levels and its redaction. Bolt sets the
 * level (from MXOPS_LOG_LEVEL) and shares this one logger with its WebClient.
 */
import { LogLevel, type Logger } from '@slack/bolt';
import { SDK_LOG_LEVELS, type SdkLog, type SdkLogLevel } from '../../observability/sdk-log.js';

export function slackLogger(log: SdkLog, initial: LogLevel = LogLevel.INFO): Logger {
  let level: LogLevel = initial;
  const at =
    (wanted: SdkLogLevel) =>
    (...msg: unknown[]): void => {
      if (SDK_LOG_LEVELS.indexOf(wanted) >= SDK_LOG_LEVELS.indexOf(level as SdkLogLevel)) log(wanted, msg);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    // Every Slack line is marked as Slack's by the log it goes to; the SDK's own names add nothing.
    setName: () => undefined,
  };
}
