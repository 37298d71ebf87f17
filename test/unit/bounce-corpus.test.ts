import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBounce } from '../../src/bounces/parse-bounce.js';

const DIRECTORY = join(import.meta.dirname, '../fixtures/bounces');
const SAMPLES = readdirSync(DIRECTORY)
  .filter((name) => /\.(?:eml|txt)$/.test(name))
  .sort();

describe('bounce corpus', () => {
  it('has a sample of every family, a delay warning, plain headers, an auto-reply and a success notice', () => {
    const expected = SAMPLES.map((name) => JSON.parse(readFileSync(join(DIRECTORY, name.replace(/\.(?:eml|txt)$/, '.expected.json')), 'utf8')) as { family: string; isBounce: boolean });
    const families = new Set(expected.map((parse) => parse.family));
    for (const family of ['qmail', 'postfix', 'exim', 'exchange', 'sendmail', 'gmail', 'unknown']) expect(families).toContain(family);
    expect(expected.filter((parse) => !parse.isBounce).length).toBeGreaterThanOrEqual(5);
  });

  it.each(SAMPLES)('%s parses as its .expected.json says', async (name) => {
    const raw = readFileSync(join(DIRECTORY, name));
    const expected: unknown = JSON.parse(readFileSync(join(DIRECTORY, name.replace(/\.(?:eml|txt)$/, '.expected.json')), 'utf8'));
    const { reason, ...parse } = await parseBounce(raw);
    expect(parse).toEqual(expected);
    // Every final failure says in words why; the hypotheses match on it.
    if (parse.isBounce) expect(reason).toMatch(/\w/);
  });

  it.each(SAMPLES)('%s parses the same from a string with CRLF line ends', async (name) => {
    const text = readFileSync(join(DIRECTORY, name), 'utf8');
    expect(await parseBounce(text.replace(/\r?\n/g, '\r\n'))).toEqual(await parseBounce(text));
  });
});
