/**
 * The Conversation port over the Bot Framework connector, for one Teams conversation. Every call
 * continues the conversation from the stored reference (CloudAdapter.continueConversationAsync)
 * instead of using the incoming turn: a turn's TurnContext is revoked when the turn ends, the
 * diagnosis outlives it, and a worker that never saw the turn must be able to reply the same way
 * (DESIGN.md, "Threads are data").
 */
import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { Card } from '../card.js';
import type { Conversation, MessageRef } from '../conversation.js';
import { ADAPTIVE_CARD_CONTENT_TYPE } from './adaptive-card.js';
import { fitSummary } from './adaptive-card-limits.js';
import { safePrefix } from './adaptive-card-text.js';
import { withConnectorRetry, type RetryTiming } from './connector-retry.js';
import type { ConversationReferenceStore, StoredConversationReference } from './conversation-reference-store.js';
import { renderAdaptiveCard } from './render-adaptive-card.js';
import { baseConversationId, plainTextHtml, threadConversationId, threadMessagesHtml } from './teams-thread.js';

/** Whispers are one-line answers and help; escaped, this stays far below Teams' ~28 KB. */
const WHISPER_CHARS = 4_000;

export interface TeamsConnection {
  readonly adapter: CloudAdapter;
  /** The bot's app id: continueConversationAsync derives the outgoing credentials from it. */
  readonly appId: string;
  readonly references: ConversationReferenceStore;
  /** How sends that Teams refuses for now (429, 412, 502, 504) are tried again. Default: CONNECTOR_RETRY. */
  readonly retry?: RetryTiming;
}

/** `conversationId` as Teams gave it: in a channel thread it ends in ";messageid=<thread root>". */
export function createTeamsConversation(connection: TeamsConnection, conversationId: string): Conversation {
  const within = <T>(targetId: string, work: (context: TurnContext) => Promise<T>): Promise<T> =>
    continueIn(connection, targetId, work);
  // Each send on its own: a retry repeats the one message Teams refused, not those it accepted.
  const retried = <T>(send: () => Promise<T>): Promise<T> => withConnectorRetry(send, connection.retry);
  return {
    async post(card: Card): Promise<MessageRef> {
      const sent = await within(conversationId, (context) => retried(() => context.sendActivity(cardActivity(card))));
      if (!sent?.id) throw new Error(`Teams accepted a card in ${conversationId} without returning its activity id`);
      return { conversation: conversationId, message: sent.id };
    },
    async update(ref: MessageRef, card: Card): Promise<void> {
      // PUT /v3/conversations/{conversation}/activities/{id}: Teams replaces the card in place.
      await within(ref.conversation, (context) =>
        retried(() => context.updateActivity({ ...cardActivity(card), id: ref.message })),
      );
    },
    async replyInThread(ref: MessageRef, text: string): Promise<void> {
      const stored = await lookUp(connection, ref.conversation);
      const thread = threadConversationId(ref.conversation, stored.conversation.conversationType, ref.message);
      await within(thread, async (context) => {
        // In order, one at a time: the thread must read top to bottom, and a burst is what Teams throttles.
        for (const html of threadMessagesHtml(text))
          await retried(() => context.sendActivity({ type: 'message', textFormat: 'xml', text: html }));
      });
    },
    async postInThread(ref: MessageRef, card: Card): Promise<MessageRef> {
      const stored = await lookUp(connection, ref.conversation);
      const thread = threadConversationId(ref.conversation, stored.conversation.conversationType, ref.message);
      const sent = await within(thread, (context) => retried(() => context.sendActivity(cardActivity(card))));
      if (!sent?.id) throw new Error(`Teams accepted a card in ${thread} without returning its activity id`);
      return { conversation: thread, message: sent.id };
    },
    async whisper(text: string): Promise<void> {
      // Teams has no ephemeral messages in channels or chats (unlike Slack's chat.postEphemeral),
      // and opening a 1:1 chat needs the app installed for that user, so the reply is a normal
      // message where the command was typed.
      await within(conversationId, (context) =>
        retried(() =>
          context.sendActivity({
            type: 'message',
            textFormat: 'xml',
            text: plainTextHtml(safePrefix(text, WHISPER_CHARS)),
          }),
        ),
      );
    },
  };
}

/** A card as a message: the summary is what Teams shows in notifications and the activity feed. */
export function cardActivity(card: Card): Partial<Activity> {
  return {
    type: 'message',
    summary: fitSummary(card.summary),
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderAdaptiveCard(card) }],
  };
}

async function lookUp(connection: TeamsConnection, conversationId: string): Promise<StoredConversationReference> {
  const key = baseConversationId(conversationId);
  const stored = await connection.references.get(key);
  if (!stored)
    throw new Error(
      `no stored Teams conversation reference for ${key}: the bot has not received an activity from that conversation`,
    );
  return stored;
}

/**
 * Runs `work` in a proactive turn addressed to `conversationId` (a stored conversation, or one of
 * its channel threads) and hands back its result; a failure in `work` rejects.
 */
async function continueIn<T>(
  connection: TeamsConnection,
  conversationId: string,
  work: (context: TurnContext) => Promise<T>,
): Promise<T> {
  const stored = await lookUp(connection, conversationId);
  const reference: Partial<ConversationReference> = {
    ...stored,
    conversation: { ...stored.conversation, id: conversationId },
  };
  return inProactiveTurn(
    conversationId,
    (logic) => connection.adapter.continueConversationAsync(connection.appId, reference, logic),
    work,
  );
}

/**
 * Runs `work` in the proactive turn that `start` opens (continueConversationAsync,
 * createConversationAsync) and hands back its result; a failure in `work` rejects. `what` names
 * the conversation in the error.
 */
export function inProactiveTurn<T>(
  what: string,
  start: (logic: (context: TurnContext) => Promise<void>) => Promise<void>,
  work: (context: TurnContext) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start(async (context) => {
      withoutContinuationReplyTo(context);
      resolve(await work(context));
    })
      // Reached only if the turn ended without `work` finishing (an onTurnError swallowed it).
      .then(() => reject(new Error(`the Teams turn for ${what} ended without a result`)), reject);
  });
}

/**
 * botbuilder gives the continuation event a random id (ActivityEx.getContinuationActivity,
 * botframework-schema/lib/activityEx.js; createConversationAsync uses the new conversation's id,
 * CloudAdapterBase.createCreateActivity), and TurnContext.applyConversationReference copies it
 * into `replyToId` of everything sent or updated in that turn. CloudAdapterBase.sendActivities
 * then calls replyToActivity (POST .../activities/<random id>) with an id Teams never issued.
 * Dropping it makes every post a plain sendToConversation; threads are chosen by conversation id.
 */
function withoutContinuationReplyTo(context: TurnContext): void {
  context.onSendActivities(async (_context, activities, next) => {
    for (const activity of activities) delete activity.replyToId;
    return next();
  });
  context.onUpdateActivity(async (_context, activity, next) => {
    delete activity.replyToId;
    return next();
  });
}
