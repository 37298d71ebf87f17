/**
 * The buttons on an outage request, for every platform: Approve, Deny (asks why) and Propose
 * another time (asks when, read in the clicker's zone). A vote that does not reach the quorum
 * shows the approvals so far on every copy, buttons still live; a decision replaces every copy
 * with the outcome. Refusals (not an approver, too late) are told to the clicker alone and audited.
 */
import type { ButtonInputs, ChatCommandContext } from '../src/chat/chat-commands.js';
import type { ChatActor } from '../src/chat/chat-place.js';
import { FORM_FIELDS } from '../src/chat/action-forms.js';
import { ACTION_IDS, type ActionId } from '../src/chat/action-ids.js';
import type { MessageRef } from '../src/chat/conversation.js';
import { AppError, isAppError } from '../src/errors.js';
import { parseWhen } from '../src/outages/when.js';
import type { OutageDecision } from './outage-command.js';
import { decideOutage, DEFAULT_ZONE, type OutageDeps } from './outage-decisions.js';
import { askForWindow } from './outage.js';
import { requireIdentity, resolveActor } from './patch-actor.js';
import { parseDuration } from '../src/patching/duration.js';
import { patchById } from '../src/store/inventory-queries.js';
import type { Conversation } from '../src/chat/conversation.js';
import { answerOutage, OUTAGE_OUTCOME_BUTTONS } from './outage-outcome.js';
import { type RefusalRecord, sentence, whisperRefusals } from './refusals.js';

export const OUTAGE_BUTTONS: readonly ActionId[] = [
  ACTION_IDS.outageApprove,
  ACTION_IDS.outageDeny,
  ACTION_IDS.outagePropose,
  ACTION_IDS.patchRequestOutage,
  ...OUTAGE_OUTCOME_BUTTONS,
];

export function isOutageButton(id: ActionId): boolean {
  return OUTAGE_BUTTONS.includes(id);
}

/**
 * What is wrong with the form's inputs, by field id, before anything is stored (Slack shows it on
 * the field). The time is only checked to be a time here: the clicker's zone places it later.
 */
export function checkOutageButtonInputs(
  actionId: ActionId,
  inputs: ButtonInputs,
  now: number,
): Readonly<Record<string, string>> {
  // Patched and Not done ask for nothing.
  if (OUTAGE_OUTCOME_BUTTONS.includes(actionId)) return {};
  if (actionId === ACTION_IDS.patchRequestOutage) return checkWindowInputs(inputs, now);
  const read = readDecision(actionId, 0, inputs);
  if ('errors' in read) return read.errors;
  if (read.decision.vote === 'propose') {
    try {
      parseWhen(read.decision.when, now, 'UTC');
    } catch (error) {
      if (!isAppError(error, 'BAD_INPUT')) throw error;
      return { [FORM_FIELDS.when]: sentence(error.message) };
    }
  }
  return {};
}

function readDecision(
  actionId: ActionId,
  id: number,
  inputs: ButtonInputs,
): { readonly decision: OutageDecision } | { readonly errors: Readonly<Record<string, string>> } {
  const text = (field: string): string => (inputs[field] ?? '').trim();
  switch (actionId) {
    case ACTION_IDS.outageApprove:
      return { decision: { kind: 'decide', id, vote: 'approve' } };
    case ACTION_IDS.outageDeny: {
      const reason = text(FORM_FIELDS.reason);
      return reason === ''
        ? { errors: { [FORM_FIELDS.reason]: 'Say why not: the owner is told.' } }
        : { decision: { kind: 'decide', id, vote: 'deny', reason } };
    }
    case ACTION_IDS.outagePropose: {
      const when = text(FORM_FIELDS.when);
      return when === ''
        ? { errors: { [FORM_FIELDS.when]: 'Say when instead, such as saturday 22:00 or 2026-11-28 22:00.' } }
        : { decision: { kind: 'decide', id, vote: 'propose', when } };
    }
    default:
      throw new AppError('BAD_INPUT', `"${actionId}" is not an outage button`);
  }
}

/** Runs a click on one of OUTAGE_BUTTONS; `ref` is the clicked copy of the card. */
export async function handleOutageButton(
  actionId: ActionId,
  value: string,
  inputs: ButtonInputs,
  ref: MessageRef,
  context: ChatCommandContext,
  deps: OutageDeps,
): Promise<void> {
  const { conversation, actor } = context;
  const refusal: RefusalRecord = { deps, actor, attempted: `click ${actionId}`, target: value };
  await whisperRefusals(
    conversation,
    async () => {
      if (!/^\d{1,12}$/.test(value))
        throw new AppError(
          'BAD_INPUT',
          `this button no longer works (it carries "${value.slice(0, 40)}"): use the outage command instead`,
        );
      if (actionId === ACTION_IDS.patchRequestOutage) {
        await requestWindowForPatch(Number(value), inputs, { actor, conversation }, deps);
        return;
      }
      if (OUTAGE_OUTCOME_BUTTONS.includes(actionId)) {
        await answerOutage(
          actionId === ACTION_IDS.outagePatched ? 'patched' : 'not-done',
          Number(value),
          { actor, conversation, question: ref, refusal },
          deps,
        );
        return;
      }
      const read = readDecision(actionId, Number(value), inputs);
      if ('errors' in read) throw new AppError('BAD_INPUT', Object.values(read.errors).join(' '));
      await decideOutage(read.decision, actor, conversation, deps, { platform: actor.platform, ref });
    },
    refusal,
  );
}

/** The nag's "Request outage window" form: the same checks as the typed command's words. */
function checkWindowInputs(inputs: ButtonInputs, now: number): Readonly<Record<string, string>> {
  const errors: Record<string, string> = {};
  const text = (field: string): string => (inputs[field] ?? '').trim();
  const check = (field: string, read: () => unknown): void => {
    try {
      read();
    } catch (error) {
      if (!isAppError(error, 'BAD_INPUT')) throw error;
      errors[field] = sentence(error.message);
    }
  };
  check(FORM_FIELDS.when, () => parseWhen(text(FORM_FIELDS.when), now, 'UTC'));
  check(FORM_FIELDS.duration, () => parseDuration(text(FORM_FIELDS.duration)));
  if (text(FORM_FIELDS.reason) === '')
    errors[FORM_FIELDS.reason] = 'Say what the window is for: the approvers decide on it.';
  return errors;
}

/** A nag's button asks for a window on the nagged patch's system, as `outage request` would. */
async function requestWindowForPatch(
  patchId: number,
  inputs: ButtonInputs,
  context: { readonly actor: ChatActor; readonly conversation: Conversation },
  deps: OutageDeps,
): Promise<void> {
  const errors = checkWindowInputs(inputs, deps.clock.wallMs());
  if (Object.keys(errors).length > 0) throw new AppError('BAD_INPUT', Object.values(errors).join(' '));
  const patch = await patchById(deps.store.db, patchId);
  if (patch === undefined) throw new AppError('NOT_FOUND', 'this patch is no longer in the inventory');
  const known = await resolveActor(deps.store, context.actor);
  const actor = requireIdentity(known, context.actor);
  const reading = { now: deps.clock.wallMs(), timeZone: known?.person?.timeZone ?? DEFAULT_ZONE };
  const text = (field: string): string => (inputs[field] ?? '').trim();
  await askForWindow(
    {
      kind: 'request',
      system: patch.system,
      when: text(FORM_FIELDS.when),
      durationMs: parseDuration(text(FORM_FIELDS.duration)),
      reason: text(FORM_FIELDS.reason),
    },
    actor,
    context,
    deps,
    reading,
  );
}
