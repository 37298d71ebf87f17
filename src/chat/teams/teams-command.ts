/**
 * A Teams message as a command: "mailcheck partner.com", "patch show mail-gw-1", "outage list", "help". In a channel the bot only hears
 * messages that @mention it, and the mention arrives inside the text ("<at>mxops</at> mailcheck
 * partner.com"); the caller strips it with TurnContext.removeRecipientMention first.
 */

export type TeamsCommand =
  | { readonly kind: 'mailcheck'; readonly text: string }
  | { readonly kind: 'patch'; readonly text: string }
  | { readonly kind: 'outage'; readonly text: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'unknown'; readonly word: string };

export function parseTeamsCommand(text: string): TeamsCommand {
  // Some Teams clients send the space after a mention as an HTML entity.
  const cleaned = text
    .replace(/&nbsp;/gi, ' ')
    .trim()
    .replace(/^\//, '');
  const [word = '', ...rest] = cleaned.split(/\s+/);
  if (word === '' || /^(help|\?)$/i.test(word)) return { kind: 'help' };
  // A pasted bounce keeps its line breaks: its structure (the failed address, then the reason) is in them.
  if (/^mailcheck$/i.test(word)) return { kind: 'mailcheck', text: cleaned.slice(word.length).replace(/^[ \t]+/, '') };
  if (/^patch$/i.test(word)) return { kind: 'patch', text: rest.join(' ') };
  if (/^outage$/i.test(word)) return { kind: 'outage', text: rest.join(' ') };
  return { kind: 'unknown', word };
}
