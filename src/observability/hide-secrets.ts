/**
 * Log text with the secrets taken out, for what third-party SDKs log (Bolt, the Slack Web API
 * client, botbuilder): their lines and errors are not ours to word, so they are cleaned as text.
 * pino's redact list only covers the keys of objects we log ourselves.
 *
 * Two nets: the secrets this process was configured with, hidden wherever they appear however they
 * got there; and the shapes a secret has that we were not given (a user's token in a payload, a
 * bearer header, a password in a URL, a Socket Mode ticket).
 */
import { redactUrl } from '../redact-url.js';

/** Shorter configured values are not hidden as text: they would mask ordinary words, and are not secrets worth the name. */
const MIN_KNOWN_LENGTH = 4;

const SHAPES: readonly [RegExp, string][] = [
  // Slack tokens: bot, user, app-level, refresh, configuration (xoxb-, xoxp-, xapp-, xoxe-, ...).
  [/\b(xox[a-z]|xapp)-[A-Za-z0-9-]+/g, '$1-***'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***'],
  // A JSON Web Token (Bot Framework and Entra tokens) on its own.
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '***'],
  // Form and query parameters that carry one: OAuth client secrets, Socket Mode's WebSocket ticket.
  [/\b((?:client_secret|client_assertion|password|token|ticket|code)=)[^&\s"']+/gi, '$1***'],
];

/** Anything that looks like a URL with credentials in it, down to the first character a URL cannot hold. */
const URL_WITH_CREDENTIALS = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>]*@[^\s"'<>]*/g;

export type HideSecrets = (text: string) => string;

/** `known`: the values to hide wherever they appear (config-secrets.ts lists the configured ones). */
export function secretHider(known: readonly string[]): HideSecrets {
  // Longest first, so a secret that contains another is hidden whole.
  const values = [...new Set(known.filter((value) => value.length >= MIN_KNOWN_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let hidden = text;
    for (const value of values) hidden = hidden.split(value).join('***');
    hidden = hidden.replace(URL_WITH_CREDENTIALS, (url) => redactUrl(url));
    for (const [shape, replacement] of SHAPES) hidden = hidden.replace(shape, replacement);
    return hidden;
  };
}
