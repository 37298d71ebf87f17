/**
 * The Teams surface: a CloudAdapter on /api/messages and a TeamsActivityHandler that turns
 * messages and card clicks into the platform-neutral mailcheck, patch and outage commands (ChatCommands, handed
 * in by the composition root; DESIGN.md, "Commands never see Bolt or botbuilder types"). botbuilder stays inside src/chat/teams/: the Bot
 * Framework SDK's support ended on 2025-12-31 (DOMAIN.md §3), and its successor
 * (@microsoft/agents-hosting) should replace only this directory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TeamsActivityHandler, TurnContext, type Activity, type CloudAdapter, type InvokeResponse } from 'botbuilder';
import { ACTION_IDS } from '../action-ids.js';
import type { ChatCommands } from '../chat-commands.js';
import type { ChatActor, ChatPlace } from '../chat-place.js';
import type { Conversation, MessageRef } from '../conversation.js';
import {
  createInMemoryConversationReferenceStore,
  type ConversationReferenceStore,
  type StoredConversationReference,
} from './conversation-reference-store.js';
import { parseTeamsCommand, type TeamsCommand } from './teams-command.js';
import { createTeamsConversation, type TeamsConnection } from './teams-conversation.js';
import { createActivityHandler, type TeamsLog } from './teams-http.js';
import {
  ADAPTIVE_CARD_ACTION_INVOKE,
  cardActionMessage,
  cardActionRefused,
  readCardActionClick,
  type CardActionResponse,
} from './teams-invoke.js';
import { createTeamsEndpoint, type TeamsEndpoint, type TeamsSettings } from './teams-settings.js';
import { TEAMS_SERVICE_REFERENCE_KEY } from './teams-nag-notifier.js';
import { baseConversationId } from './teams-thread.js';
import { attachedFile, isSharePointUrl, readAttachedFile } from './teams-files.js';
import { BOUNCE_INPUT_MAX_BYTES } from '../../bounces/bounce-input.js';

export interface TeamsBotOptions {
  /** Default: in memory, which only serves a single process (see conversation-reference-store.ts). */
  readonly references?: ConversationReferenceStore;
  /** Where the bot's and the adapter's failures are told (the process's log in `mxops start`); stderr lines by default. */
  readonly log?: TeamsLog;
  /**
   * The process's adapter and authentication (teams-settings.ts), shared with its notifiers; by
   * default one of its own, single-tenant. Tests pass one with authentication switched off for a
   * connector on loopback (test/support/fake-bot-connector.ts).
   */
  readonly endpoint?: TeamsEndpoint;
  /** Where attached files may be downloaded from; SharePoint and OneDrive unless a test says otherwise. */
  readonly fileUrlAllowed?: (url: URL) => boolean;
}

export interface TeamsBot {
  readonly adapter: CloudAdapter;
  readonly bot: TeamsActivityHandler;
  /** The HTTP handler for the Bot Framework: POST /api/messages. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The Conversation port for a conversation the bot has heard from, for replies after the turn. */
  conversationFor(conversationId: string): Conversation;
  /** Resolves when the commands and clicks received so far have finished (shutdown, tests). */
  settled(): Promise<void>;
}

export function createTeamsBot(
  settings: TeamsSettings,
  commands: ChatCommands,
  options: TeamsBotOptions = {},
): TeamsBot {
  const log: TeamsLog = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  // The authentication is kept at hand, not only in the adapter: the HTTP handler checks tokens with it first (teams-http.ts).
  const endpoint = options.endpoint ?? createTeamsEndpoint(settings);
  const { adapter } = endpoint;
  const connection: TeamsConnection = {
    adapter,
    appId: settings.appId,
    references: options.references ?? createInMemoryConversationReferenceStore(),
  };
  const conversationFor = (conversationId: string): Conversation => createTeamsConversation(connection, conversationId);
  const background = createBackgroundWork(log);

  /** Runs a command after the turn; a failure is told to the conversation as well as logged. */
  const runLater = (conversation: Conversation, work: () => Promise<void>): void =>
    background.track(
      work().catch(async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        log(`teams: command failed: ${message}`, 'error');
        await conversation.whisper(`Something went wrong: ${message}`);
      }),
    );

  const bot = new MailcheckTeamsBot({
    async remember(activity) {
      const reference = storedReference(activity);
      await connection.references.put(baseConversationId(activity.conversation.id), reference);
      // Also as the last reference heard from Teams: where workers learn the serviceUrl and tenant
      // to nag channels and people the bot has not heard from (teams-nag-notifier.ts).
      await connection.references.put(TEAMS_SERVICE_REFERENCE_KEY, reference);
    },
    message(activity) {
      // Removes "<at>mxops</at>" from channel messages; a 1:1 chat has no mention to remove.
      const text = typeof activity.text === 'string' ? (TurnContext.removeRecipientMention(activity) ?? '') : '';
      const conversation = conversationFor(activity.conversation.id);
      // The AAD object id is what the inventory stores for a Teams user; the 29:... id is per bot.
      const actor: ChatActor = { platform: 'teams', id: activity.from.aadObjectId };
      const place: ChatPlace = {
        platform: 'teams',
        conversation: baseConversationId(activity.conversation.id),
        user: `teams:${activity.from.aadObjectId ?? activity.from.id}`,
      };
      const command = parseTeamsCommand(text);
      const file = attachedFile(activity.attachments);
      if (file && command.kind === 'mailcheck' && /^bounce\s*$/i.test(command.text)) {
        const read = () =>
          readAttachedFile(file, {
            maxBytes: BOUNCE_INPUT_MAX_BYTES,
            allowed: options.fileUrlAllowed ?? isSharePointUrl,
          });
        runLater(conversation, async () => commands.bounce(await read(), conversation));
        return;
      }
      runLater(conversation, () => runCommand(command, conversation, actor, place, commands));
    },
    cardAction(activity) {
      const click = readCardActionClick(activity.value);
      if ('problem' in click) return cardActionRefused(click.problem);
      // Teams puts the id of the message holding the card in replyToId of the invoke.
      if (!activity.replyToId) return cardActionRefused('the click does not say which message the card is in');
      const ref: MessageRef = { conversation: activity.conversation.id, message: activity.replyToId };
      const conversation = conversationFor(ref.conversation);
      if (commands.buttons.includes(click.verb)) {
        const actor: ChatActor = { platform: 'teams', id: activity.from.aadObjectId };
        // Threads need no help here: a card in a channel thread arrives with ";messageid=<root>" in its conversation id.
        runLater(conversation, () =>
          commands.button(click.verb, click.value, click.inputs, ref, { actor, conversation }),
        );
        return cardActionMessage('Got it: the outcome follows in this conversation.');
      }
      runLater(conversation, () => commands.mailcheckButton(click.verb, click.value, ref, conversation));
      return cardActionMessage(
        MAILCHECK_CLICK_ANSWERS[click.verb as keyof typeof MAILCHECK_CLICK_ANSWERS]?.(click.value) ??
          'Got it: the outcome follows in this conversation.',
      );
    },
  });

  return {
    adapter,
    bot,
    handle: createActivityHandler(endpoint, (context) => bot.run(context), log),
    conversationFor,
    settled: background.settled,
  };
}

