/**
 * The Conversation port over Slack's Web API, for one channel and the person who typed the
 * command. Everything it needs is plain data (channel id, message ts), so a stored MessageRef lets
 * any replica or worker continue the thread (DESIGN.md, "Threads are data").
 */
import { webApi } from '@slack/bolt';
import type { Card } from '../card.js';
import type { Conversation, MessageRef } from '../conversation.js';
import { BLOCK_KIT_LIMITS } from './block-kit-limits.js';
import { escapeMrkdwn, safePrefix } from './mrkdwn.js';
import { renderBlocks } from './render-blocks.js';
import { threadMessages, threadWithFile } from './thread-text.js';

export interface SlackConversationTarget {
  readonly client: webApi.WebClient;
  readonly channel: string;
  /** Who typed the command or clicked: whispers go to them alone. */
  readonly user: string;
  /**
   * Posts an ephemeral reply through the payload's response_url. chat.postEphemeral needs the bot
   * in the channel; response_url works in DMs and private channels it was never invited to.
   */
  readonly respondEphemeral?: (text: string) => Promise<void>;
  /** Whisper through respondEphemeral first (button clicks), not chat.postEphemeral. */
  readonly whisperByResponseUrl?: boolean;
  /** Post into this thread (the ts of its root) instead of the channel: answers to a message there. */
  readonly thread?: string;
}

/** Platform error codes that mean "the bot cannot post here", not "something broke". */
const CANNOT_REACH: readonly string[] = ['channel_not_found', 'not_in_channel', 'user_not_in_channel', 'is_archived'];

export function slackErrorCode(error: unknown): string | undefined {
  return error instanceof webApi.WebAPIPlatformError ? error.data.error : undefined;
}

export function cannotReachChannel(error: unknown): boolean {
  return CANNOT_REACH.includes(slackErrorCode(error) ?? '');
}

export function createSlackConversation(target: SlackConversationTarget): Conversation {
  const { client, channel, user } = target;
  // Link previews of domains named in a report would bury it.
  const quiet = { unfurl_links: false, unfurl_media: false } as const;
  return {
    async post(card: Card): Promise<MessageRef> {
      const { text, blocks } = renderBlocks(card);
      const result = await client.chat.postMessage({
        channel,
        text,
        blocks,
        ...(target.thread !== undefined ? { thread_ts: target.thread } : {}),
        ...quiet,
      });
      if (result.ts === undefined) throw new Error(`chat.postMessage to ${channel} answered without a message ts`);
      return { conversation: result.channel ?? channel, message: result.ts };
    },
    async update(ref: MessageRef, card: Card): Promise<void> {
      const { text, blocks } = renderBlocks(card);
      await client.chat.update({ channel: ref.conversation, ts: ref.message, text, blocks });
    },
    async replyInThread(ref: MessageRef, text: string): Promise<void> {
      // A thread has one level: the details of a card posted in a thread go to that same thread.
      const thread = target.thread ?? ref.message;
      const long = threadWithFile(text);
      // In order, one at a time: the thread must read top to bottom.
      for (const part of long?.messages ?? threadMessages(text)) {
        await client.chat.postMessage({ channel: ref.conversation, thread_ts: thread, text: part, ...quiet });
      }
      // Never cut: what does not fit in the messages goes whole as a file in the same thread.
      if (long) {
        await client.files.uploadV2({
          channel_id: ref.conversation,
          thread_ts: thread,
          filename: 'mxops-report.txt',
          title: 'The whole report',
          content: long.file,
          initial_comment: `The whole text (${Math.ceil(Buffer.byteLength(long.file) / 1024)} KB) is in this file: too long for messages.`,
        });
      }
    },
    async postInThread(ref: MessageRef, card: Card): Promise<MessageRef> {
      const result = await client.chat.postMessage({
        channel: ref.conversation,
        thread_ts: ref.message,
        ...renderBlocks(card),
        ...quiet,
      });
      if (result.ts === undefined)
        throw new Error(`chat.postMessage to ${ref.conversation} answered without a message ts`);
      return { conversation: result.channel ?? ref.conversation, message: result.ts };
    },
    async whisper(text: string): Promise<void> {
      const escaped = safePrefix(escapeMrkdwn(text), BLOCK_KIT_LIMITS.fallbackText);
      // A click's response_url reaches the clicker wherever the card is, DMs and private channels included.
      if (target.respondEphemeral && target.whisperByResponseUrl) return target.respondEphemeral(escaped);
      try {
        await client.chat.postEphemeral({ channel, user, text: escaped });
      } catch (error) {
        if (!target.respondEphemeral || !cannotReachChannel(error)) throw error;
        await target.respondEphemeral(escaped);
      }
    },
  };
}
