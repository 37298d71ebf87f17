/** One card on the three surfaces the bot posts to, rendered by the production renderers. */
import type { Card } from '../../src/chat/card.js';
import { renderCardText } from '../../src/chat/console/render-card-text.js';
import { renderBlocks, type SlackMessage } from '../../src/chat/slack/render-blocks.js';
import type { AdaptiveCard } from '../../src/chat/teams/adaptive-card.js';
import { renderAdaptiveCard } from '../../src/chat/teams/render-adaptive-card.js';

export interface CardSurfaces {
  readonly slack: SlackMessage;
  readonly teams: AdaptiveCard;
  readonly console: string;
}

export function renderSurfaces(card: Card): CardSurfaces {
  return { slack: renderBlocks(card), teams: renderAdaptiveCard(card), console: renderCardText(card) };
}

/** The golden files of a case, by file name, as text. */
export function surfaceFiles(surfaces: CardSurfaces): Record<'slack.json' | 'teams.json' | 'console.txt', string> {
  return {
    'slack.json': `${JSON.stringify(surfaces.slack, null, 2)}\n`,
    'teams.json': `${JSON.stringify(surfaces.teams, null, 2)}\n`,
    'console.txt': surfaces.console,
  };
}
