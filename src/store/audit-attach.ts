/**
 * Gives an opened store its audit settings (keys, checkpoint file), for the composition root:
 * every write transaction on it is then MACed and, after a person's act, checkpointed.
 */
import type { Clock } from '../clock.js';
import type { AuditConfig } from './audit-config.js';
import { type AuditCheckpointer, checkpointFileSink, createAuditCheckpointer } from './audit-checkpointer.js';
import { useStoreAudit } from './audit-context.js';
import type { OpenDatabase } from './database.js';

const checkpointers = new WeakMap<OpenDatabase, AuditCheckpointer>();

export function attachAudit(
  store: OpenDatabase,
  config: AuditConfig,
  options: { readonly clock: Clock; readonly onError: (error: Error) => void },
): AuditCheckpointer {
  const checkpointer = createAuditCheckpointer({
    ...options,
    sinks: config.checkpointFile === undefined ? [] : [checkpointFileSink(config.checkpointFile)],
  });
  useStoreAudit(store, { keyring: config.keyring, committed: (commit) => checkpointer.committed(commit) });
  checkpointers.set(store, checkpointer);
  return checkpointer;
}

/** The checkpointer attachAudit gave the store, to add the audit channel once the notifiers exist. */
export function auditCheckpointerOf(store: OpenDatabase): AuditCheckpointer | undefined {
  return checkpointers.get(store);
}
