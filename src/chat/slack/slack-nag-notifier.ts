/**
 * Nags into Slack from a worker: the thread in the team channel, replies in it (shown in the
 * channel too when the level says so), and direct messages (a bot posting to a user id lands in
 * the app's DM with them), and replacing a message posted earlier (chat.update).
 *
 * Each message carries the nag's marker as message metadata (chat.postMessage `metadata`), which
 * Slack hands back with include_all_metadata, so a retry after a crash can look for what an
 * earlier attempt posted before posting it again: conversations.replies for a thread reply,
 * conversations.history of the channel for a thread root, and of the DM (conversations.open
 * names it) for a direct message. These reads need the channels:history, groups:history,
 * im:history and im:write scopes (slack-app-manifest.yaml).
 *
 * The same look-up guards each post within an attempt: posts go through a client that never
 * retries on its own, and a post whose answer was lost is looked for before it is sent again
 * (post-once.ts). Reads and chat.update keep the caller's retry policy: repeating them changes
 * nothing.
 */
import { webApi } from '@slack/bolt';
import { systemClock, type Clock } from '../../clock.js';
import type { Card } from '../card.js';
import type { MessageRef } from '../conversation.js';
import type { NagNotifier } from '../nag-notifier.js';
import { postOnce, type PostRetry, SLACK_POST_RETRY } from './post-once.js';
import { renderBlocks } from './render-blocks.js';

const METADATA_EVENT = 'mxops_nag';
/** Messages per history page: Slack's advised maximum; a retry looks at the newest first. */
const PAGE = 200;
/**
 * How far before the nag was planned a search still looks: our clock against Slack's. Without a
 * bound, a search that finds nothing (the usual case: the earlier attempt died before posting)
 * would read the whole history of a busy channel or of years of nags in a DM.
 */
const CLOCK_SKEW_MS = 10 * 60_000;

interface HistoryMessage {
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly metadata?: { readonly event_type?: string; readonly event_payload?: unknown };
}

const carries = (message: HistoryMessage, marker: string): boolean =>
  message.metadata?.event_type === METADATA_EVENT &&
  (message.metadata.event_payload as Record<string, unknown> | undefined)?.['marker'] === marker;

export interface SlackNagTiming {
  /** How a post whose answer was lost is looked for and tried again. */
  readonly postRetry?: PostRetry;
  /** Dates each post, so a look-up after a lost answer pages back only to then. */
  readonly clock?: Clock;
}

/** `options`: the Web API's URL, time-out and retry policy, which posts use without the retries. */
export function createSlackNagNotifier(
  token: string,
  options: webApi.WebClientOptions = {},
  { postRetry = SLACK_POST_RETRY, clock = systemClock }: SlackNagTiming = {},
): NagNotifier {
  const client = new webApi.WebClient(token, options);
  const poster = new webApi.WebClient(token, { ...options, retryConfig: { retries: 0 } });
  const quiet = { unfurl_links: false, unfurl_media: false } as const;
  const metadata = (marker: string) => ({ event_type: METADATA_EVENT, event_payload: { marker } });

  /** The newest message of `channel` since `since` (epoch ms) that `matches`, paging back to then. */
  const findInHistory = async (
    channel: string,
    since: number,
    matches: (message: HistoryMessage) => boolean,
  ): Promise<MessageRef | undefined> => {
    const oldest = (Math.max(0, since - CLOCK_SKEW_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    do {
      const page = await client.conversations.history({
        channel,
        oldest,
        include_all_metadata: true,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      const found = (page.messages as HistoryMessage[] | undefined)?.find(matches);
      if (found?.ts !== undefined) return { conversation: channel, message: found.ts };
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  };

  const inThread = async (thread: MessageRef, marker: string): Promise<boolean> => {
    let cursor: string | undefined;
    do {
      const page = await client.conversations.replies({
        channel: thread.conversation,
        ts: thread.message,
        include_all_metadata: true,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      if ((page.messages as HistoryMessage[] | undefined)?.some((message) => carries(message, marker))) return true;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return false;
  };

  const findDirect = async (user: string, marker: string, since: number): Promise<MessageRef | undefined> => {
    // conversations.history takes the DM's channel id, not the user id; conversations.open
    // returns the bot's existing DM with the user (or opens the one the post would have opened).
    const opened = await client.conversations.open({ users: user });
    const channel = opened.channel?.id;
    if (channel === undefined) throw new Error(`conversations.open for ${user} answered without a channel id`);
    return findInHistory(channel, since, (message) => carries(message, marker));
  };

  const findThreadStart = (channel: string, marker: string, since: number): Promise<MessageRef | undefined> =>
    // A reply shown in the channel (reply_broadcast) is in the history too: a root is its own thread.
    findInHistory(
      channel,
      since,
      (message) => carries(message, marker) && (message.thread_ts === undefined || message.thread_ts === message.ts),
    );

  /** A new message (a thread root, a direct message) where it landed. */
  const postNew = async (channel: string, card: Card, marker: string): Promise<MessageRef> => {
    const result = await poster.chat.postMessage({
      channel,
      ...renderBlocks(card),
      metadata: metadata(marker),
      ...quiet,
    });
    if (result.ts === undefined) throw new Error(`chat.postMessage to ${channel} answered without a message ts`);
    // To a user id, Slack answers with the DM channel (D...): chat.update needs it, not the user id.
    return { conversation: result.channel ?? channel, message: result.ts };
  };

  return {
    platform: 'slack',
    async startThread(channel, card, marker) {
      const since = clock.wallMs();
      return postOnce(
        () => postNew(channel, card, marker),
        () => findThreadStart(channel, marker, since),
        postRetry,
      );
    },
    async replyInThread(thread, card, { broadcast, marker }) {
      await postOnce(
        async () => {
          await poster.chat.postMessage({
            channel: thread.conversation,
            thread_ts: thread.message,
            reply_broadcast: broadcast,
            ...renderBlocks(card),
            metadata: metadata(marker),
            ...quiet,
          });
          return true;
        },
        async () => (await inThread(thread, marker)) || undefined,
        postRetry,
      );
    },
    async directMessage(user, card, marker) {
      const since = clock.wallMs();
      return postOnce(
        () => postNew(user, card, marker),
        () => findDirect(user, marker, since),
        postRetry,
      );
    },
    async update(ref, card) {
      await client.chat.update({ channel: ref.conversation, ts: ref.message, ...renderBlocks(card) });
    },
    inThread,
    findDirect,
    findThreadStart,
  };
}
