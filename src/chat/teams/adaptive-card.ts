/**
 * The slice of the Adaptive Card 1.5 schema mxops emits (adaptivecards.io/explorer). Typed here so
 * the renderer, the size limiter and the tests agree on one shape; botbuilder only sees `object`.
 */
import type { ActionId } from '../action-ids.js';

export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Action.Execute (Universal Actions) needs 1.4; 1.5 adds `style: heading`. */
export const ADAPTIVE_CARD_VERSION = '1.5';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

interface Separable {
  /** A line above the element: how a Card divider shows. */
  readonly separator?: true;
}

export interface AdaptiveTextBlock extends Separable {
  readonly type: 'TextBlock';
  /** Set on the note the size limiter adds, so a second pass recognises it. */
  readonly id?: string;
  readonly text: string;
  readonly wrap: true;
  readonly style?: 'heading';
  readonly size?: 'Large';
  readonly weight?: 'Bolder';
  readonly isSubtle?: true;
  readonly fontType?: 'Monospace';
  /** Space above: an item's body sits right under its title, the next item a little apart. */
  readonly spacing?: 'None' | 'Medium';
}

export interface AdaptiveFactSet extends Separable {
  readonly type: 'FactSet';
  readonly facts: readonly { readonly title: string; readonly value: string }[];
}

export interface AdaptiveExecuteAction {
  readonly type: 'Action.Execute';
  readonly title: string;
  /** The action id (ACTION_IDS): what the bot receives as `value.action.verb` on click. */
  readonly verb: ActionId;
  readonly data: { readonly value: string };
  readonly style?: 'positive' | 'destructive';
}

/** A form field; 1.3 gave inputs their own label and required-ness, checked by the client before sending. */
export interface AdaptiveInputText {
  readonly type: 'Input.Text';
  /** `<verb>:<field id>`: ids must be unique in a card, and a nag card asks for two reasons. */
  readonly id: string;
  readonly label: string;
  readonly placeholder?: string;
  readonly isRequired: boolean;
  readonly errorMessage?: string;
  readonly isMultiline?: true;
  readonly maxLength: number;
}

/**
 * A button that unfolds a card under itself: here, the inputs of a form and the Action.Execute
 * that sends them (it gathers the inputs of its own card and of the cards it is nested in).
 */
export interface AdaptiveShowCardAction {
  readonly type: 'Action.ShowCard';
  readonly title: string;
  readonly card: {
    readonly type: 'AdaptiveCard';
    readonly body: readonly AdaptiveInputText[];
    readonly actions: readonly [AdaptiveExecuteAction];
  };
  readonly style?: 'positive' | 'destructive';
}

export interface AdaptiveActionSet extends Separable {
  readonly type: 'ActionSet';
  readonly actions: readonly (AdaptiveExecuteAction | AdaptiveShowCardAction)[];
}

export type AdaptiveElement = AdaptiveTextBlock | AdaptiveFactSet | AdaptiveActionSet;

/** The id of a form field's input; the invoke's `data` carries the input under it. */
export function formInputId(verb: string, field: string): string {
  return `${verb}:${field}`;
}

export interface AdaptiveCard {
  readonly $schema: typeof ADAPTIVE_CARD_SCHEMA;
  readonly type: 'AdaptiveCard';
  readonly version: typeof ADAPTIVE_CARD_VERSION;
  /** Shown by hosts that cannot render the card, and in notifications. */
  readonly fallbackText: string;
  readonly body: readonly AdaptiveElement[];
  /** Teams draws cards narrow by default; the sender matrix and evidence need the width. */
  readonly msteams: { readonly width: 'Full' };
}
