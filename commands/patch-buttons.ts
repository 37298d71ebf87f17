/**
 * The buttons on nags and risk acceptance requests, for every platform: Acknowledge, Snooze, Mark
 * patched and Accept risk act on the patch whose id the button carries and say so in the clicked
 * message's thread (the patch's history); Approve and Reject decide a request and replace its card
 * in place, so no live buttons remain on a decided request. Refusals (not yours to decide, already
 * decided, bad input) are told to the clicker alone and change nothing.
 */
import type { ButtonInputs, ChatCommandContext } from '../src/chat/chat-commands.js';
import { FORM_FIELDS } from '../src/chat/action-forms.js';
import { ACTION_IDS, type ActionId } from '../src/chat/action-ids.js';
import type { Card } from '../src/chat/card.js';
import type { MessageRef } from '../src/chat/conversation.js';
import { readNagButtonValue } from '../src/chat/patch-nag-cards.js';
import { describeAckSequel, describeTime, type Reading } from '../src/chat/patch-text.js';
import { AppError, isAppError } from '../src/errors.js';
import { describeDuration, parseDuration } from '../src/patching/duration.js';
import { parseInstant } from '../src/patching/inventory-fields.js';
import type { PatchAction, PatchActionResult } from '../src/patching/patch-action.js';
import { MAX_RISK_ACCEPTANCE_MS } from '../src/patching/risk-acceptance.js';
import type { StoredPatch } from '../src/patching/stored-patch.js';
import { patchById } from '../src/store/inventory-queries.js';
import { applyPatchAction } from '../src/store/patch-actions.js';
import type { PatchDeps } from './patch.js';
import { actorName, requireIdentity, resolveActor, type KnownActor } from './patch-actor.js';
import type { AcceptRiskRequest } from './patch-request.js';
import { decideRisk, requestRisk } from './patch-risk.js';
import { sentence, whisperRefusals } from './refusals.js';

export const PATCH_BUTTONS: readonly ActionId[] = [
  ACTION_IDS.patchAck,
  ACTION_IDS.patchSnooze,
  ACTION_IDS.patchDone,
  ACTION_IDS.patchAcceptRisk,
  ACTION_IDS.riskApprove,
  ACTION_IDS.riskReject,
];

export function isPatchButton(id: ActionId): boolean {
  return PATCH_BUTTONS.includes(id);
}

/** Times are shown in this zone to people the inventory does not know (as for typed commands). */
const DEFAULT_ZONE = 'UTC';

type ButtonRequest =
  | { readonly kind: 'act'; readonly action: PatchAction }
  | {
      readonly kind: 'accept-risk';
      readonly reason: string;
      readonly controls: readonly string[];
      readonly until: AcceptRiskRequest['until'];
    }
  | { readonly kind: 'decide'; readonly decision: 'approve' | 'reject'; readonly comment?: string };

type ReadInputs = { readonly request: ButtonRequest } | { readonly errors: Readonly<Record<string, string>> };

/**
 * The form's inputs read and checked before anything is stored, so a surface that can show
 * errors on the fields (Slack's response_action "errors") does: field id -> what is wrong.
 */
export function checkButtonInputs(
  actionId: ActionId,
  inputs: ButtonInputs,
  now: number,
): Readonly<Record<string, string>> {
  const read = readInputs(actionId, inputs, now);
  return 'errors' in read ? read.errors : {};
}

function readInputs(actionId: ActionId, inputs: ButtonInputs, now: number): ReadInputs {
  const errors: Record<string, string> = {};
  const text = (field: string): string => (inputs[field] ?? '').trim();
  const needed = (field: string, message: string): string => {
    const value = text(field);
    if (value === '') errors[field] = message;
    return value;
  };
  const parsed = <T>(field: string, parse: (value: string) => T): T | undefined => {
    try {
      return parse(text(field));
    } catch (error) {
      if (!isAppError(error, 'BAD_INPUT')) throw error;
      errors[field] = sentence(error.message);
      return undefined;
    }
  };
  let request: ButtonRequest;
  switch (actionId) {
    case ACTION_IDS.patchAck:
    case ACTION_IDS.patchDone:
      request = { kind: 'act', action: { kind: actionId === ACTION_IDS.patchAck ? 'ack' : 'done' } };
      break;
    case ACTION_IDS.patchSnooze: {
      const reason = needed(FORM_FIELDS.reason, 'Say why it can wait.');
      const durationMs =
        needed(FORM_FIELDS.duration, 'Say for how long, such as 3d, 36h or 1w.') === ''
          ? undefined
          : parsed(FORM_FIELDS.duration, parseDuration);
      request = { kind: 'act', action: { kind: 'snooze', durationMs: durationMs ?? 0, reason } };
      break;
    }
    case ACTION_IDS.patchAcceptRisk: {
      const reason = needed(FORM_FIELDS.reason, 'Say why the patch cannot be applied.');
      const until =
        needed(FORM_FIELDS.until, 'Say until when: a date such as 2027-03-31 or a duration such as 90d.') === ''
          ? undefined
          : parsed(FORM_FIELDS.until, readUntil);
      if (until !== undefined) {
        const expiresAt = 'at' in until ? until.at : now + until.afterMs;
        if (expiresAt <= now) errors[FORM_FIELDS.until] = 'A risk acceptance must expire in the future.';
        else if (expiresAt - now > MAX_RISK_ACCEPTANCE_MS)
          errors[FORM_FIELDS.until] = 'A risk acceptance may last at most a year; renew it when it expires.';
      }
      const controls = text(FORM_FIELDS.controls)
        .split(';')
        .map((control) => control.trim())
        .filter(Boolean);
      request = { kind: 'accept-risk', reason, controls, until: until ?? { afterMs: 0 } };
      break;
    }
    case ACTION_IDS.riskApprove:
      request = { kind: 'decide', decision: 'approve' };
      break;
    case ACTION_IDS.riskReject:
      request = {
        kind: 'decide',
        decision: 'reject',
        comment: needed(FORM_FIELDS.reason, 'Say why the risk cannot be accepted.'),
      };
      break;
    default:
      throw new AppError('BAD_INPUT', `"${actionId}" is not a patch button`);
  }
  return Object.keys(errors).length > 0 ? { errors } : { request };
}

