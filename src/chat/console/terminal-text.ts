/**
 * Text from people and from the network (patch titles, reasons, bounce lines, SMTP replies) made
 * safe to print in a terminal: what would act on the terminal is shown as an escape instead.
 *
 * - C0 controls, DEL and C1 controls as `\x1b`: ESC starts the sequences that clear the screen,
 *   move the cursor, retitle the window or write the clipboard (OSC 52); a lone CR returns to the
 *   start of the line and lets later text hide earlier text; 0x9b is CSI on terminals that take
 *   8-bit controls.
 * - Bidirectional controls as `\u202e`: U+202A-202E (embeddings and overrides), U+2066-2069
 *   (isolates), U+200E/F and U+061C (marks) reorder what is shown: `invoice-` U+202E `fdp.exe`
 *   reads as `invoice-exe.pdf` (CVE-2021-42574, "Trojan Source"). U+2028/2029 too: some terminals
 *   break the line there.
 *
 * Newline and tab stay as they are in multi-line text, where they are layout (a CRLF line ending
 * counts as a newline); in a single-line field they show as `\n` and `\t`. Backslashes are not
 * doubled: the escapes are for a person reading, and paths and regexes stay readable.
 */

// One class per mode; `u` so code points above U+FFFF are never split. Matching control
// characters is the point here, which no-control-regex exists to question.
// eslint-disable-next-line no-control-regex
const HOSTILE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
// eslint-disable-next-line no-control-regex
const HOSTILE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** Text that may span lines: newlines and tabs kept, everything else that acts on a terminal escaped. */
export function showTerminalText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(HOSTILE, escapeCharacter);
}

/** A single-line field (a header, a label, a value in a table): newlines and tabs escaped too. */
export function showTerminalLine(text: string): string {
  return text.replace(HOSTILE_IN_LINE, escapeCharacter);
}

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named !== undefined) return named;
  const code = character.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
