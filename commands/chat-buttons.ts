/**
 * Every button that acts on the store (nags, risk and outage requests), for the surfaces: which
 * ids there are, what their forms' inputs must hold before anything runs, and which handler a
 * click goes to. Slack and Teams reach it through chat-commands.ts: one table instead of one per feature.
 */
import type { Clock } from '../src/clock.js';
import type { ActionId } from '../src/chat/action-ids.js';
import type { ButtonInputs, ChatCommandContext } from '../src/chat/chat-commands.js';
import type { MessageRef } from '../src/chat/conversation.js';
import { OUTAGE_UNAVAILABLE } from './outage.js';
import { checkOutageButtonInputs, handleOutageButton, isOutageButton, OUTAGE_BUTTONS } from './outage-buttons.js';
import type { OutageDeps } from './outage-decisions.js';
import { PATCH_UNAVAILABLE, type PatchDeps } from './patch.js';
import { checkButtonInputs, handlePatchButton, PATCH_BUTTONS } from './patch-buttons.js';

export const CHAT_BUTTONS: readonly ActionId[] = [...PATCH_BUTTONS, ...OUTAGE_BUTTONS];

/** What the buttons run against; a surface started without one says the feature is not available. */
export interface ButtonDeps {
  readonly patch?: PatchDeps;
  readonly outage?: OutageDeps;
}

/** The deps a button needs, if this surface has them. */
export function buttonDepsFor(id: ActionId, deps: ButtonDeps): { readonly clock: Clock } | undefined {
  return isOutageButton(id) ? deps.outage : deps.patch;
}

/** Field id -> what is wrong; empty when the form may be submitted. */
export function checkChatButtonInputs(
  id: ActionId,
  inputs: ButtonInputs,
  now: number,
): Readonly<Record<string, string>> {
  return isOutageButton(id) ? checkOutageButtonInputs(id, inputs, now) : checkButtonInputs(id, inputs, now);
}

export function handleChatButton(
  id: ActionId,
  value: string,
  inputs: ButtonInputs,
  ref: MessageRef,
  context: ChatCommandContext,
  deps: ButtonDeps,
): Promise<void> {
  if (isOutageButton(id))
    return deps.outage
      ? handleOutageButton(id, value, inputs, ref, context, deps.outage)
      : context.conversation.whisper(OUTAGE_UNAVAILABLE);
  return deps.patch
    ? handlePatchButton(id, value, inputs, ref, context, deps.patch)
    : context.conversation.whisper(PATCH_UNAVAILABLE);
}
