/**
 * Threads and long text in Teams. Channel threads are addressed through the conversation id: a
 * reply to message M in channel C is posted to conversation "C;messageid=M", where M is the id of
 * the thread's first message; a message in a channel thread already arrives with that suffix.
 * Channels have one level of threads, and personal or group chats have none.
 */
import { safePrefix } from './adaptive-card-text.js';

const MESSAGE_ID_SUFFIX = ';messageid=';

/** The channel or chat itself: the key conversation references are stored under. */
export function baseConversationId(conversationId: string): string {
  const at = conversationId.indexOf(MESSAGE_ID_SUFFIX);
  return at === -1 ? conversationId : conversationId.slice(0, at);
}

/**
 * Where replies about the message `messageId`, posted in `conversationId`, go:
 * - in a channel, posted at the top level: the thread the message starts ("C;messageid=<id>");
 * - in a channel thread (the id carries ";messageid=<root>"): that same thread, as Teams has no
 *   threads within threads;
 * - in a personal or group chat: the same chat, as a new message.
 */
export function threadConversationId(conversationId: string, conversationType: string | undefined, messageId: string): string {
  if (conversationType !== 'channel' || conversationId.includes(MESSAGE_ID_SUFFIX)) return conversationId;
  return `${conversationId}${MESSAGE_ID_SUFFIX}${messageId}`;
}

/** Escaped HTML text per thread message; the activity's 28 KB also holds ids and channelData. */
export const THREAD_MESSAGE_BYTES = 20_000;
/** A bound on how much one reply may flood a thread (Teams allows ~7 messages/s per thread, less per bot). */
export const MAX_THREAD_MESSAGES = 15;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Plain text as Teams message text with textFormat "xml": Teams renders message text as Markdown
 * by default, which would eat `_dmarc`, `<domain>` and line breaks; HTML keeps them when escaped.
 */
export function plainTextHtml(text: string): string {
  return escapeHtml(text.replace(/\s+$/, '')).replace(/\r?\n/g, '<br>');
}

/** Long preformatted text (the report, the admin note) as `<pre>` messages, split at line ends. */
export function threadMessagesHtml(text: string): string[] {
  const budget = THREAD_MESSAGE_BYTES - '<pre></pre>'.length;
  const lines = text
    .replace(/\s+$/, '')
    .split(/\r?\n/)
    .flatMap((line) => splitLong(escapeHtml(line), budget));
  if (lines.length === 0 || (lines.length === 1 && lines[0] === '')) return [];
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && size + bytes > budget) {
      chunks.push(current.join('\n'));
      current = [];
      size = 0;
    }
    size += current.length > 0 ? bytes : Buffer.byteLength(line);
    current.push(line);
  }
  chunks.push(current.join('\n'));
  const pre = (chunk: string): string => `<pre>${chunk}</pre>`;
  if (chunks.length <= MAX_THREAD_MESSAGES) return chunks.map(pre);
  const left = chunks.slice(MAX_THREAD_MESSAGES - 1).reduce((sum, chunk) => sum + chunk.split('\n').length, 0);
  return [...chunks.slice(0, MAX_THREAD_MESSAGES - 1).map(pre), `… ${left} more lines not posted, to keep the thread readable.`];
}

/** A line longer than a message is cut into pieces of a message each, never inside an HTML entity. */
function splitLong(line: string, budget: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (Buffer.byteLength(rest) > budget) {
    let piece = safePrefix(rest, budget);
    // Each character is at least one byte: dropping the excess in characters always gets closer.
    for (let bytes = Buffer.byteLength(piece); bytes > budget; bytes = Buffer.byteLength(piece)) piece = safePrefix(piece, piece.length - (bytes - budget));
    const entity = piece.lastIndexOf('&');
    if (entity > piece.length - 6 && !piece.slice(entity).includes(';')) piece = piece.slice(0, entity);
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  pieces.push(rest);
  return pieces;
}