/** What a click on a report card's buttons answers at once; the work follows in the conversation. */
const MAILCHECK_CLICK_ANSWERS = {
  [ACTION_IDS.mailcheckRecheck]: (value: string) => `Checking ${value} again: a new card follows.`,
  [ACTION_IDS.mailcheckAdminNote]: (value: string) =>
    `Writing a note for the mail administrator of ${value}: it follows as a reply.`,
  [ACTION_IDS.mailcheckChanges]: (value: string) =>
    `Comparing the last two checks of ${value}: what changed follows as a reply.`,
} as const;

function runCommand(
  command: TeamsCommand,
  conversation: Conversation,
  actor: ChatActor,
  place: ChatPlace,
  commands: ChatCommands,
): Promise<void> {
  switch (command.kind) {
    case 'mailcheck':
      return commands.mailcheck(command.text, conversation, place);
    case 'patch':
      return commands.patch(command.text, { actor, conversation });
    case 'outage':
      return commands.outage(command.text, { actor, conversation });
    case 'help':
      return conversation.whisper(commands.help);
    case 'unknown':
      return conversation.whisper(`Unknown command "${command.word}".\n${commands.help}`);
  }
}

/** Only what continuing the conversation needs; never the message text or channelData. */
function storedReference(activity: Activity): StoredConversationReference {
  const { conversation, recipient } = activity;
  return {
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    ...(activity.locale ? { locale: activity.locale } : {}),
    conversation: {
      id: baseConversationId(conversation.id),
      conversationType: conversation.conversationType ?? '',
      isGroup: conversation.isGroup ?? false,
      name: conversation.name ?? '',
      ...(conversation.tenantId ? { tenantId: conversation.tenantId } : {}),
    },
    bot: { id: recipient.id, name: recipient.name ?? '' },
  };
}

interface BotHooks {
  /** Stores the conversation reference of every authenticated incoming activity. */
  remember(activity: Activity): Promise<void>;
  message(activity: Activity): void;
  cardAction(activity: Activity): CardActionResponse;
}

class MailcheckTeamsBot extends TeamsActivityHandler {
  private readonly hooks: BotHooks;

  constructor(hooks: BotHooks) {
    super();
    this.hooks = hooks;
    // 'Turn' handlers run before the per-type ones, for every activity (activityHandler.js onTurnActivity).
    this.onTurn(async (context, next) => {
      await hooks.remember(context.activity);
      await next();
    });
    this.onMessage(async (context, next) => {
      hooks.message(context.activity);
      await next();
    });
  }

  /**
   * Overridden rather than onAdaptiveCardInvoke: that hook must return botbuilder's
   * AdaptiveCardInvokeResponse, whose `value` is typed as an object, and the message answer's
   * value is a string. Other invokes keep TeamsActivityHandler's handling.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== ADAPTIVE_CARD_ACTION_INVOKE) return super.onInvokeActivity(context);
    return this.hooks.cardAction(context.activity);
  }
}

function createBackgroundWork(log: TeamsLog): {
  track(work: Promise<void>): void;
  settled(): Promise<void>;
} {
  const pending = new Set<Promise<void>>();
  return {
    track(work) {
      const tracked: Promise<void> = work
        .catch((error: unknown) => log(`teams: ${error instanceof Error ? error.message : String(error)}`, 'error'))
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async settled() {
      // Work can start more work (a click during a check), so wait until none is left.
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
