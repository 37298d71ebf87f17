/**
 * The Slack surface: a Bolt App that turns /mailcheck, /patch, /outage and their buttons into calls of the
 * platform-neutral handlers (ChatCommands, handed in by the composition root). Bolt types stop at this file
 * and its neighbours in src/chat/slack/ (DESIGN.md, "Commands ack first"; "one error boundary per platform").
 */
import {
  App,
  HTTPReceiver,
  LogLevel,
  type BlockAction,
  type ButtonAction,
  type Logger,
  type RespondFn,
} from '@slack/bolt';
import { BOUNCE_CALLBACK_ID, readBounceSubmission, renderBounceModal } from './render-bounce-modal.js';
import { systemClock, type Clock } from '../../clock.js';
import { readSharedFile, SLACK_FILE_ORIGIN } from './slack-files.js';
import { BOUNCE_INPUT_MAX_BYTES } from '../../bounces/bounce-input.js';
import { formFor } from '../action-forms.js';
import { ACTION_IDS, type ActionId } from '../action-ids.js';
import type { ChatCommands } from '../chat-commands.js';
import type { ChatPlace } from '../chat-place.js';
import type { Conversation } from '../conversation.js';
import { AppError } from '../../errors.js';
import { commandText, escapeMrkdwn } from './mrkdwn.js';
import { createAckPriority } from './ack-priority.js';
import { deliveryKey, RecentDeliveries, REDELIVERY_WINDOW_MS, type DeliveryLog } from './recent-deliveries.js';
import { refuseRequestsDatedAhead } from './request-timestamp.js';
import { FORM_CALLBACK_ID, readFormMetadata, readFormValues, renderFormModal } from './render-form-modal.js';
import { cannotReachChannel, createSlackConversation, slackErrorCode } from './slack-conversation.js';
import {
  DEFAULT_OUTAGE_COMMAND,
  SLACK_EVENTS_PATH,
  WEB_API_RETRIES,
  WEB_API_TIMEOUT_MS,
  type SlackSettings,
} from './slack-settings.js';

export type { SlackSettings } from './slack-settings.js';

export interface SlackListening {
  readonly mode: 'http' | 'socket';
  /** HTTP mode: the port actually bound (useful with port 0). */
  readonly port: number | undefined;
}

export interface SlackApp {
  readonly app: App;
  /** Verifies the bot token (auth.test), then listens on HTTP or opens the Socket Mode connection. */
  start(): Promise<SlackListening>;
  /** Stops taking requests, then waits for the checks already running to post their results. */
  stop(): Promise<void>;
}

const LOG_LEVELS = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR } as const;

const MAILCHECK_ACTIONS: readonly ActionId[] = [
  ACTION_IDS.mailcheckRecheck,
  ACTION_IDS.mailcheckAdminNote,
  ACTION_IDS.mailcheckChanges,
];

export interface SlackAppOptions {
  /**
   * Where deliveries are remembered so each runs once: in Redis when several replicas share the
   * request URL (queue/redis-slack-deliveries.ts); by default in this process's memory.
   */
  readonly deliveries?: DeliveryLog;
  /**
   * Where Bolt, its receiver and its Web API client log (slack-logger.ts: the process's log, secrets
   * hidden); by default Bolt's ConsoleLogger.
   */
  readonly logger?: Logger;
  /** Dates requests against Slack's timestamps and ages the in-memory delivery log; the system clock by default. */
  readonly clock?: Clock;
}

