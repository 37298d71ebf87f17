/** `mxops history <domain>`. */
import { runHistoryCommand, type HistoryInput } from '../../commands/history.js';
import { loadConfig } from '../config.js';
import type { Lifecycle } from './lifecycle.js';
import { openStore } from './open-store.js';

export async function runHistory(input: HistoryInput, env: NodeJS.ProcessEnv, lifecycle: Lifecycle): Promise<number> {
  const store = await openStore(loadConfig(env), lifecycle);
  process.stdout.write(await runHistoryCommand(input, { store, zone: localZone() }));
  return 0;
}

/** The zone of this machine, for dates shown on a terminal. */
function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
