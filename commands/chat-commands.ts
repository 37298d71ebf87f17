/**
 * The chat commands bound to their deps, as the surfaces call them (src/chat/chat-commands.ts): the
 * composition root builds one per surface and hands it over, so the surfaces never import commands/.
 * A surface started without the store (only tests do that) says so for `patch`, `outage` and their buttons.
 */
import type { ChatCommands } from '../src/chat/chat-commands.js';
import {
  buttonDepsFor,
  CHAT_BUTTONS,
  checkChatButtonInputs,
  handleChatButton,
  type ButtonDeps,
} from './chat-buttons.js';
import { CHAT_HELP } from './chat-help.js';
import { handleMailcheck, handleMailcheckAction, parseMailcheck, type MailcheckDeps } from './mailcheck.js';
import { handleBounce } from './mailcheck-bounce.js';
import { handleOutage, OUTAGE_UNAVAILABLE } from './outage.js';
import { handlePatch, PATCH_UNAVAILABLE } from './patch.js';

export function chatCommands(mailcheck: MailcheckDeps, stores: ButtonDeps = {}): ChatCommands {
  const { patch, outage } = stores;
  return {
    help: CHAT_HELP,
    mailcheck: (text, conversation, place) => handleMailcheck(text, conversation, mailcheck, place),
    asksForBounce: (text) => {
      const request = parseMailcheck(text);
      return request.kind === 'bounce' && request.text.trim() === '';
    },
    bounce: (input, conversation) => handleBounce(input, conversation, mailcheck.bounces),
    mailcheckButton: (id, value, ref, conversation) => handleMailcheckAction(id, value, ref, conversation, mailcheck),
    patch: (text, context) =>
      patch ? handlePatch(text, context, patch) : context.conversation.whisper(PATCH_UNAVAILABLE),
    outage: (text, context) =>
      outage ? handleOutage(text, context, outage) : context.conversation.whisper(OUTAGE_UNAVAILABLE),
    buttons: CHAT_BUTTONS,
    answersButton: (id) => buttonDepsFor(id, stores) !== undefined,
    checkButtonInputs: (id, inputs) => {
      const behind = buttonDepsFor(id, stores);
      return behind ? checkChatButtonInputs(id, inputs, behind.clock.wallMs()) : {};
    },
    button: (id, value, inputs, ref, context) => handleChatButton(id, value, inputs, ref, context, stores),
  };
}
