/**
 * Golden files: the test compares what it made with the stored file; `UPDATE_GOLDEN=1` rewrites
 * the file instead (then read the diff before committing). Every golden test goes through here. In CI the
 * rewrite is refused: a golden rewritten there would make the comparison pass whatever changed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

/** CI=true is what .ci/run and GitHub Actions set; other CI systems set CI=1. */
function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function expectGoldenFile(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    if (inCi())
      throw new Error(
        `UPDATE_GOLDEN=1 refused because CI is set: golden files are rewritten by a person, locally, who reviews the diff (${path})`,
      );
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`no golden file ${path}: run with UPDATE_GOLDEN=1 (not in CI) and review it`);
  expect(actual, path).toBe(readFileSync(path, 'utf8'));
}

/** A golden JSON file (two-space indent, final newline), as the renderers' golden cards are stored. */
export function expectGoldenJson(path: string, value: unknown): void {
  expectGoldenFile(path, `${JSON.stringify(value, null, 2)}\n`);
}
