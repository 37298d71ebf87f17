/**
 * CSV cells that a spreadsheet would run as a formula, made inert on the way out and restored on
 * the way back in, so an export still imports to the same values.
 *
 * OWASP's CSV injection rule (owasp.org/www-community/attacks/CSV_Injection): a cell starting with
 * = + - @, a tab or a carriage return gets a single quote in front, which spreadsheets take as
 * "this is text". The full-width = + - @ count too: Apple Numbers folds them to the ASCII ones
 * (csv-stringify's escape_formulas lists them for that reason).
 *
 * The rule that makes it reversible, for any text:
 *
 * - out: a quote goes in front when the cell starts with a trigger after any number of quotes
 *   (`=x` -> `'=x`, and `'=x` -> `''=x`, so a value that really starts with a quote survives);
 * - in: one leading quote is removed when one or more quotes are followed by a trigger
 *   (`'=x` -> `=x`, `''=x` -> `'=x`); every other cell is taken as it is (`'x`, `-5`, `it's`).
 *
 * A plain negative number (`-5`, `-0.25`) is left alone on the way out: a spreadsheet reads it as
 * the number it is, it runs nothing, and it stays a number there. csv-stringify's own
 * escape_formulas is not used: it leaves `'=x` as it is, which would import as `=x`.
 */

// In a character class, so the hyphen is escaped (unescaped, `+-@` would be a range holding the digits).
const TRIGGERS = '=+\\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20';
const NEEDS_QUOTE = new RegExp(`^'*[${TRIGGERS}]`);
const WAS_QUOTED = new RegExp(`^'+[${TRIGGERS}]`);
const NEGATIVE_NUMBER = /^-\d+(?:\.\d+)?$/;

/** The cell as written to a CSV file: a possible formula gets a leading `'`. */
export function defuseFormulaCell(text: string): string {
  return NEEDS_QUOTE.test(text) && !NEGATIVE_NUMBER.test(text) ? `'${text}` : text;
}

/** The inverse of defuseFormulaCell, applied to each cell read from a CSV file. */
export function restoreFormulaCell(text: string): string {
  return WAS_QUOTED.test(text) ? text.slice(1) : text;
}
