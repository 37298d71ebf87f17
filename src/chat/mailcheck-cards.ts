import type { CheckTarget } from '../diagnosis/check-target.js';
import type { DiagnosisProgress, DiagnosisReport } from '../diagnosis/diagnose.js';
import type { Finding, Status } from '../diagnosis/finding.js';
import { headline } from '../diagnosis/headline.js';
import { buildProblems, firstSentence, WHOSE_MOVE_LABEL, type Problem } from '../diagnosis/problems.js';
import { plainSenderList, plainSenderName } from '../diagnosis/sender-names.js';
import { unknownForAReason } from '../diagnosis/verdict-sentence.js';
import type { SenderVerdict } from '../diagnosis/senders.js';
import { ACTION_IDS } from './action-ids.js';
import type { Card, CardBlock } from './card.js';

/** Failing families with the same cause get a row each up to this many, one row together past it. */
const COLLAPSE_FROM = 3;

/** Problems shown in the channel (issue 13: at most 5); the rest, and every piece of evidence, go to the thread. */
const MAX_PROBLEMS_IN_CARD = 5;
const ATTENTION: readonly Status[] = ['fail', 'error', 'warn'];

function who(target: CheckTarget): string {
  return target.recipientGiven ? `${target.domain} (as mail to ${target.recipient})` : target.domain;
}

function problems(findings: readonly Finding[]): Finding[] {
  const order = (f: Finding): number => ATTENTION.indexOf(f.status);
  return findings.filter((f) => ATTENTION.includes(f.status)).sort((a, b) => order(a) - order(b));
}

/** The first message, and its updates while the run goes on: what is checked, how far it got, problems so far. */
export function runningCard(target: CheckTarget, progress?: DiagnosisProgress): Card {
  const steps = progress ? [`checks: ${progress.checksDone} of ${progress.checksTotal} done`] : ['starting'];
  if (progress?.mailServers)
    steps.push(`${progress.mailServers.done} of ${progress.mailServers.total} mail server addresses probed`);
  const found = progress ? problems(progress.findings) : [];
  const blocks: CardBlock[] = [
    { kind: 'header', text: `Checking ${who(target)}` },
    {
      kind: 'text',
      text: `DNS, reply sizes, SMTP and TLS of every mail server, MTA-STS, DANE, SPF, DMARC: ${steps.join(', ')}.`,
      emphasis: 'subtle',
    },
    ...found
      .slice(0, MAX_PROBLEMS_IN_CARD)
      .map((f): CardBlock => ({ kind: 'text', text: `${f.status.toUpperCase()} ${f.id}: ${f.summary}` })),
  ];
  return { summary: `Checking ${target.domain}...`, blocks };
}

/** The final state of the same message: headline, the problems with their fix, the sender matrix, buttons. */
export function reportCard(
  target: CheckTarget,
  report: DiagnosisReport,
  input: string,
  options: { readonly recheckedAt?: Date } = {},
): Card {
  const found = problems(report.findings);
  const grouped = buildProblems(report.findings, report.senders);
  // A null MX is a statement, not a fault: the header says what it means instead of WARN over "every sender fails".
  const nullMx = report.findings.some((f) => f.id === 'mx.null');
  const status = nullMx
    ? 'ACCEPTS NO MAIL'
    : found.some((f) => f.status === 'fail')
      ? 'FAIL'
      : found.length > 0
        ? report.status.toUpperCase()
        : 'OK';
  const verdict = headline(report, grouped);
  const blocks: CardBlock[] = [
    { kind: 'header', text: `${who(target)}: ${status}` },
    { kind: 'text', text: verdict, emphasis: 'strong' },
  ];
  for (const p of grouped.slice(0, MAX_PROBLEMS_IN_CARD)) {
    const stops =
      p.explains.length > COLLAPSE_FROM
        ? `, stops ${p.explains.length} kinds of sender`
        : p.explains.length > 0
          ? `, stops ${plainSenderList(p.explains)}`
          : '';
    blocks.push({
      kind: 'item',
      title: `${p.status.toUpperCase()} ${p.id}: ${WHOSE_MOVE_LABEL[p.whoseMove]}${stops}`,
      body: `${p.summary}${p.fix ? `\nFix: ${shortFix(p.fix)}` : ''}`,
    });
  }
  if (grouped.length > MAX_PROBLEMS_IN_CARD)
    blocks.push({
      kind: 'text',
      text: `${grouped.length - MAX_PROBLEMS_IN_CARD} more problems in the thread.`,
      emphasis: 'subtle',
    });
  blocks.push(
    { kind: 'divider' },
    ...senderMatrix(report, grouped),
    {
      kind: 'text',
      text: `${options.recheckedAt ? `Re-checked at ${utcTime(options.recheckedAt)}, every mail server probed afresh, in` : 'Checked in'} ${(report.durationMs / 1000).toFixed(1)} s with ${report.queriesSent} DNS queries. Evidence and the commands that reproduce it are in the thread.`,
      emphasis: 'subtle',
    },
    {
      kind: 'actions',
      actions: [
        {
          id: ACTION_IDS.mailcheckRecheck,
          label: 'Re-check',
          value: input,
          style: 'primary',
          typed: `recheck ${input}`,
        },
        { id: ACTION_IDS.mailcheckAdminNote, label: 'Note for their admin', value: input, typed: `note ${input}` },
        { id: ACTION_IDS.mailcheckChanges, label: 'What changed', value: input, typed: `changes ${input}` },
      ],
    },
  );
  return { summary: `${target.domain}: ${status}. ${verdict}`, blocks };
}

