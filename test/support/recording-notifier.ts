/** A NagNotifier that records every message, for tests of nag delivery without a chat platform. */
import type { Card } from '../../src/chat/card.js';
import type { MessageRef } from '../../src/chat/conversation.js';
import type { NagNotifier } from '../../src/chat/nag-notifier.js';

export interface RecordedMessage {
  readonly kind: 'thread-start' | 'thread-reply' | 'direct' | 'update';
  /** Channel or user id; for replies, the thread's root message id. */
  readonly to: string;
  readonly marker: string;
  readonly card: Card;
  readonly broadcast?: boolean;
}

export function recordingNotifier(platform: 'slack' | 'teams' = 'slack') {
  const messages: RecordedMessage[] = [];
  let next = 0;
  /** Called before each message is recorded; a test can make it wait or throw. */
  let gate: (message: RecordedMessage) => Promise<void> = () => Promise.resolve();
  const record = async (message: RecordedMessage): Promise<void> => {
    await gate(message);
    messages.push(message);
  };
  const notifier: NagNotifier = {
    platform,
    async startThread(channel, card, marker): Promise<MessageRef> {
      const ref = { conversation: channel, message: `root-${++next}` };
      await record({ kind: 'thread-start', to: ref.message, marker, card });
      return ref;
    },
    async replyInThread(thread, card, { broadcast, marker }) {
      await record({ kind: 'thread-reply', to: thread.message, marker, card, broadcast });
    },
    async directMessage(user, card, marker): Promise<MessageRef> {
      await record({ kind: 'direct', to: user, marker, card });
      return { conversation: `dm-${user}`, message: `dm-${++next}` };
    },
    async update(ref, card) {
      // `to` is the replaced message's id; updates carry no marker.
      await record({ kind: 'update', to: ref.message, marker: '', card });
    },
    async inThread(thread, marker) {
      return messages.some(
        (message) =>
          (message.kind === 'thread-start' || message.kind === 'thread-reply') &&
          message.to === thread.message &&
          message.marker === marker,
      );
    },
  };
  return {
    notifier,
    messages,
    setGate: (next: typeof gate) => void (gate = next),
  };
}
