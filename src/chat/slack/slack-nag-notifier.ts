/**
 * Nags into Slack from a worker: the thread in the team channel, replies in it (shown in the
 * channel too when the level says so), and direct messages (a bot posting to a user id lands in
 * the app's DM with them), and replacing a message posted earlier (chat.update). Each message carries the nag's marker as message metadata, which
 * conversations.replies returns, so a retry can tell whether its post already arrived.
 */
import type { webApi } from '@slack/bolt';
import type { NagNotifier } from '../nag-notifier.js';
import { renderBlocks } from './render-blocks.js';

const METADATA_EVENT = 'mxops_nag';

export function createSlackNagNotifier(client: webApi.WebClient): NagNotifier {
  const quiet = { unfurl_links: false, unfurl_media: false } as const;
  const metadata = (marker: string) => ({ event_type: METADATA_EVENT, event_payload: { marker } });
  return {
    platform: 'slack',
    async startThread(channel, card, marker) {
      const result = await client.chat.postMessage({ channel, ...renderBlocks(card), metadata: metadata(marker), ...quiet });
      if (result.ts === undefined) throw new Error(`chat.postMessage to ${channel} answered without a message ts`);
      return { conversation: result.channel ?? channel, message: result.ts };
    },
    async replyInThread(thread, card, { broadcast, marker }) {
      await client.chat.postMessage({ channel: thread.conversation, thread_ts: thread.message, reply_broadcast: broadcast, ...renderBlocks(card), metadata: metadata(marker), ...quiet });
    },
    async directMessage(user, card, marker) {
      const result = await client.chat.postMessage({ channel: user, ...renderBlocks(card), metadata: metadata(marker), ...quiet });
      if (result.ts === undefined) throw new Error(`chat.postMessage to ${user} answered without a message ts`);
      // Slack answers with the DM channel (D...): chat.update needs it, not the user id.
      return { conversation: result.channel ?? user, message: result.ts };
    },
    async update(ref, card) {
      await client.chat.update({ channel: ref.conversation, ts: ref.message, ...renderBlocks(card) });
    },
    async inThread(thread, marker) {
      let cursor: string | undefined;
      do {
        const page = await client.conversations.replies({ channel: thread.conversation, ts: thread.message, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
        if (page.messages?.some((message) => message.metadata?.event_type === METADATA_EVENT && (message.metadata.event_payload as Record<string, unknown> | undefined)?.['marker'] === marker)) return true;
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
      return false;
    },
  };
}