function readUntil(text: string): AcceptRiskRequest['until'] {
  return /^\d{4}-/.test(text) ? { at: parseInstant(text) } : { afterMs: parseDuration(text) };
}

/** The id a button carries: a patch id or a risk acceptance id, and on Acknowledge the nag's step. */
function recordId(value: string): { readonly id: number; readonly step?: number } {
  const read = readNagButtonValue(value);
  if (read === undefined)
    throw new AppError(
      'BAD_INPUT',
      `this button no longer works (it carries "${value.slice(0, 40)}"): use the patch command instead`,
    );
  return read.step === undefined ? { id: read.patchId } : { id: read.patchId, step: read.step };
}

/** An Acknowledge answers the nag it was clicked on (nags posted before they said which: the latest). */
function onNag(action: PatchAction, step: number | undefined): PatchAction {
  return action.kind === 'ack' && step !== undefined ? { ...action, nag: step } : action;
}

/**
 * Runs a click on one of PATCH_BUTTONS. `ref` is the clicked message; `inputs` what its form
 * asked (nothing for buttons without one).
 */
export async function handlePatchButton(
  actionId: ActionId,
  value: string,
  inputs: ButtonInputs,
  ref: MessageRef,
  context: ChatCommandContext,
  deps: PatchDeps,
): Promise<void> {
  const { conversation } = context;
  await whisperRefusals(
    conversation,
    async () => {
      const now = deps.clock.wallMs();
      const read = readInputs(actionId, inputs, now);
      if ('errors' in read) throw new AppError('BAD_INPUT', Object.values(read.errors).join(' '));
      const { id, step } = recordId(value);
      const actor = requireIdentity(await resolveActor(deps.store, context.actor), context.actor);
      const reading: Reading = { now, timeZone: actor.person?.timeZone ?? DEFAULT_ZONE };
      const thread = context.thread ?? ref;
      const { request } = read;
      switch (request.kind) {
        case 'act': {
          const patch = await openPatch(deps, id);
          const result = await applyPatchAction(deps.store, {
            system: patch.system,
            patch: patch.key,
            action: onNag(request.action, step),
            actor: actor.person,
            actorIdentity: actor.identity,
            surface: actor.surface,
            now,
          });
          await conversation.postInThread(thread, confirmationCard(request.action, result, actorName(actor), reading));
          return;
        }
        case 'accept-risk': {
          const patch = await openPatch(deps, id);
          const cards = await requestRisk(
            {
              kind: 'accept-risk',
              system: patch.system,
              patch: patch.key,
              reason: request.reason,
              controls: request.controls,
              until: request.until,
            },
            actor,
            deps,
            reading,
          );
          for (const card of cards) await conversation.postInThread(thread, card);
          return;
        }
        case 'decide': {
          const decided = await decideRisk(
            { id, decision: request.decision, ...(request.comment !== undefined ? { comment: request.comment } : {}) },
            actor,
            deps,
            reading,
          );
          await conversation.update(ref, decided);
          await conversation.postInThread(thread, decisionNote(decided, actor));
          return;
        }
      }
    },
    { deps, actor: context.actor, attempted: `click ${actionId}`, target: value },
  );
}

async function openPatch(deps: PatchDeps, id: number): Promise<StoredPatch> {
  const patch = await patchById(deps.store.db, id);
  if (patch === undefined) throw new AppError('NOT_FOUND', 'this patch is no longer in the inventory');
  if (patch.status !== 'open')
    throw new AppError(
      'CONFLICT',
      `${patch.key} on ${patch.system} was already marked patched${patch.doneBy !== undefined ? ` by ${patch.doneBy}` : ''}`,
    );
  return patch;
}

/** Who did what, and until when in the clicker's zone: one line in the patch's thread. */
export function confirmationCard(
  action: PatchAction,
  result: PatchActionResult,
  actor: string,
  reading: Reading,
): Card {
  const [patch] = result.patches;
  const what = `${patch?.key ?? 'the patch'} on ${result.system.name}`;
  const holdUntil = patch?.escalation.holdUntil;
  const until = holdUntil !== null && holdUntil !== undefined ? describeTime(holdUntil, reading) : undefined;
  const text =
    action.kind === 'ack'
      ? `${actor} acknowledged ${what}: no nags until ${until ?? 'further notice'}. ${describeAckSequel(patch?.escalation, reading)}`
      : action.kind === 'snooze'
        ? `${actor} snoozed ${what} for ${describeDuration(action.durationMs)}, until ${until ?? 'further notice'} (snooze ${patch?.escalation.snoozes ?? 1}): ${action.reason}`
        : `${actor} marked ${what} as patched. Nobody will be nagged about it any more.`;
  return { summary: text, blocks: [{ kind: 'text', text }] };
}

function decisionNote(decided: Card, actor: KnownActor): Card {
  const text = `${decided.summary} (decided by ${actorName(actor)}).`;
  return { summary: text, blocks: [{ kind: 'text', text }] };
}
