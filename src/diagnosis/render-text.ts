import type { DiagnosisReport } from './diagnose.js';
import type { EvidenceValue, Finding, Status } from './finding.js';
import type { SenderVerdict } from './senders.js';
import { verdictSentence } from './verdict-sentence.js';

const NEEDS_ATTENTION: readonly Status[] = ['error', 'fail', 'warn'];

/** The report for a terminal: verdict, what is wrong with evidence and fix, the sender matrix, timings. */
export function renderReportText(report: DiagnosisReport): string {
  const attention = report.findings.filter((f) => NEEDS_ATTENTION.includes(f.status));
  const rest = report.findings.filter((f) => !NEEDS_ATTENTION.includes(f.status));
  const lines = [verdictLine(report), verdictSentence(report), ''];
  if (attention.length > 0) {
    lines.push('Problems', ...attention.flatMap(renderFinding), '');
  }
  if (rest.length > 0) {
    lines.push('Checked and fine', ...rest.map(oneLine), '');
  }
  lines.push('Senders', ...renderSenders(report.senders), '');
  lines.push(`Timings  ${report.timings.map((t) => `${t.check} ${Math.round(t.durationMs)} ms`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Findings alone, worst first as given, for reports that are not a whole check (a follow-up probe). */
export function renderFindingsText(findings: readonly Finding[]): string {
  return `${findings.flatMap((f) => (NEEDS_ATTENTION.includes(f.status) ? renderFinding(f) : [oneLine(f)])).join('\n')}\n`;
}

/** A finding that needs nothing done: one line. */
function oneLine(f: Finding): string {
  return `  ${tag(f.status)} ${f.id}  ${f.summary}`;
}

function verdictLine(report: DiagnosisReport): string {
  const count = (status: Status): number => report.findings.filter((f) => f.status === status).length;
  const parts = [plural(count('fail'), 'failure'), plural(count('warn'), 'warning'), plural(count('error'), 'unanswered question')].filter(Boolean);
  const failing = report.senders.filter((s) => s.verdict === 'fail').map((s) => s.family);
  const senders = failing.length > 0 ? `; mail from ${failing.join(', ')} will fail` : '';
  const seconds = (report.durationMs / 1000).toFixed(2);
  // A known failure is the news even when some question went unanswered; info and skipped
  // findings need nothing done, so they headline OK as pass does.
  const headline = count('fail') > 0 ? 'FAIL' : NEEDS_ATTENTION.includes(report.status) ? report.status.toUpperCase() : 'OK';
  return `${report.domain}: ${headline}${parts.length > 0 ? ` (${parts.join(', ')})` : ' (all checks passed)'}${senders}  [${seconds} s, ${report.queriesSent} DNS queries]`;
}

function plural(n: number, noun: string): string {
  return n === 0 ? '' : `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function tag(status: Status): string {
  return status.toUpperCase().padEnd(7);
}

function renderFinding(f: Finding): string[] {
  const { dig, ...evidence } = f.evidence;
  const lines = [`  ${tag(f.status)} ${f.id}  ${f.subject}`, `          ${f.summary}`];
  const shown = Object.entries(evidence).map(([key, value]) => `${key}=${formatValue(value)}`);
  if (shown.length > 0) lines.push(`          evidence: ${shown.join(' ')}`);
  if (f.remedy) lines.push(`          fix: ${f.remedy}`);
  for (const command of dig === undefined ? [] : Array.isArray(dig) ? dig : [dig]) {
    lines.push(`          reproduce: ${typeof command === 'string' ? command : JSON.stringify(command)}`);
  }
  if (f.ref) lines.push(`          ref: ${f.ref}`);
  return lines;
}

function formatValue(value: EvidenceValue): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

function renderSenders(senders: readonly SenderVerdict[]): string[] {
  const width = Math.max(...senders.map((s) => s.family.length));
  return senders.map((s) => {
    const head = `  ${s.family.padEnd(width)}  ${s.verdict.toUpperCase().padEnd(7)}`;
    return s.verdict === 'ok' ? head.trimEnd() : `${head}  ${s.expected}${s.because.length > 0 ? `  [${s.because.join(', ')}]` : ''}`;
  });
}
