/**
 * Scheduled audit checkpoints: one BullMQ job scheduler (one schedule in Redis however many
 * replicas start it) whose jobs checkpoint the head to the file and the audit channel. Between two
 * of these, only a person's act checkpoints (audit-checkpointer.ts), so this bounds how long the
 * scheduler's own entries (nags, escalations, expiries) could be cut off the end unseen.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AuditCheckpointer } from '../store/audit-checkpointer.js';
import type { OpenDatabase } from '../store/database.js';

export const AUDIT_CHECKPOINT_QUEUE = 'audit-checkpoint';
const SCHEDULER_ID = 'audit-checkpoint';

export interface AuditCheckpointWorkerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly store: OpenDatabase;
  readonly checkpointer: AuditCheckpointer;
  readonly everyMs: number;
  readonly onError: (error: Error) => void;
}

export async function startAuditCheckpointWorker(
  options: AuditCheckpointWorkerOptions,
): Promise<{ close(): Promise<void> }> {
  const { connection, prefix } = options;
  const queue = new Queue(AUDIT_CHECKPOINT_QUEUE, { connection, prefix });
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: options.everyMs },
    { name: 'checkpoint', opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  const worker = new Worker(
    AUDIT_CHECKPOINT_QUEUE,
    async () => {
      const taken = await options.checkpointer.checkpointNow(options.store, 'scheduler');
      // A sink that failed was reported already; failing the job shows it in the queue too.
      if (taken.failures.length > 0) throw new Error(taken.failures.join('; '));
      return { seq: taken.head.seq, hash: taken.head.hash };
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('error', options.onError);
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
