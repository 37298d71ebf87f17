import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectGoldenFile, expectGoldenJson } from '../support/golden-file.js';

describe('golden files', () => {
  let dir: string;
  let golden: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mxops-golden-'));
    golden = join(dir, 'card.json');
    writeFileSync(golden, 'stored\n');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['true', '1', 'yes'])('refuses UPDATE_GOLDEN=1 under CI=%s: a mismatch fails and the file stays', (ci) => {
    vi.stubEnv('CI', ci);
    vi.stubEnv('UPDATE_GOLDEN', '1');
    expect(() => expectGoldenFile(golden, 'changed\n')).toThrow(/UPDATE_GOLDEN=1 refused because CI is set/);
    expect(readFileSync(golden, 'utf8')).toBe('stored\n');
  });

  it('fails a mismatch when not asked to rewrite, in CI or not', () => {
    for (const ci of ['true', '']) {
      vi.stubEnv('CI', ci);
      vi.stubEnv('UPDATE_GOLDEN', '');
      expect(() => expectGoldenFile(golden, 'changed\n')).toThrow(/expected/);
    }
    expect(readFileSync(golden, 'utf8')).toBe('stored\n');
  });

  it.each(['', '0', 'false'])('rewrites with UPDATE_GOLDEN=1 outside CI (CI=%j), creating the folder', (ci) => {
    vi.stubEnv('CI', ci);
    vi.stubEnv('UPDATE_GOLDEN', '1');
    const fresh = join(dir, 'new', 'card.json');
    expectGoldenJson(fresh, { type: 'AdaptiveCard' });
    expectGoldenFile(golden, 'changed\n');
    expect([readFileSync(fresh, 'utf8'), readFileSync(golden, 'utf8')]).toEqual([
      '{\n  "type": "AdaptiveCard"\n}\n',
      'changed\n',
    ]);
  });

  it('says how to make a missing golden file, and never makes it in CI', () => {
    vi.stubEnv('CI', 'true');
    vi.stubEnv('UPDATE_GOLDEN', '');
    expect(() => expectGoldenFile(join(dir, 'missing.json'), 'x')).toThrow(
      /no golden file .*UPDATE_GOLDEN=1 \(not in CI\)/,
    );
  });
});
