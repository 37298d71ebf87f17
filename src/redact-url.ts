/**
 * A connection URL as it may appear in an error or a log line: the password replaced by `***`.
 *
 * It works on the text, not on a parsed URL, because the URLs that most need it are the ones that
 * do not parse or parse into something else: `redis::pw@host` (a typo for `redis://:pw@host`;
 * WHATWG reads it as a path, ioredis as user `redis`, password `:pw`), an unencoded `@` or `/` in
 * the password, a bracket that breaks the host. The rule:
 *
 * - the credentials run from after `scheme:` (and `//`, if there) to the LAST `@`, so a password
 *   holding `@` or `/` is covered whole; with no scheme, from the start;
 * - in them, what follows the first `:` is the password and becomes `***`; the user name before it
 *   stays (it says which ACL user failed). With no `:` the whole part may be a password (some
 *   people write `redis://secret@host`), so all of it becomes `***`;
 * - a `password=` query parameter (ioredis reads options from the query) becomes `password=***`.
 *
 * Erring on the side of hiding: an `@` later in a path or query hides the host too.
 */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:(?:\/\/)?/;
const PASSWORD_PARAMETER = /([?&]password=)[^&#]*/gi;

export function redactUrl(text: string): string {
  const hidden = text.replace(PASSWORD_PARAMETER, '$1***');
  const at = hidden.lastIndexOf('@');
  if (at === -1) return hidden;
  const start = SCHEME.exec(hidden)?.[0].length ?? 0;
  const credentials = hidden.slice(start, at);
  const colon = credentials.indexOf(':');
  const user = colon === -1 ? '' : credentials.slice(0, colon + 1);
  return `${hidden.slice(0, start)}${user}***${hidden.slice(at)}`;
}
