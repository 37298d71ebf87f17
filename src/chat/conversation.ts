/**
 * The notifier port commands talk through, whatever the platform. A MessageRef is plain data so
 * it can be stored and used by another process (DESIGN.md, "Threads are data").
 */
import type { Card } from './card.js';

export interface MessageRef {
  /** Slack channel id, Teams conversation id, or the console's name. */
  readonly conversation: string;
  /** Slack message ts, Teams activity id, or the console's message number. */
  readonly message: string;
}

export interface Conversation {
  /** Posts a card where the command was typed. */
  post(card: Card): Promise<MessageRef>;
  /** Replaces a posted card in place. */
  update(ref: MessageRef, card: Card): Promise<void>;
  /** Adds plain text (preformatted) to the message's thread: where long details go. */
  replyInThread(ref: MessageRef, text: string): Promise<void>;
  /** Adds a card to the message's thread (what a button did, a request to decide) and says where it went. */
  postInThread(ref: MessageRef, card: Card): Promise<MessageRef>;
  /** Tells only the person who typed the command, where the platform allows. */
  whisper(text: string): Promise<void>;
}
