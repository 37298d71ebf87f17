/**
 * Long plain text (the full report, the admin note) as thread messages. Slack accepts 40,000
 * characters in `text` but advises staying under 4,000 per message for readability
 * (docs.slack.dev, chat.postMessage, "Truncating content"), so the text is split at line ends
 * into several code blocks rather than cut.
 */
import { codeBlockMrkdwn, escapeMrkdwn, safePrefix } from './mrkdwn.js';

export const THREAD_MESSAGE_CHARS = 3_800;
/** A bound on how much one reply may flood a thread (and the ~1 message/s/channel rate limit). */
export const MAX_THREAD_MESSAGES = 15;

const FENCES = codeBlockMrkdwn('').length;

/** The text cut at line ends into pieces of at most a message each (escaped, not yet fenced). */
function threadChunks(text: string): string[] {
  const budget = THREAD_MESSAGE_CHARS - FENCES;
  const lines = text
    .replace(/\s+$/, '')
    .split('\n')
    .flatMap((line) => splitLong(escapeMrkdwn(line), budget));
  if (lines.length === 0 || (lines.length === 1 && lines[0] === '')) return [];
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (current.length > 0 && size + 1 + line.length > budget) {
      chunks.push(current.join('\n'));
      current = [];
      size = 0;
    }
    size += (current.length > 0 ? 1 : 0) + line.length;
    current.push(line);
  }
  chunks.push(current.join('\n'));
  return chunks;
}

export function threadMessages(text: string): string[] {
  const chunks = threadChunks(text);
  if (chunks.length <= MAX_THREAD_MESSAGES) return chunks.map(codeBlockMrkdwn);
  const shown = chunks.slice(0, MAX_THREAD_MESSAGES - 1);
  const left = chunks.slice(MAX_THREAD_MESSAGES - 1).reduce((sum, chunk) => sum + chunk.length, 0);
  return [...shown.map(codeBlockMrkdwn), `… ${left} more characters not posted, to keep the thread readable.`];
}

/**
 * A text too long for the thread's message bound goes whole as a file: the first messages for
 * reading in place, then the file. Undefined when the messages hold it all.
 */
export function threadWithFile(text: string): { readonly messages: string[]; readonly file: string } | undefined {
  const chunks = threadChunks(text);
  if (chunks.length <= MAX_THREAD_MESSAGES) return undefined;
  return { messages: chunks.slice(0, MAX_THREAD_MESSAGES - 1).map(codeBlockMrkdwn), file: text };
}

/** A line longer than a message is cut into pieces that each fit, without splitting an entity. */
function splitLong(line: string, budget: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > budget) {
    const piece = safePrefix(rest, budget);
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  pieces.push(rest);
  return pieces;
}
