import type { Card, CardBlock } from '../card.js';
import { showTerminalLine, showTerminalText } from './terminal-text.js';

/**
 * A card as terminal text: the console surface shows exactly what Slack and Teams would. Every
 * piece of card text may come from a person or a remote server, so it goes through terminal-text.ts
 * after any styling.
 */
export function renderCardText(card: Card): string {
  return `${card.blocks
    .map(renderBlock)
    .filter((b) => b !== '')
    .join('\n')}\n`;
}

function renderBlock(block: CardBlock): string {
  switch (block.kind) {
    case 'header':
      return `== ${showTerminalLine(block.text)} ==`;
    case 'text':
      return block.emphasis === 'subtle'
        ? `  (${showTerminalText(block.text)})`
        : block.emphasis === 'strong'
          ? // Not upper-cased: a shouted headline is harder to read, and domain names would change case.
            `>> ${showTerminalText(block.text)}`
          : indent(showTerminalText(block.text));
    case 'item':
      return `${indent(showTerminalLine(block.title))}\n${showTerminalText(block.body)
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n')}`;
    case 'facts': {
      const facts = block.facts.map((f) => ({ label: showTerminalLine(f.label), value: showTerminalLine(f.value) }));
      const width = Math.max(0, ...facts.map((f) => f.label.length));
      return facts.map((f) => `  ${f.label.padEnd(width)}  ${f.value}`).join('\n');
    }
    case 'code':
      return showTerminalText(block.text)
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');
    case 'divider':
      return '  ----';
    case 'actions':
      // The console has no buttons: each one is shown with the command that does the same.
      return [
        '  buttons:',
        ...block.actions.map(
          (a) => `    [${showTerminalLine(a.label)}] (type: ${showTerminalLine(a.typed ?? a.value)})`,
        ),
      ].join('\n');
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`))
    .join('\n');
}
