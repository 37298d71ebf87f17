/**
 * Slack's mrkdwn text: the few rules that keep user-controlled text (domains, SMTP replies, record
 * text) from turning into links, mentions or broken formatting.
 */

/**
 * Slack reads `<...>` as links and mentions (`<!channel>`), so the three control characters must
 * be sent as entities in every mrkdwn and `text` field (docs.slack.dev, "Escaping text").
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Bold in mrkdwn works per line, and only when the asterisks touch non-space characters, so each
 * line is trimmed and wrapped on its own; blank lines stay blank.
 */
export function boldMrkdwn(escaped: string): string {
  return escaped
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `*${line.trim()}*`))
    .join('\n');
}

/** A fence inside the text would end the code block early; a zero-width space breaks the run of backticks. */
export function fenceSafe(escaped: string): string {
  return escaped.replace(/```/g, '`\u200b``');
}

export function codeBlockMrkdwn(escaped: string): string {
  return `\`\`\`\n${fenceSafe(escaped)}\n\`\`\``;
}

/**
 * The longest prefix of `text` of at most `max` characters that does not end inside an entity
 * (`&am`) or between the halves of a surrogate pair, either of which Slack would show as garbage.
 */
export function safePrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  // In escaped text every & starts an entity, so an & with no ; after it was cut in half.
  return text.slice(0, cut).replace(/&[a-z]{0,3}$/, '');
}

/**
 * Slash command text as the user typed it. Slack sends &, < and > as entities, and a client may
 * have turned the input into a link (`<mailto:jane@partner.com|jane@partner.com>`,
 * `<http://partner.com|partner.com>`): the label is what was typed.
 */
export function commandText(text: string): string {
  return text
    .replace(/<[^<>|]*\|([^<>]*)>/g, '$1')
    .replace(/<(?:mailto:)?([^<>|]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
