/**
 * One card model for every surface (DESIGN.md, "One card model, two renderers"): commands build
 * Cards, and pure renderers turn them into Block Kit, Adaptive Cards or terminal text. Text is
 * plain: each renderer escapes and styles it for its platform.
 */
import type { ActionId } from './action-ids.js';

export interface CardAction {
  readonly id: ActionId;
  readonly label: string;
  /** Opaque to the platform, handed back on click (e.g. the domain to re-check). */
  readonly value: string;
  readonly style?: 'primary' | 'danger';
  /**
   * Asked before the action runs (a snooze's length and reason). Slack opens a modal on click,
   * Teams unfolds the fields under the button (Action.ShowCard); the inputs come back by field id.
   */
  readonly form?: CardForm;
  /** The command to type for the same effect, where there are no buttons (the console). */
  readonly typed?: string;
}

export interface CardForm {
  readonly title: string;
  readonly submitLabel: string;
  readonly fields: readonly CardFormField[];
}

export interface CardFormField {
  /** Stable: the key the input comes back under. */
  readonly id: string;
  readonly label: string;
  readonly placeholder?: string;
  readonly required: boolean;
  readonly multiline?: boolean;
}

export type CardBlock =
  | { readonly kind: 'header'; readonly text: string }
  | { readonly kind: 'text'; readonly text: string; readonly emphasis?: 'strong' | 'subtle' }
  /** A titled paragraph (a problem, a sender's fate): the title stands out, the body reads as plain text under it. */
  | { readonly kind: 'item'; readonly title: string; readonly body: string }
  /** Label/value pairs shown as a compact table. */
  | { readonly kind: 'facts'; readonly facts: readonly { readonly label: string; readonly value: string }[] }
  /** Preformatted text (commands that reproduce a finding). */
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'divider' }
  | { readonly kind: 'actions'; readonly actions: readonly CardAction[] };

export interface Card {
  /** What notifications and screen readers show; also the whole message where blocks are not rendered. */
  readonly summary: string;
  readonly blocks: readonly CardBlock[];
}
