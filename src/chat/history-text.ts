/** History and diff text as chat shows it: within one message, pointing to the command line for the rest. */

/** Slack caps a section at 3,000 characters after escaping (every > of an arrow becomes &gt;); Teams and the console take this much too. */
export const MAX_HISTORY_CHARS = 2_500;

export function clipHistoryText(text: string, domain: string): string {
  if (text.length <= MAX_HISTORY_CHARS) return text;
  return `${text.slice(0, MAX_HISTORY_CHARS).replace(/\n[^\n]*$/, '')}\n… the rest: mxops history ${domain}`;
}
