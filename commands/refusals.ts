/**
 * A command refused for a reason the user can fix (bad input, no such system, not theirs to
 * change, already done) is told to them alone, where the platform allows, and changes nothing but
 * the audit log, where it is recorded as refused; anything else is an incident and goes on to the
 * surface's error boundary.
 */
import type { Clock } from '../src/clock.js';
import type { ChatActor } from '../src/chat/chat-place.js';
import type { Conversation } from '../src/chat/conversation.js';
import { type AppError, isAppError, type ErrorCode } from '../src/errors.js';
import { auditRefusal } from '../src/store/audit-refusals.js';
import type { OpenDatabase } from '../src/store/database.js';
import { resolveActor } from './patch-actor.js';

const REFUSALS: readonly ErrorCode[] = ['BAD_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT'];

/** What a refused attempt is recorded as (store/audit-refusals.ts): who tried what on what. */
export interface RefusalRecord {
  readonly deps: { readonly store: OpenDatabase; readonly clock: Clock };
  readonly actor: ChatActor;
  /** `click <action id>` (click outage.approve) or `typed <command>` (typed patch done mail-gw-1). */
  readonly attempted: string;
  /** A button's value or the typed target, as given. */
  readonly target?: string;
  /** Which refusals are recorded; default all. A typed command's typo (NOT_FOUND) is not an attempt worth a record. */
  readonly codes?: readonly ErrorCode[];
}

/**
 * `record`: also audit the refusal. Clicks are, whatever the reason (a click carries values mxops
 * wrote, so a refused one is forged, stale or not the clicker's to make); typed commands when
 * the person may not do what they typed.
 */
export async function whisperRefusals(
  conversation: Conversation,
  work: () => Promise<void>,
  record?: RefusalRecord,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isAppError(error) || !REFUSALS.includes(error.code)) throw error;
    try {
      if (record !== undefined && (record.codes ?? REFUSALS).includes(error.code)) await recordRefusal(record, error);
    } finally {
      // Told even if the record could not be written: that failure goes on to the error boundary.
      await conversation.whisper(sentence(error.message));
    }
  }
}

/** A typed command that changes something, refused because the person may not: on the record as typed. */
export function typedRefusal(deps: RefusalRecord['deps'], actor: ChatActor, text: string): RefusalRecord {
  const typed = text.trim().replace(/\s+/g, ' ');
  return {
    deps,
    actor,
    attempted: `typed ${typed.length > 200 ? `${typed.slice(0, 200)}...` : typed}`,
    codes: ['FORBIDDEN'],
  };
}

async function recordRefusal(record: RefusalRecord, error: AppError): Promise<void> {
  const known = await resolveActor(record.deps.store, record.actor);
  const identity = known?.identity ?? `${record.actor.platform}:unknown`;
  await auditRefusal(record.deps.store, {
    at: record.deps.clock.wallMs(),
    actor: known?.person?.handle ?? identity,
    identity,
    surface: known?.surface ?? record.actor.platform,
    attempted: record.attempted,
    ...(record.target !== undefined ? { target: record.target } : {}),
    code: error.code,
    reason: error.message,
  });
}

/**
 * Store and core messages are clauses ("no system is called ..."); chat shows them as sentences.
 * Only a plain lower-case word is capitalised: "mail-gw-1 has no open patches" keeps its name.
 */
export function sentence(message: string): string {
  const text = /^[a-z]+(?=[\s,:;]|$)/.test(message) ? message.charAt(0).toUpperCase() + message.slice(1) : message;
  return /[.!?:]$/.test(text) ? text : `${text}.`;
}
