import type { Card, CardBlock } from '../card.js';
import { showTerminalLine, showTerminalText } from './terminal-text.js';

/**
 * A card as terminal text: the console surface shows exactly what Slack and Teams would. Every
 * piece of card text may come from a person or a remote server, so it goes through terminal-text.ts
 * after any styling (upper-casing `\u202e` would write `\U202E`).
 */
export function renderCardText(card: Card): string {
  return `${card.blocks.map(renderBlock).filter((b) => b !== '').join('\n')}\n`;
}

function renderBlock(block: CardBlock): string {
  switch (block.kind) {
    case 'header':
      return `== ${showTerminalLine(block.text)} ==`;
    case 'text':
      return block.emphasis === 'subtle'
        ? `  (${showTerminalText(block.text)})`
        : block.emphasis === 'strong'
          ? showTerminalText(block.text.toUpperCase())
          : indent(showTerminalText(block.text));
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
      return ['  buttons:', ...block.actions.map((a) => `    [${showTerminalLine(a.label)}] (type: ${showTerminalLine(a.typed ?? a.value)})`)].join('\n');
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`))
    .join('\n');
}
