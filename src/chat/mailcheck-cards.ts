import type { CheckTarget } from '../diagnosis/check-target.js';
import type { DiagnosisProgress, DiagnosisReport } from '../diagnosis/diagnose.js';
import type { Finding, Status } from '../diagnosis/finding.js';
import { verdictSentence } from '../diagnosis/verdict-sentence.js';
import { ACTION_IDS } from './action-ids.js';
import type { Card, CardBlock } from './card.js';

/** Problems shown in the channel; the rest, and every piece of evidence, go to the thread. */
const MAX_PROBLEMS_IN_CARD = 6;
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
  if (progress?.mailServers) steps.push(`${progress.mailServers.done} of ${progress.mailServers.total} mail servers checked`);
  const found = progress ? problems(progress.findings) : [];
  const blocks: CardBlock[] = [
    { kind: 'header', text: `Checking ${who(target)}` },
    { kind: 'text', text: `DNS, reply sizes, SMTP and TLS of every mail server, MTA-STS, DANE, SPF, DMARC: ${steps.join(', ')}.`, emphasis: 'subtle' },
    ...found.slice(0, MAX_PROBLEMS_IN_CARD).map((f): CardBlock => ({ kind: 'text', text: `${f.status.toUpperCase()} ${f.id}: ${f.summary}` })),
  ];
  return { summary: `Checking ${target.domain}...`, blocks };
}

/** The final state of the same message: verdict, the worst problems with their fix, the sender matrix, buttons. */
export function reportCard(target: CheckTarget, report: DiagnosisReport, input: string): Card {
  const found = problems(report.findings);
  const headline = found.some((f) => f.status === 'fail') ? 'FAIL' : found.length > 0 ? report.status.toUpperCase() : 'OK';
  const verdict = verdictSentence(report);
  const blocks: CardBlock[] = [
    { kind: 'header', text: `${who(target)}: ${headline}` },
    { kind: 'text', text: verdict, emphasis: 'strong' },
  ];
  for (const f of found.slice(0, MAX_PROBLEMS_IN_CARD)) {
    blocks.push({ kind: 'text', text: `${f.status.toUpperCase()} ${f.id} (${f.subject})\n${f.summary}${f.remedy ? `\nFix: ${f.remedy}` : ''}` });
  }
  if (found.length > MAX_PROBLEMS_IN_CARD) blocks.push({ kind: 'text', text: `${found.length - MAX_PROBLEMS_IN_CARD} more in the thread.`, emphasis: 'subtle' });
  blocks.push(
    { kind: 'divider' },
    { kind: 'facts', facts: report.senders.map((s) => ({ label: s.family, value: s.verdict === 'ok' ? 'ok' : `${s.verdict}: ${s.expected}` })) },
    { kind: 'text', text: `Checked in ${(report.durationMs / 1000).toFixed(1)} s with ${report.queriesSent} DNS queries. Evidence and the commands that reproduce it are in the thread.`, emphasis: 'subtle' },
    {
      kind: 'actions',
      actions: [
        { id: ACTION_IDS.mailcheckRecheck, label: 'Re-check', value: input, style: 'primary', typed: `recheck ${input}` },
        { id: ACTION_IDS.mailcheckAdminNote, label: 'Note for their admin', value: input, typed: `note ${input}` },
        { id: ACTION_IDS.mailcheckChanges, label: 'What changed', value: input, typed: `changes ${input}` },
      ],
    },
  );
  return { summary: `${target.domain}: ${headline}. ${verdict}`, blocks };
}
