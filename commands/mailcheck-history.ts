/** `mailcheck history <domain>` and the "What changed" button: the stored checks, in chat. */
import type { Card } from '../src/chat/card.js';
import { clipHistoryText } from '../src/chat/history-text.js';
import type { Conversation, MessageRef } from '../src/chat/conversation.js';
import type { OpenDatabase } from '../src/store/database.js';
import { runHistoryCommand, whatChangedText } from './history.js';

export interface HistoryChatDeps {
  readonly store: OpenDatabase;
  /** The zone dates are shown in; chat readers sit in many, so UTC unless the deployment says. */
  readonly zone?: string;
}

/** The last checks listed in chat; the command line lists more. */
const CHECKS_IN_CHAT = 10;

export const HISTORY_UNAVAILABLE = 'Check history is not kept by this mxops (it has no database).';

export async function handleHistory(domain: string, conversation: Conversation, deps: HistoryChatDeps): Promise<void> {
  const text = await runHistoryCommand(
    { domain, limit: String(CHECKS_IN_CHAT) },
    { store: deps.store, zone: deps.zone ?? 'UTC' },
  );
  await conversation.post(historyCard(`Checks of ${domain}`, text, domain));
}

/** What changed between the domain's latest check and the one before, whole, in the report's thread (long text is split there). */
export async function handleWhatChanged(
  domain: string,
  ref: MessageRef,
  conversation: Conversation,
  deps: HistoryChatDeps,
): Promise<void> {
  await conversation.replyInThread(ref, await whatChangedText(deps.store, domain, deps.zone ?? 'UTC'));
}

function historyCard(title: string, text: string, domain: string): Card {
  return {
    summary: title,
    blocks: [
      { kind: 'header', text: title },
      { kind: 'code', text: clipHistoryText(text, domain) },
    ],
  };
}
