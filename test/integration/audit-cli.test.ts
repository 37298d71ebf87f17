/**
 * `mxops audit checkpoint` and `mxops audit verify` as an operator runs them, with a key and a
 * checkpoint file, against a log an insider cut with SQL. The key never appears in the output nor
 * in the database file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { cliBudget, runMxops } from '../support/cli-process.js';

const EXAMPLE = 'test/fixtures/inventory/example.yaml';
const KEY = 'b7e2c9d4a1f6e3b8c5d2a9f6e3b0c7d4a1e8f5c2b9d6a3f0e7c4b1d8a5f2e9c6';
const budget = await cliBudget();

describe('mxops audit on the command line', () => {
  it(
    'checkpoints on import and on demand, verifies against them, and fails on a cut tail naming the first missing entry',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mxops-audit-cli-'));
      const database = join(dir, 'cli.sqlite');
      const file = join(dir, 'checkpoints');
      const env = { DATABASE_URL: `sqlite:${database}`, MXOPS_AUDIT_KEY: KEY, MXOPS_AUDIT_CHECKPOINT_FILE: file };
      const run = (args: string[], extra: Record<string, string> = {}) => runMxops(args, { ...env, ...extra });
      try {
        expect(await run(['inventory', 'import', EXAMPLE, '--as', 'alice'])).toMatchObject({ code: 0 });
        // The import is a person's act: checkpointed at once. The key's arrival is entry 1.
        expect(readFileSync(file, 'utf8')).toMatch(/^\S+Z 15 hmac-sha256:[0-9a-f]{16}:[0-9a-f]{64}\n$/);

        const checkpoint = await run(['audit', 'checkpoint']);
        expect(checkpoint).toMatchObject({ code: 0, stderr: '' });
        const [line, keep] = checkpoint.stdout.trim().split('\n');
        const hash = line!.split(' ')[2]!;
        expect(keep).toBe(`keep: --checkpoint 15:${hash}`);
        expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);

        const intact = await run(['audit', 'verify']);
        expect(intact).toMatchObject({ code: 0, stderr: '' });
        expect(intact.stdout).toMatch(
          new RegExp(
            `^audit log intact: 15 entries, head ${hash}\nkeyed: every entry MACed under key [0-9a-f]{16}\nmatches the checkpoint of .* at entry 15\n$`,
          ),
        );

        // Without the key or a checkpoint, verify says what the verdict does not cover.
        const plain = await runMxops(['audit', 'verify'], { DATABASE_URL: `sqlite:${database}` });
        expect(plain).toMatchObject({
          code: 1,
          stdout: expect.stringContaining('BROKEN at entry 1: entry 1 is MACed with key'),
        });

        // An insider deletes the last three entries.
        const store = openDatabase({ dialect: 'sqlite', target: database });
        await sql`delete from audit_log where seq > 12`.execute(store.db);
        await store.close();
        const cut = await run(['audit', 'verify']);
        expect(cut).toMatchObject({
          code: 1,
          stdout: expect.stringMatching(
            /^audit log BROKEN at entry 13: the log ends at entry 12, but the checkpoint of \S+ \(.*checkpoints line \d\) saw entry 15: entries 13-15 were cut off the end/,
          ),
        });
        // And with the file gone too, the checkpoint a person kept still shows it.
        const kept = await run(['audit', 'verify', '--checkpoint', `15:${hash}`], {
          MXOPS_AUDIT_CHECKPOINT_FILE: join(dir, 'elsewhere'),
        });
        expect(kept).toMatchObject({
          code: 1,
          stdout: expect.stringContaining('BROKEN at entry 13'),
          stderr: expect.stringContaining('no checkpoint file at'),
        });
        expect(await run(['audit', 'verify', '--checkpoint', 'yesterday'])).toMatchObject({
          code: 2,
          stderr: expect.stringContaining('is not a checkpoint: give <seq>:<hash>'),
        });

        for (const output of [checkpoint, intact, plain, cut, kept])
          expect(output.stdout + output.stderr).not.toContain(KEY.slice(0, 16));
        expect(readFileSync(database).includes(Buffer.from(KEY.slice(0, 16)))).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    budget(8),
  );
});
