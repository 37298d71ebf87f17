/**
 * `mxops chat` prints patch titles and reasons that came from an inventory file or from another
 * person: escape sequences and bidi overrides in them are shown, never acted on by the terminal.
 */
import { manualClock } from '../support/manual-clock.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PatchDeps } from '../../commands/patch.js';
import { importInventory } from '../../src/store/inventory-import.js';
import { consoleSession } from '../support/console-session.js';
import { DAY, inventory, patch, system } from '../support/inventory-fixture.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TERMINAL_CONTROL } from '../support/terminal-controls.js';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const ESC = '\u001b';
const RLO = '\u202e';

describe('hostile text in the console', () => {
  let store: TestDatabase;
  let deps: PatchDeps;

  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
    const title = `Clear ${ESC}[2J${ESC}[H screen and ${RLO}esrever`;
    await importInventory(
      store,
      inventory({
        systems: [system('mail-gw-1')],
        patches: [patch('mail-gw-1', 'CVE-2026-4000', NOW - 10 * DAY, { title })],
      }),
      { actor: 'test', surface: 'cli', now: NOW, source: 'fixture' },
    );
    deps = { store, clock: manualClock(NOW), notifiers: [] };
  });
  afterEach(async () => {
    await store.drop();
  });

  it('shows a patch title and a typed reason with their control characters escaped', async () => {
    const text = await consoleSession(
      `patch show mail-gw-1\npatch accept-risk mail-gw-1 CVE-2026-4000 --until 30d --reason ok ${ESC}[8mhidden${ESC}[0m ${RLO}kcatta\n`,
      { patch: deps, actor: 'alice' },
    );
    expect(text).not.toMatch(TERMINAL_CONTROL);
    expect(text).toContain(`Clear \\x1b[2J\\x1b[H screen and \\u202eesrever`);
    expect(text).toContain('ok \\x1b[8mhidden\\x1b[0m \\u202ekcatta');
  });
});
