/** The cards of `mailcheck bounce`: while it reads and checks, and the answer. */
import type { BounceParse } from '../bounces/parse-bounce.js';
import type { BounceVerdict } from '../bounces/verdict.js';
import type { Finding } from '../diagnosis/finding.js';
import { ACTION_IDS } from './action-ids.js';
import type { Card, CardBlock } from './card.js';

/** Findings shown on the card; every one, with its evidence, is in the thread. */
const MAX_FINDINGS_IN_CARD = 4;

const FAMILY_NAMES: Record<BounceParse['family'], string> = {
  qmail: 'qmail',
  postfix: 'Postfix',
  exim: 'Exim',
  exchange: 'Exchange / Microsoft 365',
  sendmail: 'Sendmail',
  gmail: 'Google',
  unknown: 'Unrecognised',
};

const VERDICTS: Record<BounceVerdict, string> = {
  confirmed: 'confirmed: the checks find it now',
  refuted: 'not found now: the checks do not find it (fixed since, or another cause)',
  unknown: 'not decided: the checks could not tell',
};

export function readingBounceCard(): Card {
  return {
    summary: 'Reading the bounce...',
    blocks: [
      { kind: 'header', text: 'Reading the bounce' },
      {
        kind: 'text',
        text: 'Which mail system wrote it, what failed and why; then checking whether that is still so.',
        emphasis: 'subtle',
      },
    ],
  };
}

export interface BounceCardInput {
  readonly parse: BounceParse;
  readonly hypothesis: { readonly id: string; readonly summary: string; readonly checks: readonly string[] };
  readonly verdict: BounceVerdict;
  readonly findings: readonly Finding[];
  readonly checked: string | undefined;
}

export function bounceCard({ parse, hypothesis, verdict, findings, checked }: BounceCardInput): Card {
  const what = parse.isBounce ? 'bounce' : 'report (not a final failure)';
  const blocks: CardBlock[] = [
    { kind: 'header', text: `${FAMILY_NAMES[parse.family]} ${what}${parse.dsn ? ` ${parse.dsn}` : ''}` },
    {
      kind: 'facts',
      facts: [
        { label: 'From', value: parse.sender ?? 'unknown' },
        { label: 'To', value: parse.recipient ?? 'unknown' },
        { label: 'Failed at', value: parse.step },
        ...(parse.remoteReply ? [{ label: 'Their server said', value: parse.remoteReply }] : []),
        ...(parse.hops.length > 0
          ? [{ label: 'Hops', value: `${parse.hops.length} (in the thread, with the delay at each)` }]
          : []),
      ],
    },
    { kind: 'text', text: `Likely cause (${hypothesis.id}): ${hypothesis.summary}` },
  ];
  if (hypothesis.checks.length > 0) {
    blocks.push({
      kind: 'text',
      text: `Verdict: ${VERDICTS[verdict]}${checked ? ` (checked ${checked})` : ''}.`,
      emphasis: 'strong',
    });
    const shown = verdict === 'refuted' ? findings.filter((f) => f.status !== 'pass' && f.status !== 'info') : findings;
    for (const f of shown.slice(0, MAX_FINDINGS_IN_CARD))
      blocks.push({ kind: 'text', text: `${f.status.toUpperCase()} ${f.id} (${f.subject})\n${f.summary}` });
  }
  const domain = checked ?? parse.recipientDomain;
  if (domain)
    blocks.push({
      kind: 'actions',
      actions: [
        { id: ACTION_IDS.mailcheckRecheck, label: `Check ${domain} fully`, value: domain, typed: `recheck ${domain}` },
      ],
    });
  return { summary: `${FAMILY_NAMES[parse.family]} ${what}: ${hypothesis.id}, ${verdict}`, blocks };
}
