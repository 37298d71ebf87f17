import { manualClock } from '../support/manual-clock.js';
import { describe, expect, it } from 'vitest';
import type { AuditHead } from '../../src/store/audit-context.js';
import { createAuditCheckpointer, type CheckpointSink } from '../../src/store/audit-checkpointer.js';

/** A sink that records what it was given; a chat channel's posts take `postMs` each. */
function recordingSink(name: string, immediate: boolean, postMs = 0): CheckpointSink & { readonly seqs: number[] } {
  const seqs: number[] = [];
  return {
    name,
    immediate,
    seqs,
    write: async (head) => {
      if (postMs > 0) await new Promise((resolve) => setTimeout(resolve, postMs));
      seqs.push(head.seq);
    },
  };
}

const head = (seq: number): AuditHead => ({ seq, hash: `hash-${seq}` });
const refusal = [{ action: 'refused', surface: 'slack' }];

describe('audit checkpoints after a burst of acts', () => {
  it('write every head to the file, but post to the channel one at a time, newest waiting head next', async () => {
    const file = recordingSink('file', true);
    const channel = recordingSink('channel', false, 20);
    const checkpointer = createAuditCheckpointer({
      clock: manualClock(0),
      onError: (error) => {
        throw error;
      },
      sinks: [file, channel],
    });
    // 50 refused clicks committed while the first post is on its way.
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => checkpointer.committed({ head: head(i + 1), entries: refusal })),
    );
    await checkpointer.settled();
    expect(file.seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // The first act's head at once, then the newest one that waited: the channel's last word is the log's head.
    expect(channel.seqs).toEqual([1, 50]);
  });

  it('post each act that comes after the channel is idle again', async () => {
    const channel = recordingSink('channel', false, 5);
    const checkpointer = createAuditCheckpointer({ clock: manualClock(0), onError: () => undefined, sinks: [channel] });
    for (const seq of [1, 2, 3]) {
      await checkpointer.committed({ head: head(seq), entries: refusal });
      await checkpointer.settled();
    }
    expect(channel.seqs).toEqual([1, 2, 3]);
  });

  it("post nothing for the scheduler's own entries", async () => {
    const channel = recordingSink('channel', false);
    const checkpointer = createAuditCheckpointer({ clock: manualClock(0), onError: () => undefined, sinks: [channel] });
    await checkpointer.committed({ head: head(1), entries: [{ action: 'nag-sent', surface: 'scheduler' }] });
    await checkpointer.settled();
    expect(channel.seqs).toEqual([]);
  });
});
