/**
 * Plain Card text as Adaptive Card TextBlock text. Teams runs every TextBlock (and FactSet value)
 * through its Markdown subset: bold, italic, lists, links (adaptivecards.io, "Text features").
 * Card text is plain (card.ts), and mail evidence is full of `_dmarc`, `*`, `-all` and `[...]`, so
 * the characters that subset reacts to are backslash-escaped. A single "\n" is not a line break in
 * a TextBlock, only a blank line is (microsoft/AdaptiveCards#5538, "by design"), so lines are
 * joined by "\n\n".
 */

/** Inline markers of the Markdown subset, and the backslash itself. */
const INLINE_MARKERS = /[\\*_[\]]/g;

export function markdownSafe(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) =>
      line
        .replace(INLINE_MARKERS, '\\$&')
        // A line starting "- ", "+ " or "1. " would become a list item.
        .replace(/^(\s*)([-+])(?=\s)/, '$1\\$2')
        .replace(/^(\s*)(\d+)\.(?=\s)/, '$1$2\\.'),
    )
    .join('\n\n');
}

/**
 * The first `max` UTF-16 units of `text`, never ending inside a surrogate pair or right after a
 * lone escaping backslash (which would escape whatever the cut note starts with).
 */
export function safePrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  let cut = text.slice(0, end);
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailing % 2 === 1) cut = cut.slice(0, -1);
  return cut;
}
