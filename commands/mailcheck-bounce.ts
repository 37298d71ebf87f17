/** `mailcheck bounce`: a pasted bounce read, its likely cause tested, the answer in a card and its thread. */
import { bounceCard, readingBounceCard } from '../src/chat/bounce-cards.js';
import type { Conversation } from '../src/chat/conversation.js';
import { isAppError } from '../src/errors.js';
import { diagnoseBounce, renderBounceText, type HypothesisTester } from './bounce.js';

export interface BounceChatDeps {
  /** Runs a hypothesis's checks, as /mailcheck runs its own (SMTP through the workers). */
  readonly test: HypothesisTester;
}

const NEVER_TESTED: HypothesisTester = () => Promise.reject(new Error('no checks are configured'));

export const BOUNCE_USAGE =
  'Paste the bounce after the word: mailcheck bounce <the bounce, its headers, or the log lines>. The whole report is best: the failed address, the reason and the returned headers.';

/** Without `deps` (no checks configured) the bounce is read and its likely cause named, untested. */
export async function handleBounce(
  input: string | Uint8Array,
  conversation: Conversation,
  deps: BounceChatDeps | undefined,
): Promise<void> {
  if (typeof input === 'string' ? input.trim() === '' : input.length === 0) return conversation.whisper(BOUNCE_USAGE);
  const ref = await conversation.post(readingBounceCard());
  let diagnosis;
  try {
    diagnosis = await diagnoseBounce(input, { check: deps !== undefined }, deps?.test ?? NEVER_TESTED);
  } catch (error) {
    if (!isAppError(error, 'BAD_INPUT')) throw error;
    await conversation.update(ref, { summary: 'Not a bounce', blocks: [{ kind: 'text', text: error.message }] });
    return;
  }
  await conversation.update(
    ref,
    bounceCard({ ...diagnosis, verdict: diagnosis.tested.verdict, findings: diagnosis.tested.findings }),
  );
  await conversation.replyInThread(ref, renderBounceText(diagnosis, { check: deps !== undefined }));
}
