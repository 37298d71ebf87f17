/** What a watch posts into its channel when a partner's mail setup got worse or was fixed. */
import type { ReportDiff } from '../diagnosis/report-diff.js';
import { renderDiffText, type RunLabel } from '../diagnosis/render-diff.js';
import { ACTION_IDS } from './action-ids.js';
import type { Card } from './card.js';

/** Slack caps a section at 3,000 characters; the rest is for `mxops history`. */
const MAX_DIFF_CHARS = 2_800;

const HEADLINES = {
  worse: (domain: string) => `${domain} got worse`,
  better: (domain: string) => `${domain}: fixed`,
  mixed: (domain: string) => `${domain} changed`,
  same: (domain: string) => `${domain}: no change`,
} as const;

export function watchChangeCard(domain: string, diff: ReportDiff, before: RunLabel, after: RunLabel, zone = 'UTC'): Card {
  const headline = HEADLINES[diff.trend](domain);
  const text = renderDiffText(domain, diff, before, after, zone);
  const shown = text.length <= MAX_DIFF_CHARS ? text : `${text.slice(0, MAX_DIFF_CHARS).replace(/\n[^\n]*$/, '')}\n… the rest: mxops history ${domain}`;
  return {
    summary: `${headline} (watched)`,
    blocks: [
      { kind: 'header', text: headline },
      { kind: 'code', text: shown.trimEnd() },
      { kind: 'actions', actions: [{ id: ACTION_IDS.mailcheckRecheck, label: 'Re-check', value: domain, style: 'primary', typed: `recheck ${domain}` }] },
    ],
  };
}
