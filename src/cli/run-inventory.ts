/** `mxops inventory import|export`. */
import { systemClock } from '../clock.js';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { runInventoryExport, runInventoryImport, type InventoryExportInput } from '../../commands/inventory-file.js';
import { loadConfig } from '../config.js';
import type { Lifecycle } from './lifecycle.js';
import { openStore } from './open-store.js';
import type { InventoryImportOptions } from './program.js';

export async function runImport(
  input: InventoryImportOptions,
  env: NodeJS.ProcessEnv,
  lifecycle: Lifecycle,
): Promise<number> {
  const store = await openStore(loadConfig(env), lifecycle);
  // --as names anyone; without it, the account the OS says is running this.
  const actor = input.as ?? `cli:${userInfo().username}`;
  process.stdout.write(
    await runInventoryImport(
      { ...input, actor, claimed: input.as !== undefined },
      { store, readFile: (path) => readFile(path, 'utf8'), clock: systemClock },
    ),
  );
  return 0;
}

export async function runExport(
  input: InventoryExportInput,
  env: NodeJS.ProcessEnv,
  lifecycle: Lifecycle,
): Promise<number> {
  process.stdout.write(await runInventoryExport(input, { store: await openStore(loadConfig(env), lifecycle) }));
  return 0;
}