/** A card that a Re-check replaced: the same answer without buttons, saying where the newer one is. */
export function supersededCard(card: Card, recheckedAt: Date): Card {
  const blocks = card.blocks.filter((b) => b.kind !== 'actions');
  return {
    summary: card.summary,
    blocks: [
      ...blocks,
      {
        kind: 'text',
        text: `Re-checked at ${utcTime(recheckedAt)}: the newer answer is in the next message.`,
        emphasis: 'subtle',
      },
    ],
  };
}

function utcTime(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

/** The fix's first sentence, saying where the rest is when there is more. */
function shortFix(fix: string): string {
  const first = firstSentence(fix);
  return first === fix ? fix : `${first} (more in the thread)`;
}

/**
 * The senders in a few lines: each failing family by name with what it logs; families stopped by
 * the same findings in one line past a few (what each logs is in the thread); every family that
 * delivers in one line; an unknown only where a problem on the card makes it so (the rest of the
 * unknowns stay in the thread's report). Plain names first, the family's id after as a label.
 */
function senderMatrix(report: DiagnosisReport, shown: readonly Problem[]): CardBlock[] {
  const { senders, findings } = report;
  const onCard = new Set(shown.slice(0, MAX_PROBLEMS_IN_CARD).map((p) => p.id));
  const listed = senders.filter(
    (s) => s.verdict === 'fail' || (unknownForAReason(s, findings) && s.because.some((id) => onCard.has(id))),
  );
  const byCause = new Map<string, SenderVerdict[]>();
  for (const s of listed)
    byCause.set(`${s.verdict} ${s.because.join(',')}`, [
      ...(byCause.get(`${s.verdict} ${s.because.join(',')}`) ?? []),
      s,
    ]);
  const rows = [...byCause.values()].flatMap((group): CardBlock[] => {
    const [first] = group;
    if (!first) return [];
    const fate = first.verdict === 'fail' ? 'fails' : 'could not tell';
    if (group.length <= COLLAPSE_FROM)
      return group.map((s) => ({
        kind: 'item',
        title: `${plainSenderName(s.family)} (${s.family})`,
        body: `${fate}: ${s.expected}`,
      }));
    const everyone = group.length === senders.length;
    const who = everyone ? `Every kind of sender (${group.length})` : `${group.length} kinds of sender`;
    const names = everyone ? '' : `${group.map((s) => plainSenderName(s.family)).join('; ')}. `;
    return [
      {
        kind: 'item',
        title: `${who}: ${first.verdict === 'fail' ? 'fail' : 'could not tell'}`,
        body: `${names}What each one logs is in the thread.`,
      },
    ];
  });
  const ok = senders.filter((s) => s.verdict === 'ok').map((s) => plainSenderName(s.family));
  return ok.length > 0
    ? [...rows, { kind: 'item', title: `Deliver (${ok.length} kinds of sender)`, body: ok.join('; ') }]
    : rows;
}
