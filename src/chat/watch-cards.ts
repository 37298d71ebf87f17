/** What a watch posts into its channel when a partner's mail setup got worse or was fixed. */
import type { ReportDiff } from '../diagnosis/report-diff.js';
import { renderDiffText, type RunLabel } from '../diagnosis/render-diff.js';
import { ACTION_IDS } from './action-ids.js';
import type { Card } from './card.js';
import { clipHistoryText } from './history-text.js';

// 'same' is never posted (the worker stays quiet), but a card for it must still read sensibly.
const HEADLINES = {
  worse: (domain: string) => `${domain} got worse`,
  better: (domain: string) => `${domain}: fixed`,
  mixed: (domain: string) => `${domain} changed`,
  same: (domain: string) => `${domain}: no change`,
} as const;

/**
 * The diff between the watch's last report and this one, as `mxops history` shows it, clipped to one
 * chat message (the rest is a command away), with a button to check again once someone has acted.
 */
export function watchChangeCard(
  domain: string,
  diff: ReportDiff,
  before: RunLabel,
  after: RunLabel,
  zone = 'UTC',
): Card {
  const headline = HEADLINES[diff.trend](domain);
  const text = clipHistoryText(renderDiffText(domain, diff, before, after, zone), domain);
  return {
    summary: `${headline} (watched)`,
    blocks: [
      { kind: 'header', text: headline },
      { kind: 'code', text: text.trimEnd() },
      {
        kind: 'actions',
        actions: [
          {
            id: ACTION_IDS.mailcheckRecheck,
            label: 'Re-check',
            value: domain,
            style: 'primary',
            typed: `recheck ${domain}`,
          },
        ],
      },
    ],
  };
}
