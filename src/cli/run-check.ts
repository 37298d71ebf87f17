/** `mxops check <domain>`. */
import { runCheckCommand, type CheckCommandInput } from '../../commands/check.js';
import { loadConfig } from '../config.js';
import { checkDeps } from './check-deps.js';

export async function runCheck(input: CheckCommandInput, env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  const result = await runCheckCommand(input, checkDeps(config, input.json));
  process.stdout.write(result.output);
  // After the output: a slow or unreachable database costs the history, not the answer; the store
  // (Kysely and its driver) loads only now, so it never holds up the first DNS query.
  const { recordReport } = await import('./open-store.js');
  await recordReport(config, result.report, 'cli');
  return result.exitCode;
}
