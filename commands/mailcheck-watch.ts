/**
 * `mailcheck watch <domain>`, `unwatch` and `watches`: a channel asks to hear when a partner's
 * mail setup gets worse or is fixed. The watch is a row in the store (audited) and a job
 * scheduler in Redis; the worker (jobs/mail-watch.ts) does the re-checking and the posting.
 */
import type { Clock } from '../src/clock.js';
import type { ChatPlace } from '../src/chat/chat-place.js';
import type { Conversation } from '../src/chat/conversation.js';
import type { OpenDatabase } from '../src/store/database.js';
import { addWatch, listWatches, removeWatch, type MailWatch } from '../src/store/mail-watches.js';
import { describeDuration } from '../src/patching/duration.js';

export interface WatchChatDeps {
  readonly store: OpenDatabase;
  readonly schedule: (watch: MailWatch) => Promise<void>;
  readonly unschedule: (watchId: number) => Promise<void>;
  readonly defaultIntervalMs: number;
  /** Wall time, for when a watch was added or removed. */
  readonly clock: Clock;
}

export const WATCH_UNAVAILABLE =
  'Watching needs the database and Redis of a full mxops (mxops start); this one has neither.';
const CONSOLE_CANNOT_WATCH =
  'A watch posts into a Slack or Teams channel when something changes; the console has no channel to post into. Use mailcheck history <domain> here.';

export async function handleWatch(
  domain: string,
  intervalMs: number | undefined,
  place: ChatPlace | undefined,
  conversation: Conversation,
  deps: WatchChatDeps | undefined,
): Promise<void> {
  if (!place || place.platform === 'console') return conversation.whisper(CONSOLE_CANNOT_WATCH);
  if (!deps) return conversation.whisper(WATCH_UNAVAILABLE);
  const where = { domain, platform: place.platform, conversation: place.conversation };
  const { watch, created } = await addWatch(deps.store, {
    ...where,
    intervalMs: intervalMs ?? deps.defaultIntervalMs,
    by: place.user,
    surface: place.platform,
    at: new Date(deps.clock.wallMs()),
  });
  try {
    await deps.schedule(watch);
  } catch (error) {
    // Without its schedule a watch would sit in the list doing nothing: take a new one back.
    if (created)
      await removeWatch(deps.store, {
        ...where,
        by: place.user,
        surface: place.platform,
        at: new Date(deps.clock.wallMs()),
      });
    throw error;
  }
  const every = describeDuration(watch.intervalMs);
  await conversation.post({
    summary: `Watching ${domain}`,
    blocks: [
      { kind: 'header', text: `Watching ${domain}` },
      {
        kind: 'text',
        text: `${created ? 'I will re-check' : 'I now re-check'} ${domain} every ${every} and post here only when something gets worse or is fixed, with what changed. The first check now is the baseline. mailcheck unwatch ${domain} stops it.`,
      },
    ],
  });
}

export async function handleUnwatch(
  domain: string,
  place: ChatPlace | undefined,
  conversation: Conversation,
  deps: WatchChatDeps | undefined,
): Promise<void> {
  if (!place || place.platform === 'console') return conversation.whisper(CONSOLE_CANNOT_WATCH);
  if (!deps) return conversation.whisper(WATCH_UNAVAILABLE);
  const where = { platform: place.platform, conversation: place.conversation } as const;
  const watch = (await listWatches(deps.store, where)).find((w) => w.domain === domain);
  if (!watch)
    return conversation.whisper(`${domain} is not watched in this conversation (mailcheck watches lists what is).`);
  // The schedule first: if Redis fails here the watch is still listed and unwatch can be tried again.
  await deps.unschedule(watch.id);
  await removeWatch(deps.store, {
    domain,
    ...where,
    by: place.user,
    surface: place.platform,
    at: new Date(deps.clock.wallMs()),
  });
  await conversation.post({
    summary: `Stopped watching ${domain}`,
    blocks: [
      {
        kind: 'text',
        text: `Stopped watching ${domain} here. Its check history is kept: mailcheck history ${domain}.`,
      },
    ],
  });
}

export async function handleWatches(
  place: ChatPlace | undefined,
  conversation: Conversation,
  deps: WatchChatDeps | undefined,
): Promise<void> {
  if (!place || place.platform === 'console') return conversation.whisper(CONSOLE_CANNOT_WATCH);
  if (!deps) return conversation.whisper(WATCH_UNAVAILABLE);
  const watches = await listWatches(deps.store, { platform: place.platform, conversation: place.conversation });
  if (watches.length === 0)
    return conversation.whisper('Nothing is watched in this conversation. mailcheck watch <domain> starts a watch.');
  await conversation.whisper(
    [
      'Watched here:',
      ...watches.map(
        (w) =>
          `  ${w.domain}: every ${describeDuration(w.intervalMs)}, since ${w.createdAt.toISOString().slice(0, 10)}`,
      ),
    ].join('\n'),
  );
}
