/**
 * Two processes opening a new SQLite store at once (`mxops start` and an `mxops inventory import`
 * started together, two `mxops chat` sessions) both migrate it. Kysely takes no migration lock on
 * SQLite, so the later one used to fail on the tables the first had just made. Here two handles
 * on one new file migrate at the same time, as two processes would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';

describe('migrating one new SQLite store from two handles at once', () => {
  const dirs: string[] = [];
  const stores: OpenDatabase[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('brings it up to date from both, every time', async () => {
    for (let round = 0; round < 5; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'mxops-migrate-race-'));
      dirs.push(dir);
      const pair = [0, 1].map(() => openDatabase({ dialect: 'sqlite', target: join(dir, 'mxops.sqlite') }));
      stores.push(...pair);
      const applied = await Promise.all(pair.map((store) => migrateToLatest(store)));
      // Every migration ran once, in one handle or the other.
      expect(applied.flat().sort()).toEqual([...new Set(applied.flat())].sort());
      expect(await migrateToLatest(pair[0]!)).toEqual([]);
    }
  });
});
