import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (pino) on stderr, so stdout stays the command's output. Redis URLs with
 * credentials and tokens are never passed to the logger; the redact list is a second guard.
 */
export function createLogger(level: string): Logger {
  return pino(
    { level, redact: ['*.token', '*.password', '*.secret', '*.redisUrl', 'token', 'password', 'secret', 'redisUrl'] },
    pino.destination(2),
  );
}

/** A child logger whose every line carries the command's correlation id. */
export function forCommand(logger: Logger, fields: Record<string, string>): Logger {
  return logger.child({ correlationId: randomUUID(), ...fields });
}
