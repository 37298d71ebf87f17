/**
 * The post of an audit checkpoint in the audit channel (MXOPS_AUDIT_CHANNEL): the head, and the
 * two forms a person can check the log against later. The forms are the store's to write
 * (store/audit-checkpoints.ts); the card only shows them, so chat needs nothing from the store.
 */
import type { Card } from './card.js';

export interface CheckpointShown {
  readonly seq: number;
  readonly hash: string;
  /** When it was taken. */
  readonly at: number;
  /** `<seq>:<hash>`, as `mxops audit verify --checkpoint` takes it. */
  readonly kept: string;
  /** As a line of the checkpoint file. */
  readonly line: string;
}

export function checkpointCard(checkpoint: CheckpointShown): Card {
  const summary = `Audit checkpoint: entry ${checkpoint.seq}, ${checkpoint.hash}`;
  return {
    summary,
    blocks: [
      {
        kind: 'text',
        text: `Audit log checkpoint at ${new Date(checkpoint.at).toISOString()}: ${checkpoint.seq} entries. To check the log against it later:`,
      },
      { kind: 'code', text: `mxops audit verify --checkpoint ${checkpoint.kept}` },
      { kind: 'text', text: `As a checkpoint file line: ${checkpoint.line.trim()}`, emphasis: 'subtle' },
    ],
  };
}
