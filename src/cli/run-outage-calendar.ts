/** `mxops outage calendar`. */
import { systemClock } from '../clock.js';
import { runOutageCalendar } from '../../commands/outage-calendar.js';
import { loadConfig } from '../config.js';
import type { Lifecycle } from './lifecycle.js';
import { openStore } from './open-store.js';

export async function runCalendar(
  input: { readonly since?: string | undefined },
  env: NodeJS.ProcessEnv,
  lifecycle: Lifecycle,
): Promise<number> {
  process.stdout.write(
    await runOutageCalendar(input, { store: await openStore(loadConfig(env), lifecycle), clock: systemClock }),
  );
  return 0;
}
