import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ACTION_IDS } from '../action-ids.js';
import type { Card } from '../card.js';
import type { ChatCommands } from '../chat-commands.js';
import type { Conversation, MessageRef } from '../conversation.js';
import { renderCardText } from './render-card-text.js';
import { showTerminalText } from './terminal-text.js';

const CONVERSATION = 'console';

/**
 * The console surface (`mxops chat`): the same commands and cards as Slack and Teams, as text in
 * a terminal, with no credentials. Each message gets a number; updates and thread replies say
 * which message they belong to. Text from people and servers reaches the terminal only through
 * terminal-text.ts (cards through render-card-text.ts), so it cannot act on the terminal.
 */
export function createConsoleConversation(out: Writable): Conversation & { lastRef(): MessageRef | undefined } {
  let counter = 0;
  let last: MessageRef | undefined;
  const write = (text: string): void => void out.write(text);
  return {
    lastRef: () => last,
    async post(card: Card) {
      last = { conversation: CONVERSATION, message: String(++counter) };
      write(`[#${counter}] ${renderCardText(card)}`);
      return last;
    },
    async update(ref, card) {
      write(`[#${ref.message} updated] ${renderCardText(card)}`);
    },
    async replyInThread(ref, text) {
      write(`[#${ref.message} thread]\n${showTerminalText(text).replace(/\n?$/, '\n')}`);
    },
    async postInThread(ref, card) {
      const posted = { conversation: CONVERSATION, message: String(++counter) };
      write(`[#${posted.message} in the thread of #${ref.message}] ${renderCardText(card)}`);
      return posted;
    },
    async whisper(text) {
      write(`${showTerminalText(text)}\n`);
    },
  };
}

export interface ConsoleChatOptions {
  /** Who is typing, as an inventory handle (`mxops chat --as alice`); without it `patch` only reads. */
  readonly actor?: string;
}

/** The words that stand for a report card's buttons. */
const CONSOLE_BUTTONS = {
  recheck: ACTION_IDS.mailcheckRecheck,
  note: ACTION_IDS.mailcheckAdminNote,
  changes: ACTION_IDS.mailcheckChanges,
} as const;

/** Reads commands line by line until end of input: "mailcheck partner.com", "recheck partner.com", "note partner.com", "patch list", "outage list", "help". */
export async function runConsoleChat(
  input: Readable,
  out: Writable,
  commands: ChatCommands,
  options: ConsoleChatOptions = {},
): Promise<void> {
  const conversation = createConsoleConversation(out);
  const actor = { platform: 'console' as const, id: options.actor };
  out.write('mxops chat: type "mailcheck partner.com", "patch list" or "help"; Ctrl-D ends.\n');
  const lines = createInterface({ input, terminal: false });
  const place = {
    platform: 'console' as const,
    conversation: CONVERSATION,
    user: `console:${options.actor ?? 'unknown'}`,
  };
  // A bounce spans many lines: after a bare "mailcheck bounce", lines are collected up to a lone ".".
  let bounce: string[] | undefined;
  for await (const raw of lines) {
    if (bounce !== undefined) {
      if (raw.trim() !== '.') {
        bounce.push(raw);
        continue;
      }
      const text = bounce.join('\n');
      bounce = undefined;
      await commands
        .mailcheck(`bounce\n${text}`, conversation, place)
        .catch((error: unknown) =>
          conversation.whisper(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`),
        );
      continue;
    }
    const [word = '', ...rest] = raw.trim().replace(/^\//, '').split(/\s+/);
    const text = rest.join(' ');
    if (/^mailcheck$/i.test(word) && /^bounce$/i.test(text)) {
      bounce = [];
      await conversation.whisper(
        'Paste the bounce (or its headers, or the log lines), then a line with a single "." to end it.',
      );
      continue;
    }
    try {
      if (word === '') continue;
      else if (/^mailcheck$/i.test(word)) await commands.mailcheck(text, conversation, place);
      else if (/^patch$/i.test(word)) await commands.patch(text, { actor, conversation });
      else if (/^outage$/i.test(word)) await commands.outage(text, { actor, conversation });
      else if (/^help$/i.test(word)) await conversation.whisper(commands.help);
      else if (/^(recheck|note|changes)$/i.test(word)) {
        const ref = conversation.lastRef() ?? (await conversation.post({ summary: text, blocks: [] }));
        await commands.mailcheckButton(
          CONSOLE_BUTTONS[word.toLowerCase() as keyof typeof CONSOLE_BUTTONS],
          text,
          ref,
          conversation,
        );
      } else await conversation.whisper(`Unknown command "${word}".\n${commands.help}`);
    } catch (error) {
      await conversation.whisper(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
