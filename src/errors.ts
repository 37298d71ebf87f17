/**
 * The few error codes mxops raises. Callers branch on `code`, never on message text
 * (DESIGN.md, "Errors are few and coded").
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'BAD_CONFIG'
  | 'DNS_TIMEOUT'
  | 'DNS_CONNECTION_REFUSED'
  | 'DNS_CONNECTION_CLOSED'
  | 'DNS_NETWORK'
  | 'DNS_MALFORMED_REPLY'
  | 'DNS_NOT_PUBLIC'
  | 'DNS_BUDGET_EXHAUSTED'
  | 'QUEUE_UNAVAILABLE'
  | 'STORE_UNAVAILABLE'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT';

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
