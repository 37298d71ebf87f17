/**
 * The `adaptiveCard/action` invoke Teams sends when someone clicks an Action.Execute button, and
 * the answers it accepts (Universal Actions, "Response format": statusCode, type, value). The
 * bot answers at once and does the work afterwards: Teams shows an error on the card when the
 * invoke is not answered within seconds, and a re-check takes up to minutes.
 */
import { isActionId, type ActionId } from '../action-ids.js';
import { formInputId } from './adaptive-card.js';

export const ADAPTIVE_CARD_ACTION_INVOKE = 'adaptiveCard/action';

export interface CardActionClick {
  readonly verb: ActionId;
  /** `data.value` of the Action.Execute, as renderAdaptiveCard put it there. */
  readonly value: string;
  /** What was typed into the form's inputs, by field id (Teams merges inputs into `data`). */
  readonly inputs: Readonly<Record<string, string>>;
}

/** `activity.value` of the invoke: { action: { type: 'Action.Execute', verb, data }, trigger }. */
export function readCardActionClick(value: unknown): CardActionClick | { readonly problem: string } {
  const action = field(value, 'action');
  if (field(action, 'type') !== 'Action.Execute') return { problem: 'only Action.Execute buttons are handled' };
  const verb = field(action, 'verb');
  if (typeof verb !== 'string' || !isActionId(verb)) return { problem: `unknown button "${String(verb)}"` };
  const data = field(action, 'data');
  const carried = field(data, 'value');
  if (typeof carried !== 'string') return { problem: 'the button carries no value' };
  return { verb, value: carried, inputs: formInputs(verb, data) };
}

/** Inputs named `<verb>:<field>` (formInputId); anything else in `data` is not this button's. */
function formInputs(verb: ActionId, data: unknown): Record<string, string> {
  const inputs: Record<string, string> = {};
  if (typeof data !== 'object' || data === null) return inputs;
  const prefix = formInputId(verb, '');
  for (const [key, text] of Object.entries(data as Record<string, unknown>)) {
    if (key.startsWith(prefix) && typeof text === 'string') inputs[key.slice(prefix.length)] = text;
  }
  return inputs;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * What botbuilder's InvokeResponse carries: the HTTP status, and a body Teams reads. The body
 * type is ours because botbuilder's AdaptiveCardInvokeResponse declares `value` an object, while
 * the message response's value is a string.
 */
export interface CardActionResponse {
  readonly status: number;
  readonly body:
    | { readonly statusCode: 200; readonly type: 'application/vnd.microsoft.activity.message'; readonly value: string }
    | {
        readonly statusCode: 400;
        readonly type: 'application/vnd.microsoft.error';
        readonly value: { readonly code: string; readonly message: string };
      };
}

/** Shown briefly under the card to whoever clicked; the card itself stays as it is. */
export function cardActionMessage(text: string): CardActionResponse {
  return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text } };
}

/** The HTTP status mirrors statusCode, as botbuilder's own onAdaptiveCardInvoke path does (activityHandler.js). */
export function cardActionRefused(message: string): CardActionResponse {
  return {
    status: 400,
    body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } },
  };
}
