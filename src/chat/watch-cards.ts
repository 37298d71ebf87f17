/** What a watch posts into its channel when a partner's mail setup got worse or was fixed. */
import type { ReportDiff } from '../diagnosis/report-diff.js';
import { renderDiffText, type RunLabel } from '../diagnosis/render-diff.js';
import { ACTION_IDS } from './action-ids.js';
import type { Card } from './card.js';
import { clipHistoryText } from './history-text.js';

const HEADLINES = {
  worse: (domain: string) => `${domain} got worse`,
  better: (domain: string) => `${domain}: fixed`,
  mixed: (domain: string) => `${domain} changed`,
  same: (domain: string) => `${domain}: no change`,
} as const;

export function watchChangeCard(domain: string, diff: ReportDiff, before: RunLabel, after: RunLabel, zone = 'UTC'): Card {
  const headline = HEADLINES[diff.trend](domain);
  const text = renderDiffText(domain, diff, before, after, zone);
  const shown = clipHistoryText(text, domain);
  return {
    summary: `${headline} (watched)`,
    blocks: [
      { kind: 'header', text: headline },
      { kind: 'code', text: shown.trimEnd() },
      { kind: 'actions', actions: [{ id: ACTION_IDS.mailcheckRecheck, label: 'Re-check', value: domain, style: 'primary', typed: `recheck ${domain}` }] },
    ],
  };
}
