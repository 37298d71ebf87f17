import type { Card, CardBlock } from '../card.js';

/** A card as terminal text: the console surface shows exactly what Slack and Teams would. */
export function renderCardText(card: Card): string {
  return `${card.blocks.map(renderBlock).filter((b) => b !== '').join('\n')}\n`;
}

function renderBlock(block: CardBlock): string {
  switch (block.kind) {
    case 'header':
      return `== ${block.text} ==`;
    case 'text':
      return block.emphasis === 'subtle' ? `  (${block.text})` : block.emphasis === 'strong' ? block.text.toUpperCase() : indent(block.text);
    case 'facts': {
      const width = Math.max(0, ...block.facts.map((f) => f.label.length));
      return block.facts.map((f) => `  ${f.label.padEnd(width)}  ${f.value}`).join('\n');
    }
    case 'code':
      return block.text
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');
    case 'divider':
      return '  ----';
    case 'actions':
      // The console has no buttons: each one is shown with the command that does the same.
      return ['  buttons:', ...block.actions.map((a) => `    [${a.label}] (type: ${a.typed ?? a.value})`)].join('\n');
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`))
    .join('\n');
}
