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
export function threadConversationId(
  conversationId: string,
  conversationType: string | undefined,
  messageId: string,
): string {
  if (conversationType !== 'channel' || conversationId.includes(MESSAGE_ID_SUFFIX)) return conversationId;
  return `${conversationId}${MESSAGE_ID_SUFFIX}${messageId}`;
}

/** Escaped HTML text per thread message; the activity's 28 KB also holds ids and channelData. */
export const THREAD_MESSAGE_BYTES = 20_000;

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

/**
 * Long preformatted text (the report, the admin note) as `<pre>` messages, split at line ends,
 * all of them: a bot cannot put a file in a channel without Graph permissions, so the thread is
 * the only place the full text can go, and nothing is cut. When it takes several messages each
 * starts with "Part i of n" outside the `<pre>`, so a reader can tell the thread is complete and
 * a copy of the block is the report alone.
 */
export function threadMessagesHtml(text: string): string[] {
  const lines = text.replace(/\s+$/, '').split(/\r?\n/).map(escapeHtml);
  if (lines.length === 1 && lines[0] === '') return [];
  const room = THREAD_MESSAGE_BYTES - PRE_BYTES;
  let chunks = packLines(lines, room);
  if (chunks.length === 1) return chunks.map(pre);
  // Every message must leave room for the widest marker, whose width depends on the count, which
  // less room can raise: repack until the room reserved covers the count it produced.
  for (let reserved = 0; partMarkerBytes(chunks.length) > reserved;) {
    reserved = partMarkerBytes(chunks.length);
    chunks = packLines(lines, room - reserved);
  }
  return chunks.map((chunk, i) => `${partMarker(i + 1, chunks.length)}${pre(chunk)}`);
}

const PRE_BYTES = Buffer.byteLength('<pre></pre>');

function pre(chunk: string): string {
  return `<pre>${chunk}</pre>`;
}

/** What opens message `part` of `parts`, as escaped HTML. */
export function partMarker(part: number, parts: number): string {
  return escapeHtml(`Part ${part} of ${parts}`);
}

/** The widest marker of `parts` messages: the last one's digits are the most. */
function partMarkerBytes(parts: number): number {
  return Buffer.byteLength(partMarker(parts, parts));
}

/** Escaped lines joined into as few chunks of at most `budget` bytes as their order allows. */
function packLines(escapedLines: readonly string[], budget: number): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of escapedLines.flatMap((whole) => splitLong(whole, budget))) {
    const bytes = Buffer.byteLength(line);
    if (current.length > 0 && size + 1 + bytes > budget) {
      chunks.push(current.join('\n'));
      current = [];
    }
    size = current.length > 0 ? size + 1 + bytes : bytes;
    current.push(line);
  }
  chunks.push(current.join('\n'));
  return chunks;
}

/** A line longer than a message is cut into pieces of a message each, never inside an HTML entity. */
function splitLong(line: string, budget: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (Buffer.byteLength(rest) > budget) {
    let piece = safePrefix(rest, budget);
    // Each character is at least one byte: dropping the excess in characters always gets closer.
    for (let bytes = Buffer.byteLength(piece); bytes > budget; bytes = Buffer.byteLength(piece))
      piece = safePrefix(piece, piece.length - (bytes - budget));
    const entity = piece.lastIndexOf('&');
    if (entity > piece.length - 6 && !piece.slice(entity).includes(';')) piece = piece.slice(0, entity);
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  pieces.push(rest);
  return pieces;
}
