/**
 * The chat commands as a surface (Slack, Teams, the console) sees them: what to call for a message
 * typed or a button clicked. The handlers are commands/'s (commands/chat-commands.ts binds them to
 * their deps); the composition root (src/cli/) hands them to the surfaces, so that src/ never
 * imports commands/ and a surface only turns a platform's payload into one of these calls.
 */
import type { ActionId } from './action-ids.js';
import type { ChatActor, ChatPlace } from './chat-place.js';
import type { Conversation, MessageRef } from './conversation.js';

/** Who typed or clicked, and where the answers go. */
export interface ChatCommandContext {
  readonly actor: ChatActor;
  readonly conversation: Conversation;
  /** The thread the clicked message is a reply in (Slack's thread_ts); default: the clicked message's own thread. */
  readonly thread?: MessageRef;
}

/** What was typed into a button's form, by field id (action-forms.ts). */
export type ButtonInputs = Readonly<Record<string, string>>;

export interface ChatCommands {
  /** The `help` text: every command's usage. */
  readonly help: string;
  /** `mailcheck ...` (the words after the command's name); `place` is where it was typed, for watches. */
  mailcheck(text: string, conversation: Conversation, place: ChatPlace): Promise<void>;
  /** Whether `mailcheck` text asks to read a bounce without giving one (Slack then opens a box to paste into). */
  asksForBounce(text: string): boolean;
  /** A bounce that came as a file rather than as text. */
  bounce(input: Uint8Array, conversation: Conversation): Promise<void>;
  /** A report card's button: Re-check, Note for their admin, What changed. `ref`: the card clicked. */
  mailcheckButton(id: ActionId, value: string, ref: MessageRef, conversation: Conversation): Promise<void>;
  /** `patch ...`; says so when this surface has no inventory behind it. */
  patch(text: string, context: ChatCommandContext): Promise<void>;
  /** `outage ...`; says so when this surface has no store behind it. */
  outage(text: string, context: ChatCommandContext): Promise<void>;
  /** Every button that acts on the store (nags, risk acceptance, outage requests). */
  readonly buttons: readonly ActionId[];
  /** Whether a store is behind the button here: a form is worth opening only then. */
  answersButton(id: ActionId): boolean;
  /** What is wrong with a button form's inputs, by field id; empty when it may be submitted. */
  checkButtonInputs(id: ActionId, inputs: ButtonInputs): Readonly<Record<string, string>>;
  /** A click on one of `buttons`, with its form's inputs (none: `{}`). `ref`: the message clicked. */
  button(
    id: ActionId,
    value: string,
    inputs: ButtonInputs,
    ref: MessageRef,
    context: ChatCommandContext,
  ): Promise<void>;
}
