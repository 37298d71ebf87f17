/**
 * The port through which nags reach a chat platform from a worker, with no command or request to
 * answer (proactive messages). Each message carries a marker (the nag's job id) so a retry after a
 * crash can ask the platform whether the nag already arrived, where the platform can be asked.
 */
import type { Card } from './card.js';
import type { MessageRef } from './conversation.js';

export interface NagNotifier {
  readonly platform: 'slack' | 'teams';
  /** Posts the first message of a patch's thread in a team channel. */
  startThread(channel: string, card: Card, marker: string): Promise<MessageRef>;
  /** Adds to the thread; `broadcast` also shows it in the channel (Slack's reply_broadcast). */
  replyInThread(
    thread: MessageRef,
    card: Card,
    options: { readonly broadcast: boolean; readonly marker: string },
  ): Promise<void>;
  /** Posts to a person's direct messages with the bot; returns where it landed (a DM channel, a 1:1 chat). */
  directMessage(user: string, card: Card, marker: string): Promise<MessageRef>;
  /** Replaces a message posted earlier, by this or any other process (an outage card's copies). */
  update(ref: MessageRef, card: Card): Promise<void>;
  /** Whether a message with this marker is already in the thread (false where the platform cannot tell). */
  inThread(thread: MessageRef, marker: string): Promise<boolean>;
  /**
   * The direct message with this marker already in the person's chat with the bot, if any; `since`
   * (epoch ms, when the nag was planned) bounds the search: nothing of the nag is older. Left out
   * where the platform cannot read a chat back (Teams' Bot Connector): there a retry knows only
   * what the store recorded.
   */
  findDirect?(user: string, marker: string, since: number): Promise<MessageRef | undefined>;
  /** A thread root with this marker already posted in the channel, if any; as findDirect. */
  findThreadStart?(channel: string, marker: string, since: number): Promise<MessageRef | undefined>;
}
