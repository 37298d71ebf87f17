/**
 * The first gate for an uploaded inventory file: text of a sane size. It runs before any parser
 * so that a spreadsheet saved as .xlsx or a 2 GB log gets one clear sentence instead of a parse error.
 */
import { InventoryFileError } from './inventory-file-error.js';

/** Far above any real inventory (thousands of systems fit in a few hundred kB). */
export const MAX_INVENTORY_BYTES = 10 * 1024 * 1024;

/** Returns the text without a byte-order mark, or throws InventoryFileError naming why it is unusable. */
export function acceptInventoryText(text: string, source: string): string {
  // Every UTF-16 unit takes at least one UTF-8 byte: a string this long is over the cap, no need to count.
  if (text.length > MAX_INVENTORY_BYTES || Buffer.byteLength(text, 'utf8') > MAX_INVENTORY_BYTES) {
    throw new InventoryFileError(source, [
      {
        line: 0,
        field: '',
        message: `is larger than ${MAX_INVENTORY_BYTES / (1024 * 1024)} MB: split it into several files`,
      },
    ]);
  }
  const bad = findNonText(text);
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new InventoryFileError(source, [
      {
        line,
        field: '',
        message: 'is not UTF-8 text (found a binary or undecodable character): save it as UTF-8 YAML or CSV',
      },
    ]);
  }
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

// NUL never occurs in text; U+FFFD is what a caller's UTF-8 decoding leaves where the bytes were
// not UTF-8 (a UTF-16 or Latin-1 export, a zip). Other C0 controls (except tab, LF, CR) mean binary.
function findNonText(text: string): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffd) return index;
  }
  return -1;
}
