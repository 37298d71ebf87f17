/**
 * Takes checkpoints of the audit log's head and hands them to where they are kept: the local
 * append-only file (MXOPS_AUDIT_CHECKPOINT_FILE) and the audit channel on Slack or Teams
 * (MXOPS_AUDIT_CHANNEL, cli/audit-channel-sink.ts). It runs on a schedule, on `mxops audit
 * checkpoint`, and after every commit that records something a person did (a decision, an
 * acknowledgement, an import, a refused click): those are what an insider would most want gone,
 * so the window in which they could be cut off the end unseen is as short as a write.
 */
import type { Clock } from '../clock.js';
import { appendCheckpointLine } from './audit-checkpoints.js';
import type { AuditCommit, AuditHead } from './audit-context.js';
import { auditAppender, type AuditSurface, KEY_CHANGED_ACTION, readAuditHead } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { writeTransaction } from './write-transaction.js';

export interface CheckpointSink {
  /** Named in errors: "the audit checkpoint file /var/...", "the Slack audit channel C0...". */
  readonly name: string;
  /** Awaited by a commit (a local file append); else sent in the background (a chat post). */
  readonly immediate: boolean;
  write(head: AuditHead, at: number): Promise<void>;
}

export interface TakenCheckpoint {
  readonly head: AuditHead;
  readonly at: number;
  /** One line per sink that failed: the checkpoint still went to the others. */
  readonly failures: readonly string[];
}

export interface AuditCheckpointer {
  /** Adds a place checkpoints go to (the chat channel, once the notifiers exist); once per name. */
  addSink(sink: CheckpointSink): void;
  /** Brings the head under the current key if needed, then checkpoints it everywhere and waits. */
  checkpointNow(store: OpenDatabase, surface: AuditSurface): Promise<TakenCheckpoint>;
  /** For StoreAudit.committed: checkpoints what a person's act committed. Never throws. */
  committed(commit: AuditCommit): Promise<void>;
  /** Resolves when the checkpoints sent in the background have arrived or failed. */
  settled(): Promise<void>;
}

export function createAuditCheckpointer(options: {
  /** Wall time: checkpoints are stamped with the date they were taken. */
  readonly clock: Clock;
  readonly onError: (error: Error) => void;
  readonly sinks?: readonly CheckpointSink[];
}): AuditCheckpointer {
  const sinks: CheckpointSink[] = [...(options.sinks ?? [])];
  const pending = new Set<Promise<void>>();
  const send = async (sink: CheckpointSink, head: AuditHead, at: number): Promise<string | undefined> => {
    try {
      await sink.write(head, at);
      return undefined;
    } catch (error) {
      const failure = `checkpoint ${head.seq} did not reach ${sink.name}: ${error instanceof Error ? error.message : String(error)}`;
      options.onError(new Error(failure, { cause: error }));
      return failure;
    }
  };
  // A chat channel gets one post at a time; heads committed meanwhile wait, and only the newest is
  // posted next (it covers the ones before it). A burst of acts (a script clicking a forged button
  // a thousand times: each refusal is audited) then costs a few posts, not one per act and a rate
  // limit; the file sink, a local append, still gets every one.
  const newestWaiting = new Map<string, { readonly head: AuditHead; readonly at: number }>();
  const posting = new Set<string>();
  const postInBackground = (sink: CheckpointSink, head: AuditHead, at: number): void => {
    if (posting.has(sink.name)) {
      newestWaiting.set(sink.name, { head, at });
      return;
    }
    posting.add(sink.name);
    const sent = (async () => {
      let next: { readonly head: AuditHead; readonly at: number } | undefined = { head, at };
      while (next !== undefined) {
        await send(sink, next.head, next.at);
        next = newestWaiting.get(sink.name);
        newestWaiting.delete(sink.name);
      }
      posting.delete(sink.name);
    })();
    pending.add(sent);
    // send() catches and reports its own failure, so `sent` never rejects; settled() awaits it.
    void sent.finally(() => pending.delete(sent));
  };
  return {
    addSink(sink) {
      // The bot and its in-process workers both add the audit channel: one post per checkpoint.
      if (!sinks.some((known) => known.name === sink.name)) sinks.push(sink);
    },
    async checkpointNow(store, surface) {
      const at = options.clock.wallMs();
      await writeTransaction(store, (trx) => auditAppender(trx).recordKeyChange(at, surface));
      const head = await readAuditHead(store.db);
      const failures = (await Promise.all(sinks.map((sink) => send(sink, head, at)))).filter(
        (failure) => failure !== undefined,
      );
      return { head, at, failures };
    },
    async committed(commit) {
      if (!commit.entries.some(isPersonsAct)) return;
      const at = options.clock.wallMs();
      for (const sink of sinks.filter((candidate) => !candidate.immediate)) postInBackground(sink, commit.head, at);
      await Promise.all(sinks.filter((sink) => sink.immediate).map((sink) => send(sink, commit.head, at)));
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}

/** The scheduler's entries (nags, expiries) and key changes wait for the schedule. */
function isPersonsAct(entry: { readonly action: string; readonly surface: string }): boolean {
  return entry.surface !== 'scheduler' && entry.action !== KEY_CHANGED_ACTION;
}

export function checkpointFileSink(path: string): CheckpointSink {
  return {
    name: `the audit checkpoint file ${path}`,
    immediate: true,
    write: (head, at) => appendCheckpointLine(path, head, at),
  };
}
