/** `mxops audit verify|checkpoint|export`. */
import { systemClock } from '../clock.js';
import {
  runAuditCheckpoint,
  runAuditExport,
  runAuditVerify,
  type AuditExportInput,
  type AuditVerifyInput,
} from '../../commands/audit-log.js';
import { loadConfig } from '../config.js';
import { auditCheckpointerOf } from '../store/audit-attach.js';
import type { Lifecycle } from './lifecycle.js';
import { openStore } from './open-store.js';

export async function runVerify(
  input: AuditVerifyInput,
  env: NodeJS.ProcessEnv,
  lifecycle: Lifecycle,
): Promise<number> {
  const config = loadConfig(env);
  const store = await openStore(config, lifecycle);
  const { output, exitCode } = await runAuditVerify(
    {
      store,
      keyring: config.audit.keyring,
      checkpointFile: config.audit.checkpointFile,
      note: (text) => void process.stderr.write(`mxops: note: ${text}\n`),
    },
    input,
  );
  process.stdout.write(output);
  return exitCode;
}

export async function runCheckpoint(env: NodeJS.ProcessEnv, lifecycle: Lifecycle): Promise<number> {
  const config = loadConfig(env);
  const store = await openStore(config, lifecycle);
  const checkpointer = auditCheckpointerOf(store)!;
  if (config.audit.channel !== undefined) {
    // The chat SDK, and for Teams the Redis holding its conversation references, only when there is a channel to post to.
    const { channelNotifiers } = await import('./audit-channel-notifiers.js');
    const { postCheckpointsToChannel } = await import('./audit-checkpoints.js');
    postCheckpointsToChannel(config, store, await channelNotifiers(config, lifecycle));
  }
  const { output, errors, exitCode } = await runAuditCheckpoint({ store, checkpointer });
  process.stdout.write(output);
  process.stderr.write(errors);
  return exitCode;
}

export async function runExport(
  input: AuditExportInput,
  env: NodeJS.ProcessEnv,
  lifecycle: Lifecycle,
): Promise<number> {
  await runAuditExport(input, {
    store: await openStore(loadConfig(env), lifecycle),
    clock: systemClock,
    write: (text) => void process.stdout.write(text),
  });
  return 0;
}
