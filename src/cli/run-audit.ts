/** `mxops audit verify|export`. */
import { runAuditExport, runAuditVerify, type AuditExportInput } from '../../commands/audit-log.js';
import { loadConfig } from '../config.js';
import { openStore } from './open-store.js';

export async function runVerify(env: NodeJS.ProcessEnv): Promise<number> {
  const { output, exitCode } = await runAuditVerify({ store: await openStore(loadConfig(env)) });
  process.stdout.write(output);
  return exitCode;
}

export async function runExport(input: AuditExportInput, env: NodeJS.ProcessEnv): Promise<number> {
  await runAuditExport(input, { store: await openStore(loadConfig(env)), now: () => Date.now(), write: (text) => void process.stdout.write(text) });
  return 0;
}
