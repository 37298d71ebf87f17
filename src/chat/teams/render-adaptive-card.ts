/**
 * Card -> Adaptive Card 1.5, a pure function with golden-JSON tests (DESIGN.md, "One card model,
 * two renderers"). Buttons are Action.Execute so a click reaches the bot as an
 * `adaptiveCard/action` invoke and the card can be replaced in place (Universal Actions,
 * learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model).
 */
import type { Card, CardAction, CardBlock, CardFormField } from '../card.js';
import {
  ADAPTIVE_CARD_SCHEMA,
  ADAPTIVE_CARD_VERSION,
  formInputId,
  type AdaptiveCard,
  type AdaptiveElement,
  type AdaptiveExecuteAction,
  type AdaptiveInputText,
  type AdaptiveShowCardAction,
} from './adaptive-card.js';
import { FORM_INPUT_MAX_CHARS } from '../action-forms.js';
import { fitAdaptiveCard, fitSummary } from './adaptive-card-limits.js';
import { markdownSafe } from './adaptive-card-text.js';

export function renderAdaptiveCard(card: Card): AdaptiveCard {
  const body: AdaptiveElement[] = [];
  let separateNext = false;
  for (const block of card.blocks) {
    if (block.kind === 'divider') {
      // Adaptive Cards have no divider element: the next element draws a line above itself.
      separateNext = body.length > 0;
      continue;
    }
    const [first, ...rest] = renderBlock(block);
    if (!first) continue;
    body.push(separateNext ? { ...first, separator: true } : first, ...rest);
    separateNext = false;
  }
  return fitAdaptiveCard({
    $schema: ADAPTIVE_CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    fallbackText: fitSummary(card.summary),
    body,
    msteams: { width: 'Full' },
  });
}

function renderBlock(block: Exclude<CardBlock, { kind: 'divider' }>): AdaptiveElement[] {
  switch (block.kind) {
    case 'header':
      return [
        {
          type: 'TextBlock',
          text: markdownSafe(block.text),
          wrap: true,
          style: 'heading',
          size: 'Large',
          weight: 'Bolder',
        },
      ];
    case 'text':
      return [
        {
          type: 'TextBlock',
          text: markdownSafe(block.text),
          wrap: true,
          ...(block.emphasis === 'strong' ? { weight: 'Bolder' as const } : {}),
          ...(block.emphasis === 'subtle' ? { isSubtle: true as const } : {}),
        },
      ];
    case 'item':
      return [
        { type: 'TextBlock', text: markdownSafe(block.title), wrap: true, weight: 'Bolder', spacing: 'Medium' },
        { type: 'TextBlock', text: markdownSafe(block.body), wrap: true, spacing: 'None' },
      ];
    case 'facts':
      // An empty FactSet renders as nothing but still counts against the size limit.
      if (block.facts.length === 0) return [];
      return [
        {
          type: 'FactSet',
          facts: block.facts.map((f) => ({ title: markdownSafe(f.label), value: markdownSafe(f.value) })),
        },
      ];
    case 'code':
      return [{ type: 'TextBlock', text: markdownSafe(block.text), wrap: true, fontType: 'Monospace' }];
    case 'actions':
      if (block.actions.length === 0) return [];
      // An ActionSet in the body keeps the buttons where the Card put them.
      return [{ type: 'ActionSet', actions: block.actions.map(renderAction) }];
  }
}

function renderAction(action: CardAction): AdaptiveExecuteAction | AdaptiveShowCardAction {
  const style =
    action.style === 'primary'
      ? { style: 'positive' as const }
      : action.style === 'danger'
        ? { style: 'destructive' as const }
        : {};
  const execute = (title: string): AdaptiveExecuteAction => ({
    type: 'Action.Execute',
    title,
    verb: action.id,
    data: { value: action.value },
    ...style,
  });
  const { form } = action;
  if (!form) return execute(action.label);
  return {
    type: 'Action.ShowCard',
    title: action.label,
    card: {
      type: 'AdaptiveCard',
      body: form.fields.map((field) => renderInput(action.id, field)),
      actions: [execute(form.submitLabel)],
    },
    ...style,
  };
}

function renderInput(verb: string, field: CardFormField): AdaptiveInputText {
  return {
    type: 'Input.Text',
    id: formInputId(verb, field.id),
    label: field.label,
    ...(field.placeholder !== undefined ? { placeholder: field.placeholder } : {}),
    isRequired: field.required,
    ...(field.required ? { errorMessage: `${field.label}: required` } : {}),
    ...(field.multiline ? { isMultiline: true as const } : {}),
    maxLength: FORM_INPUT_MAX_CHARS,
  };
}
