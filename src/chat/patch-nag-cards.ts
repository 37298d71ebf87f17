/** A nag as a card: the headline, then why, the risk, who is told and what happens next. */
import type { NagMessage } from '../patching/nag-message.js';
import type { Card } from './card.js';

export function nagCard(message: NagMessage): Card {
  return {
    summary: message.headline,
    blocks: [{ kind: 'header', text: message.headline }, ...message.lines.map((text) => ({ kind: 'text' as const, text }))],
  };
}
