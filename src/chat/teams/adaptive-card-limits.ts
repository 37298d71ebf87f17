/**
 * Teams refuses a bot message over about 28 KB, attachments included, with 413
 * RequestEntityTooLarge (learn.microsoft.com/microsoftteams/limits-specifications-teams, "Chats":
 * message size ~28 KB). A refused update would leave the running card stuck, so the limiter cuts
 * the longest text and, failing that, drops whole parts, always saying so and pointing to the
 * thread where the full report goes. It never throws.
 */
import type { AdaptiveCard, AdaptiveElement, AdaptiveTextBlock } from './adaptive-card.js';
import { safePrefix } from './adaptive-card-text.js';

export const ADAPTIVE_CARD_LIMITS = {
  /** The card's JSON, leaving ~4 KB of the 28 KB for the activity around it (ids, summary, channelData). */
  cardJsonBytes: 24_000,
  /** A text is never cut shorter than this: below it, dropping a part is clearer than a stub. */
  minKeptChars: 200,
  /** Notification text (fallbackText, the activity's summary). */
  summaryChars: 500,
} as const;

export const CUT_NOTE = '… (cut here to fit a Teams message: the full text is in the thread)';
const CUT_SUFFIX = `\n\n${CUT_NOTE}`;
const DROPPED_ID = 'mxops-dropped';
const NOTE_BYTES = Buffer.byteLength(JSON.stringify(CUT_SUFFIX));

export function fitSummary(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= ADAPTIVE_CARD_LIMITS.summaryChars
    ? line
    : `${safePrefix(line, ADAPTIVE_CARD_LIMITS.summaryChars - 1).trimEnd()}…`;
}

export function cardJsonBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card));
}

export function fitAdaptiveCard(
  card: AdaptiveCard,
  maxBytes: number = ADAPTIVE_CARD_LIMITS.cardJsonBytes,
): AdaptiveCard {
  const body = [...card.body];
  let dropped = 0;
  // Every pass makes texts strictly shorter (down to minKeptChars) or removes an element, so it ends.
  for (let size = cardJsonBytes({ ...card, body }); size > maxBytes; size = cardJsonBytes({ ...card, body })) {
    if (cutLongestTexts(body, size - maxBytes)) continue;
    const last = lastDroppable(body);
    if (last === -1) break; // heading, notice and buttons alone: nothing more to give
    body.splice(last, 1);
    dropped++;
    placeDroppedNotice(body, dropped);
  }
  return { ...card, body };
}

function withoutCutNote(text: string): string {
  return text.endsWith(CUT_SUFFIX) ? text.slice(0, -CUT_SUFFIX.length) : text;
}

/**
 * Cuts the longest texts down to one common length, the longest that saves `excessBytes`, so a
 * long finding list and a long code block both keep their beginning rather than one vanishing.
 * Each character removed saves at least one byte; each cut costs the note's bytes once. Returns
 * false when no text is longer than minKeptChars.
 */
function cutLongestTexts(body: AdaptiveElement[], excessBytes: number): boolean {
  const min = ADAPTIVE_CARD_LIMITS.minKeptChars;
  const cuttable = body.flatMap((element, i) =>
    element.type === 'TextBlock' && element.id !== DROPPED_ID && withoutCutNote(element.text).length > min
      ? [{ i, element, text: withoutCutNote(element.text) }]
      : [],
  );
  if (cuttable.length === 0) return false;
  const saved = (level: number): number =>
    cuttable.reduce((sum, c) => sum + (c.text.length > level ? c.text.length - level - NOTE_BYTES : 0), 0);
  let low: number = min;
  let high = Math.max(...cuttable.map((c) => c.text.length));
  // The highest level that still saves enough; saved() only grows as the level falls.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (saved(mid) >= excessBytes) low = mid;
    else high = mid - 1;
  }
  for (const { i, element, text } of cuttable) {
    if (text.length > low) body[i] = { ...element, text: `${cutAtLineEnd(text, low)}${CUT_SUFFIX}` };
  }
  return true;
}

/** At most `max` characters, ending at a line end when one is near, so no word is left half. */
function cutAtLineEnd(text: string, max: number): string {
  const prefix = safePrefix(text, max);
  const lineEnd = prefix.lastIndexOf('\n');
  return (lineEnd >= max * 0.8 ? prefix.slice(0, lineEnd) : prefix).trimEnd();
}

/** The last part that is neither the heading, the notice nor buttons: buttons must survive. */
function lastDroppable(body: readonly AdaptiveElement[]): number {
  for (let i = body.length - 1; i >= 0; i--) {
    const element = body[i];
    if (!element || element.type === 'ActionSet') continue;
    if (element.type === 'TextBlock' && (element.style === 'heading' || element.id === DROPPED_ID)) continue;
    return i;
  }
  return -1;
}

/** One notice, kept just before the trailing buttons, counting what was dropped. */
function placeDroppedNotice(body: AdaptiveElement[], count: number): void {
  const existing = body.findIndex((e) => e.type === 'TextBlock' && e.id === DROPPED_ID);
  if (existing !== -1) body.splice(existing, 1);
  let at = body.length;
  while (at > 0 && body[at - 1]?.type === 'ActionSet') at--;
  const notice: AdaptiveTextBlock = {
    type: 'TextBlock',
    id: DROPPED_ID,
    text: `… ${count} more part${count === 1 ? '' : 's'} not shown here, to fit a Teams message: the full report is in the thread.`,
    wrap: true,
    isSubtle: true,
  };
  body.splice(at, 0, notice);
}
