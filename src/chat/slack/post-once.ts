/**
 * A Slack post that a lost answer does not double. Slack may take a chat.postMessage and the answer
 * never reach us (our time-out, a dropped connection) or reach us as a 5xx from its edge; the
 * WebClient's own retry policy would then post the message again, blindly. So the nag notifier
 * posts through a client that does not retry, and after such a failure looks for the message by
 * the marker it carries before posting it again. A platform error (`ok: false`, such as
 * channel_not_found) is Slack saying it took nothing, and is thrown as it is; so is the last
 * failure, and the nag job's retry looks again before it posts (jobs/patch-nag.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { slackErrorCode } from './slack-conversation.js';

export interface PostRetry {
  /** Posts in all, the first one included. */
  readonly attempts: number;
  /** The wait before the first look-up; it doubles for each one after. Slack shows a post it took at once. */
  readonly firstDelayMs: number;
  readonly sleep: (ms: number) => Promise<unknown>;
}

/** About 1, 2 and 4 seconds between four posts: the job's backoff takes over after that. */
export const SLACK_POST_RETRY: PostRetry = { attempts: 4, firstDelayMs: 1_000, sleep };

/** Runs `post`; after a failure that may hide a post Slack took, `lookUp` first, and posts again only if it finds nothing. */
export async function postOnce<T>(
  post: () => Promise<T>,
  lookUp: () => Promise<T | undefined>,
  retry: PostRetry = SLACK_POST_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await post();
    } catch (error) {
      if (attempt >= retry.attempts || slackErrorCode(error) !== undefined) throw error;
      await retry.sleep(retry.firstDelayMs * 2 ** (attempt - 1));
      const found = await lookUp();
      if (found !== undefined) return found;
    }
  }
}
