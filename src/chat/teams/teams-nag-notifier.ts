/**
 * Nags into Teams from a worker, with no incoming turn to answer (proactive messages,
 * learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages):
 * - a thread: a card posted to the channel's conversation id becomes a new top-level post, whose
 *   activity id is the thread root;
 * - a reply: posted to "<channel>;messageid=<root>" (teams-thread.ts);
 * - an update: the card replaced in place (PUT on the activity), wherever it was posted;
 * - a direct message: createConversation with the user's Azure AD object id (what the inventory
 *   stores) opens, or finds again, the bot's 1:1 chat with them; Teams accepts the AAD id there
 *   only for a bot installed in the user's personal scope, and answers 403 otherwise.
 *
 * Where to send: a proactive message needs the regional serviceUrl and the tenant, which Teams
 * only gives on incoming activities. The notifier reads them from the stored reference of the
 * channel itself (key: the channel id, stored once the bot hears from that channel) or else from
 * the one stored under TEAMS_SERVICE_REFERENCE_KEY, which the bot refreshes on every incoming
 * activity. One key suffices: the app registration is single-tenant, and a tenant's teams share
 * its region's connector. If neither is known the notifier throws NOT_FOUND and the nag job
 * retries with backoff.
 *
 * Limits, unlike Slack:
 * - `broadcast` does nothing: Teams has no "also send to channel" for a thread reply.
 * - Nothing posted can be looked for: `inThread` always answers false, and findDirect and
 *   findThreadStart are left out. The Bot Connector has no call that reads a conversation's
 *   messages (only members, team and channel details); reading a channel thread takes Microsoft
 *   Graph (GET /teams/{team}/channels/{channel}/messages/{id}/replies) with
 *   ChannelMessage.Read.Group resource-specific consent, and a 1:1 chat Chat.Read. So a retry
 *   knows only what the nag job recorded: each direct message's activity id per recipient, the
 *   thread root with the thread, and the thread post. A worker killed after Teams took a message
 *   and before that record re-posts that one message on retry: a possible duplicate rather than a
 *   lost nag. The marker still travels in each activity's channelData (which Teams ignores) so it
 *   shows in recordings and connector logs.
 * - For the same reason a send that Teams took but answered with a 5xx (or whose connection
 *   dropped) arrives twice: botframework-connector's pipeline (core-rest-pipeline's
 *   defaultRetryPolicy) sends it again by itself. It is left on: removing it from a connector
 *   client means reaching into a private field, and takes Teams' 429 handling with it.
 */
import type { Activity, ConversationParameters, ConversationReference } from 'botbuilder';
import { AppError } from '../../errors.js';
import type { Card } from '../card.js';
import type { MessageRef } from '../conversation.js';
import type { NagNotifier } from '../nag-notifier.js';
import type { StoredConversationReference } from './conversation-reference-store.js';
import { cardActivity, inProactiveTurn, type TeamsConnection } from './teams-conversation.js';
import { baseConversationId, threadConversationId } from './teams-thread.js';

/**
 * The store key of the last reference heard from Teams, whatever the conversation: where a worker
 * learns the serviceUrl and tenant for channels and people the bot has not heard from yet.
 * Conversation ids ("19:...", "a:...", "29:...") always contain a colon, so this cannot clash.
 */
export const TEAMS_SERVICE_REFERENCE_KEY = 'teams-service';

const TEAMS_CHANNEL_ID = 'msteams';

export const TEAMS_NOT_HEARD_FROM =
  'mxops has not heard from Teams yet: message the bot once or install it in the team so it learns the service URL';