export function createSlackApp(
  settings: SlackSettings,
  commands: ChatCommands,
  options: SlackAppOptions = {},
): SlackApp {
  const socketMode = settings.appToken !== undefined;
  const clock = options.clock ?? systemClock;
  if (!socketMode && !settings.signingSecret) {
    throw new AppError(
      'BAD_CONFIG',
      'Slack over HTTP needs the signing secret (MXOPS_SLACK_SIGNING_SECRET), or set MXOPS_SLACK_APP_TOKEN for Socket Mode',
    );
  }
  // Our own HTTPReceiver (the one Bolt would build) so that its listener can be wrapped.
  const receiver = socketMode
    ? undefined
    : new HTTPReceiver({
        signingSecret: settings.signingSecret ?? '',
        endpoints: SLACK_EVENTS_PATH,
        // Respond to Slack as soon as ack() is called, not when the listener returns (that is for FaaS).
        processBeforeResponse: false,
        logLevel: LOG_LEVELS[settings.logLevel],
        ...(options.logger ? { logger: options.logger } : {}),
      });
  const app = new App({
    token: settings.botToken,
    ...(socketMode ? { socketMode: true, appToken: settings.appToken } : { receiver }),
    // auth.test runs in start(), not in the constructor, where a failure would surface only at the first command.
    deferInitialization: true,
    // The conversation store keeps state per channel in memory for events; nothing here uses it.
    convoStore: false,
    logLevel: LOG_LEVELS[settings.logLevel],
    // Given a logger, Bolt sets its level and shares it with app.client.
    ...(options.logger ? { logger: options.logger } : {}),
    clientOptions: {
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
      retryConfig: WEB_API_RETRIES,
      // Wait out a 429 and retry instead of failing: a lost chat.update leaves a card stuck at "checking".
      rejectRateLimitedCalls: false,
      timeout: WEB_API_TIMEOUT_MS,
    },
  });
  // Socket Mode requests come over the app-token connection, unsigned and undated: nothing to check.
  if (receiver)
    receiver.requestListener = refuseRequestsDatedAhead(receiver.requestListener, clock, (line) =>
      app.logger.warn(line),
    );
  const deliveries = options.deliveries ?? new RecentDeliveries(REDELIVERY_WINDOW_MS, clock);
  /** A log that cannot answer (Redis down) must not drop a command: it runs, at worst twice. */
  const firstDelivery = async (key: string): Promise<boolean> => {
    try {
      return await deliveries.firstTime(key);
    } catch (error) {
      app.logger.warn(
        `cannot tell whether ${key} was delivered before (${error instanceof Error ? error.message : String(error)}); handling it`,
      );
      return true;
    }
  };
  const sharedFileOptions = {
    botToken: settings.botToken,
    fileOrigins: [SLACK_FILE_ORIGIN, ...(settings.apiUrl ? [new URL(settings.apiUrl).origin] : [])],
    maxBytes: BOUNCE_INPUT_MAX_BYTES,
  };
  // The system clock, never options.clock: a clock a test stops would hold every command's work for good.
  const ackPriority = createAckPriority(systemClock);
  const inFlight = new Set<Promise<void>>();
  let started = false;

  /**
   * The error boundary: the work runs after the ack, so failures are told to the user (`tell`
   * takes mrkdwn, already escaped), not to Slack.
   */
  const runDetached = (work: () => Promise<void>, tell: (text: string) => Promise<void>): void => {
    const running: Promise<void> = ackPriority
      .acksDrained()
      .then(work)
      .catch(async (error: unknown) => {
        // Not being invited is the user's to fix, not an incident.
        if (cannotReachChannel(error)) app.logger.warn(`cannot post here (${slackErrorCode(error)})`);
        else app.logger.error('command failed', error);
        await tell(explainFailure(error)).catch(() => undefined);
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  app.use(({ next }) => ackPriority.handle(next));

  app.use(async (args) => {
    const key = deliveryKey(args.body);
    // Slack's own retries never run, whatever the log says: the first delivery was slow to ack, not lost,
    // far more often than not (a first delivery lost before any replica saw it is what this gives up).
    const redelivered = (args.context.retryNum ?? 0) > 0 || (key !== undefined && !(await firstDelivery(key)));
    if (!redelivered) return args.next();
    // The first delivery is already running (or ran): answer 200 so Slack stops, and do nothing.
    app.logger.info(`ignoring a redelivered Slack request (${key ?? `retry ${args.context.retryNum}`})`);
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
  });

  app.command(settings.command, async ({ ack, command, client, respond }) => {
    await ack();
    const text = commandText(command.text);
    const tell = (message: string): Promise<void> => tellEphemeral(respond, message);
    if (commands.asksForBounce(text)) {
      // A slash command is one line and a bounce is many: a modal takes the paste. trigger_id expires 3 s after the command.
      await client.views
        .open({ trigger_id: command.trigger_id, view: renderBounceModal(command.channel_id) })
        .catch(async (error: unknown) => {
          app.logger.error('views.open failed', error);
          await tell(explainFailure(error)).catch(() => undefined);
        });
      return;
    }
    const conversation = createSlackConversation({
      client,
      channel: command.channel_id,
      user: command.user_id,
      respondEphemeral: tell,
    });
    runDetached(() => commands.mailcheck(text, conversation, slackPlace(command.channel_id, command.user_id)), tell);
  });

  // "@mxops bounce" with the bounce attached as a file (or pasted), and any other "@mxops <mailcheck words>":
  // answered in the thread of that message.
  app.event('app_mention', async ({ event, client }) => {
    // Mentions out first, then the entities and links Slack makes of what was typed, as for slash commands.
    const words = commandText(event.text.replace(/<@[A-Z0-9]+>/g, ' '))
      .trim()
      .replace(/^mailcheck\s+/i, '');
    const user = event.user ?? '';
    const thread = event.thread_ts ?? event.ts;
    const conversation = createSlackConversation({ client, channel: event.channel, user, thread });
    const tell = (message: string): Promise<void> => conversation.whisper(message);
    const fileId = event.files?.[0]?.id;
    if (/^bounce\b/i.test(words) && fileId !== undefined) {
      runDetached(
        async () => commands.bounce((await readSharedFile(client, fileId, sharedFileOptions)).bytes, conversation),
        tell,
      );
      return;
    }
    runDetached(() => commands.mailcheck(words, conversation, slackPlace(event.channel, user)), tell);
  });

  app.view(BOUNCE_CALLBACK_ID, async ({ ack, body, view, client }) => {
    await ack();
    const submitted = readBounceSubmission(view.private_metadata, view.state.values);
    if (!submitted) return app.logger.warn('ignoring a bounce submission it cannot place (bad private_metadata)');
    const user = body.user.id;
    const conversation = createSlackConversation({ client, channel: submitted.channel, user });
    const tell = async (message: string): Promise<void> =>
      void (await client.chat.postEphemeral({ channel: submitted.channel, user, text: message }));
    runDetached(
      () => commands.mailcheck(`bounce\n${submitted.text}`, conversation, slackPlace(submitted.channel, user)),
      tell,
    );
  });

  app.command(settings.patchCommand, async ({ ack, command, client, respond }) => {
    await ack();
    const conversation = createSlackConversation({
      client,
      channel: command.channel_id,
      user: command.user_id,
      respondEphemeral: (text) => tellEphemeral(respond, text),
    });
    runDetached(
      () =>
        commands.patch(commandText(command.text), { actor: { platform: 'slack', id: command.user_id }, conversation }),
      (text) => tellEphemeral(respond, text),
    );
  });

  app.command(settings.outageCommand ?? DEFAULT_OUTAGE_COMMAND, async ({ ack, command, client, respond }) => {
    await ack();
    const conversation = createSlackConversation({
      client,
      channel: command.channel_id,
      user: command.user_id,
      respondEphemeral: (text) => tellEphemeral(respond, text),
    });
    runDetached(
      () =>
        commands.outage(commandText(command.text), { actor: { platform: 'slack', id: command.user_id }, conversation }),
      (text) => tellEphemeral(respond, text),
    );
  });

  for (const actionId of MAILCHECK_ACTIONS) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
      await ack();
      const channel = body.channel?.id;
      const ts: unknown = body.container['message_ts'] ?? body.message?.ts;
      // Our buttons are only ever on channel messages; anything else is not ours to answer.
      if (channel === undefined || typeof ts !== 'string') return;
      const conversation: Conversation = createSlackConversation({
        client,
        channel,
        user: body.user.id,
        respondEphemeral: (text) => tellEphemeral(respond, text),
      });
      runDetached(
        () =>
          commands.mailcheckButton(actionId, action.value ?? '', { conversation: channel, message: ts }, conversation),
        (text) => tellEphemeral(respond, text),
      );
    });
  }

  for (const actionId of commands.buttons) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
      await ack();
      const channel = body.channel?.id;
      const ts: unknown = body.container['message_ts'] ?? body.message?.ts;
      if (channel === undefined || typeof ts !== 'string') return;
      const threadTs: unknown = body.container['thread_ts'] ?? body.message?.thread_ts;
      const thread = typeof threadTs === 'string' && threadTs !== ts ? threadTs : undefined;
      const value = action.value ?? '';
      const tell = (text: string): Promise<void> => tellEphemeral(respond, text);
      const form = formFor(actionId);
      if (commands.answersButton(actionId) && form) {
        // trigger_id expires 3 s after the click, so the modal opens first, before any store work.
        await client.views
          .open({
            trigger_id: body.trigger_id,
            view: renderFormModal(form, {
              actionId,
              value,
              channel,
              message: ts,
              ...(thread !== undefined ? { thread } : {}),
            }),
          })
          .catch(async (error: unknown) => {
            app.logger.error('views.open failed', error);
            await tell(explainFailure(error)).catch(() => undefined);
          });
        return;
      }
      const conversation = createSlackConversation({
        client,
        channel,
        user: body.user.id,
        respondEphemeral: tell,
        whisperByResponseUrl: true,
      });
      runDetached(
        () =>
          commands.button(
            actionId,
            value,
            {},
            { conversation: channel, message: ts },
            {
              actor: { platform: 'slack', id: body.user.id },
              conversation,
              ...(thread !== undefined ? { thread: { conversation: channel, message: thread } } : {}),
            },
          ),
        tell,
      );
    });
  }

  app.view(FORM_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const origin = readFormMetadata(view.private_metadata);
    if (origin === undefined || !commands.answersButton(origin.actionId)) {
      await ack();
      app.logger.warn(
        `ignoring a form submission it cannot place (${origin === undefined ? 'bad private_metadata' : 'no store behind the button'})`,
      );
      return;
    }
    const inputs = readFormValues(view.state.values);
    // What can be told before the store runs is shown on the field, with the modal still open.
    const errors = commands.checkButtonInputs(origin.actionId, inputs);
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const user = body.user.id;
    // A submission has no response_url (none of its inputs asks for one): whispers are chat.postEphemeral.
    const conversation = createSlackConversation({ client, channel: origin.channel, user });
    const tell = async (text: string): Promise<void> =>
      void (await client.chat.postEphemeral({ channel: origin.channel, user, text }));
    const thread =
      origin.thread !== undefined ? { thread: { conversation: origin.channel, message: origin.thread } } : {};
    runDetached(
      () =>
        commands.button(
          origin.actionId,
          origin.value,
          inputs,
          { conversation: origin.channel, message: origin.message },
          { actor: { platform: 'slack', id: user }, conversation, ...thread },
        ),
      tell,
    );
  });

  app.error(async (error) => {
    app.logger.error('Slack request failed', error);
  });

  return {
    app,
    async start() {
      await app.init();
      if (socketMode) {
        await app.start();
        started = true;
        return { mode: 'socket', port: undefined };
      }
      const server = await app.start({ port: settings.port, ...(settings.host ? { host: settings.host } : {}) });
      server.on('connection', ackPriority.arrived);
      started = true;
      const address = server.address();
      return { mode: 'http', port: typeof address === 'object' && address !== null ? address.port : settings.port };
    },
    async stop() {
      if (started) await app.stop();
      started = false;
      await Promise.allSettled([...inFlight]);
    },
  };
}

function slackPlace(channel: string, user: string): ChatPlace {
  return { platform: 'slack', conversation: channel, user: `slack:${user}` };
}

/** `text` is mrkdwn, already escaped. */
async function tellEphemeral(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', text, replace_original: false });
}

function explainFailure(error: unknown): string {
  if (cannotReachChannel(error))
    return 'I cannot post in this conversation. Invite me to the channel (/invite @mxops), or run the command in a channel I am in.';
  return `Something went wrong: ${escapeMrkdwn(error instanceof Error ? error.message : String(error))}`;
}
