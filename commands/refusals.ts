/**
 * A command refused for a reason the user can fix (bad input, no such system, not theirs to
 * change, already done) is told to them alone, where the platform allows, and changes nothing;
 * anything else is an incident and goes on to the surface's error boundary.
 */
import type { Conversation } from '../src/chat/conversation.js';
import { isAppError, type ErrorCode } from '../src/errors.js';

const REFUSALS: readonly ErrorCode[] = ['BAD_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT'];

export async function whisperRefusals(conversation: Conversation, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (isAppError(error) && REFUSALS.includes(error.code)) return conversation.whisper(sentence(error.message));
    throw error;
  }
}

/**
 * Store and core messages are clauses ("no system is called ..."); chat shows them as sentences.
 * Only a plain lower-case word is capitalised: "mail-gw-1 has no open patches" keeps its name.
 */
export function sentence(message: string): string {
  const text = /^[a-z]+(?=[\s,:;]|$)/.test(message) ? message.charAt(0).toUpperCase() + message.slice(1) : message;
  return /[.!?:]$/.test(text) ? text : `${text}.`;
}
