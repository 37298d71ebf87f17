/**
 * Checks an incoming request's Bot Framework token before CloudAdapter.process sees it, so that a
 * refusal is a plain answer of ours and the two ways it can fail are told apart:
 *
 * - 401: the request is not from the Bot Framework (no or malformed Bearer token, wrong issuer,
 *   audience or signature, expired). This is decided locally, before any fetch, for everything
 *   but a well-formed token from an allowed issuer.
 * - 503: we could not tell, because the signing keys could not be fetched (OpenID metadata at
 *   login.botframework.com unreachable or failing). Left to CloudAdapter.process, that would be
 *   a 500 (a network error) or even a 401 (the SDK's own "Failed to load openID config: 500" is an
 *   AuthenticationError), with the SDK's message in the body either way.
 *
 * The SDK fetches the metadata with node-fetch 2 and no time-out (botframework-connector
 * auth/openIdMetadata.js), so an unanswered connection would hold the request until the kernel
 * gives up on it (about two minutes); this answers 503 after AUTHENTICATION_TIMEOUT_MS instead.
 */
import type { Activity } from 'botbuilder';
import type { TeamsAuthentication } from './teams-settings.js';

/** The Bot Framework Service waits 15 s for the bot; a 503 must reach it before it gives up. */
export const AUTHENTICATION_TIMEOUT_MS = 10_000;

export type AuthenticationVerdict =
  { readonly ok: true } | { readonly ok: false; readonly status: 401 | 503; readonly reason: string };

export async function authenticateActivity(
  authentication: TeamsAuthentication,
  activity: Activity,
  authorization: string,
  timeoutMs = AUTHENTICATION_TIMEOUT_MS,
): Promise<AuthenticationVerdict> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<AuthenticationVerdict>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          status: 503,
          reason: `no answer from the Bot Framework's signing keys within ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
  });
  const checked = authentication.authenticateRequest(activity, authorization).then(
    (): AuthenticationVerdict => ({ ok: true }),
    (error: unknown): AuthenticationVerdict => ({
      ok: false,
      status: statusFor(error),
      reason: error instanceof Error ? error.message : String(error),
    }),
  );
  try {
    return await Promise.race([checked, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

// jsonwebtoken's errors for a token that does not verify, which the SDK rethrows as they are.
const TOKEN_ERRORS: readonly unknown[] = ['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError'];

/**
 * The SDK's AuthenticationError carries a statusCode: 401 for a bad token, 500 when the metadata
 * could not be loaded. Anything else that is not a verdict on the token (node-fetch's FetchError
 * for a network failure, above all) means we could not decide: 503, as for a time-out.
 */
function statusFor(error: unknown): 401 | 503 {
  const { statusCode, name } = (typeof error === 'object' && error !== null ? error : {}) as {
    statusCode?: unknown;
    name?: unknown;
  };
  if (typeof statusCode === 'number') return statusCode >= 500 ? 503 : 401;
  return TOKEN_ERRORS.includes(name) ? 401 : 503;
}