export function createTeamsNagNotifier(connection: TeamsConnection): NagNotifier {
  const nagActivity = (card: Card, marker: string): Partial<Activity> => ({
    ...cardActivity(card),
    channelData: { mxopsNag: { marker } },
  });

  /** Posts into a channel or one of its threads, continuing from whatever reference is known. */
  const postInChannel = async (conversationId: string, card: Card, marker: string): Promise<string> => {
    const known = await referenceFor(connection, baseConversationId(conversationId));
    const reference = proactiveReference(known, { id: conversationId, conversationType: 'channel', isGroup: true });
    const sent = await inProactiveTurn(
      conversationId,
      (logic) => connection.adapter.continueConversationAsync(connection.appId, reference, logic),
      (context) => context.sendActivity(nagActivity(card, marker)),
    );
    if (!sent?.id) throw new Error(`Teams accepted a nag in ${conversationId} without returning its activity id`);
    return sent.id;
  };

  return {
    platform: 'teams',
    async startThread(channel, card, marker): Promise<MessageRef> {
      return { conversation: channel, message: await postInChannel(channel, card, marker) };
    },
    async replyInThread(thread, card, { marker }) {
      // `broadcast` is not used: a Teams thread reply cannot also be shown in the channel.
      await postInChannel(threadConversationId(thread.conversation, 'channel', thread.message), card, marker);
    },
    async directMessage(user, card, marker) {
      const known = await referenceFor(connection, undefined);
      const tenantId = known.conversation.tenantId;
      if (!tenantId)
        throw new AppError(
          'NOT_FOUND',
          `cannot message Teams user ${user}: the stored Teams reference names no tenant; ${TEAMS_NOT_HEARD_FROM}`,
        );
      const parameters: ConversationParameters = {
        isGroup: false,
        bot: known.bot,
        members: [{ id: user, name: '' }],
        tenantId,
        channelData: { tenant: { id: tenantId } },
      };
      return inProactiveTurn(
        `a 1:1 chat with ${user}`,
        // No audience, as TeamsInfo.sendMessageToTeamsChannel passes: the connector factory then uses
        // the configured to-channel scope (ConnectorFactoryImpl.create). The typings say string.
        (logic) =>
          connection.adapter.createConversationAsync(
            connection.appId,
            TEAMS_CHANNEL_ID,
            known.serviceUrl,
            undefined as unknown as string,
            parameters,
            logic,
          ),
        async (context): Promise<MessageRef> => {
          const sent = await context.sendActivity(nagActivity(card, marker));
          if (!sent?.id)
            throw new Error(`Teams accepted a direct message to ${user} without returning its activity id`);
          // The turn runs in the chat createConversation opened (or found again): its id is where the card is.
          return { conversation: context.activity.conversation.id, message: sent.id };
        },
      );
    },
    async update(ref, card) {
      // PUT /v3/conversations/{conversation}/activities/{id} in a proactive turn, as teams-conversation.ts
      // does within a turn: a channel post, a thread reply or a 1:1 chat alike.
      const base = baseConversationId(ref.conversation);
      const known = await referenceFor(connection, base);
      const own = known.conversation.id === base;
      const reference = proactiveReference(known, {
        id: ref.conversation,
        conversationType: own
          ? known.conversation.conversationType
          : ref.conversation.startsWith('19:')
            ? 'channel'
            : 'personal',
        isGroup: own ? known.conversation.isGroup : ref.conversation.startsWith('19:'),
      });
      await inProactiveTurn(
        ref.conversation,
        (logic) => connection.adapter.continueConversationAsync(connection.appId, reference, logic),
        (context) => context.updateActivity({ ...cardActivity(card), id: ref.message }),
      );
    },
    async inThread() {
      // The Bot Connector cannot read a thread back (see the top of this file): a retry has only the records.
      return false;
    },
  };
}

/** The channel's own reference when stored, else the last one heard from Teams. */
async function referenceFor(
  connection: TeamsConnection,
  channel: string | undefined,
): Promise<StoredConversationReference> {
  const own = channel === undefined ? undefined : await connection.references.get(channel);
  const known = own ?? (await connection.references.get(TEAMS_SERVICE_REFERENCE_KEY));
  if (!known) throw new AppError('NOT_FOUND', TEAMS_NOT_HEARD_FROM);
  return known;
}

/** A reference to `conversation`, with the serviceUrl, tenant and bot of a stored one. */
function proactiveReference(
  known: StoredConversationReference,
  conversation: { readonly id: string; readonly conversationType: string; readonly isGroup: boolean },
): Partial<ConversationReference> {
  return {
    channelId: TEAMS_CHANNEL_ID,
    serviceUrl: known.serviceUrl,
    ...(known.locale ? { locale: known.locale } : {}),
    conversation: { ...conversation, name: '', ...tenantOf(known) },
    bot: known.bot,
  };
}

function tenantOf(known: StoredConversationReference): { tenantId?: string } {
  return known.conversation.tenantId ? { tenantId: known.conversation.tenantId } : {};
}
