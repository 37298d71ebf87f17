/** `mxops check <domain>`; several targets or a list file go to run-check-list.ts. */
import { parseConcurrency } from '../../commands/check-concurrency.js';
import { runCheckCommand } from '../../commands/check.js';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { checkDeps } from './check-deps.js';
import type { Lifecycle } from './lifecycle.js';
import type { CheckCliInput } from './program.js';

export async function runCheck(cli: CheckCliInput, env: NodeJS.ProcessEnv, lifecycle: Lifecycle): Promise<number> {
  const config = loadConfig(env);
  const { targets, fromFile, concurrency, ...options } = cli;
  if (fromFile !== undefined || targets.length > 1)
    return (await import('./run-check-list.js')).runCheckList(cli, config, lifecycle);
  const [domain] = targets;
  if (domain === undefined)
    throw new AppError(
      'BAD_INPUT',
      'name a domain or an address to check (mxops check partner.com), or a file of them (--from-file)',
    );
  // Checked here too, so a bad --concurrency is refused with one target as with many.
  parseConcurrency(concurrency);
  const input = { ...options, domain };
  const result = await runCheckCommand(input, checkDeps(config, input.json, lifecycle));
  process.stdout.write(result.output);
  // After the output: a slow or unreachable database costs the history, not the answer; the store
  // (Kysely and its driver) loads only now, so it never holds up the first DNS query.
  const { recordReport } = await import('./open-store.js');
  await recordReport(config, result.report, 'cli', lifecycle);
  return result.exitCode;
}
