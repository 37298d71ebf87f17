import type { DiagnosisReport } from './diagnose.js';
import type { EvidenceValue, Finding, Status } from './finding.js';
import { headline } from './headline.js';
import { buildProblems, findingsOf, WHOSE_MOVE_LABEL, type Problem } from './problems.js';
import { plainSenderName } from './sender-names.js';
import type { SenderVerdict } from './senders.js';

const NEEDS_ATTENTION: readonly Status[] = ['error', 'fail', 'warn'];

/** How many reproducing commands a problem lists in the short report; --verbose has them all. */
const COMMANDS_PER_PROBLEM = 3;

export interface TextOptions {
  /** Every finding with its evidence (the chat thread and `--verbose`), instead of the grouped problems. */
  readonly verbose?: boolean;
}

/**
 * The report for a terminal or a thread. Short form: the verdict and headline first; then one line
 * per check that needs nothing, the senders by name and the timings; then one entry per problem
 * (findings grouped, with the fix and the commands that reproduce it) and the headline again, so
 * the problems and the verdict are what is on screen when the report ends. Verbose (the chat
 * thread, `--verbose`): every finding with its evidence, problems first.
 */
export function renderReportText(report: DiagnosisReport, options: TextOptions = {}): string {
  const problems = buildProblems(report.findings, report.senders);
  const said = headline(report, problems);
  const attention = report.findings.filter((f) => NEEDS_ATTENTION.includes(f.status));
  const rest = report.findings.filter((f) => !NEEDS_ATTENTION.includes(f.status));
  const problemLines =
    attention.length > 0
      ? [
          'Problems',
          ...(options.verbose
            ? attention.flatMap(renderFinding)
            : problems.flatMap((p) => renderProblem(p, report.findings))),
          '',
        ]
      : [];
  const fineLines =
    rest.length > 0
      ? ['Checked, nothing to fix', ...(options.verbose ? rest.map(oneLine) : collapsePerCheck(rest)), '']
      : [];
  const senderLines = ['Senders', ...renderSenders(report.senders), ''];
  const timings = `Timings  ${report.timings.map((t) => `${t.check} ${Math.round(t.durationMs)} ms`).join(', ')}`;
  const lines = [verdictLine(report), said, ''];
  if (options.verbose) lines.push(...problemLines, ...fineLines, ...senderLines, timings);
  else {
    lines.push(...fineLines, ...senderLines, timings);
    if (attention.length > 0)
      lines.push(
        '',
        ...problemLines,
        `Verdict: ${said}`,
        '(mxops check --verbose shows every finding with its evidence)',
      );
  }
  return `${lines.join('\n')}\n`;
}

function renderProblem(p: Problem, findings: readonly Finding[]): string[] {
  const explains = p.explains.length > 0 ? `; stops ${p.explains.join(', ')}` : '';
  const lines = [`  ${tag(p.status)} ${p.id}  (${WHOSE_MOVE_LABEL[p.whoseMove]}${explains})`, `          ${p.summary}`];
  if (p.fix) lines.push(`          fix: ${p.fix}`);
  const commands = [...new Set(findingsOf(p, findings).flatMap((f) => digsOf(f.evidence.dig)))];
  for (const command of commands.slice(0, COMMANDS_PER_PROBLEM)) lines.push(`          reproduce: ${command}`);
  if (commands.length > COMMANDS_PER_PROBLEM)
    lines.push(`          (${commands.length - COMMANDS_PER_PROBLEM} more commands with --verbose)`);
  return lines;
}

function digsOf(dig: EvidenceValue | undefined): string[] {
  if (dig === undefined) return [];
  return (Array.isArray(dig) ? dig : [dig]).map((command) =>
    typeof command === 'string' ? command : JSON.stringify(command),
  );
}

/** "  PASS    smtp  smtp.ok x2, smtp.software x2, tls.negotiated x2": one line per check family. */
function collapsePerCheck(findings: readonly Finding[]): string[] {
  const byFamily = new Map<string, Finding[]>();
  for (const f of findings) {
    const family = f.id.split('.')[0] ?? f.id;
    byFamily.set(family, [...(byFamily.get(family) ?? []), f]);
  }
  return [...byFamily.entries()].map(([family, group]) => {
    if (group.length === 1) return oneLine(group[0] as Finding);
    const counts = new Map<string, number>();
    for (const f of group) counts.set(f.id, (counts.get(f.id) ?? 0) + 1);
    const ids = [...counts].map(([id, n]) => (n > 1 ? `${id} x${n}` : id)).join(', ');
    return `  ${tag(group[0]?.status ?? 'pass')} ${family}  ${ids}`;
  });
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
  const parts = [
    plural(count('fail'), 'failure'),
    plural(count('warn'), 'warning'),
    plural(count('error'), 'unanswered question'),
  ].filter(Boolean);
  const failing = report.senders.filter((s) => s.verdict === 'fail').map((s) => s.family);
  const senders = failing.length > 0 ? `; mail from ${failing.join(', ')} will fail` : '';
  const seconds = (report.durationMs / 1000).toFixed(2);
  // A known failure is the news even when some question went unanswered; info and skipped
  // findings need nothing done, so they headline OK as pass does.
  const headline =
    count('fail') > 0 ? 'FAIL' : NEEDS_ATTENTION.includes(report.status) ? report.status.toUpperCase() : 'OK';
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

/**
 * One line per sender; senders that fail or are undecided for the same reason (often all of them,
 * when one lookup went unanswered) are listed together, in the order the first of them came, with
 * the reason once under them instead of twelve times.
 */
function renderSenders(senders: readonly SenderVerdict[]): string[] {
  const width = Math.max(...senders.map((s) => s.family.length));
  const line = (s: SenderVerdict): string => {
    const name = plainSenderName(s.family);
    return `  ${s.family.padEnd(width)}  ${s.verdict.toUpperCase().padEnd(7)} ${name === s.family ? '' : `(${name})`}`.trimEnd();
  };
  const reason = (s: SenderVerdict): string =>
    `${s.expected}${s.because.length > 0 ? `  [${s.because.join(', ')}]` : ''}`;
  const groups = new Map<string, SenderVerdict[]>();
  for (const s of senders) {
    const key = s.verdict === 'ok' ? `ok:${s.family}` : `${s.verdict}:${reason(s)}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].flatMap((group) => {
    const first = group[0] as SenderVerdict;
    if (first.verdict === 'ok') return [line(first)];
    if (group.length === 1) return [`${line(first)}  ${reason(first)}`];
    return [...group.map(line), `${' '.repeat(width + 4)}these ${group.length}: ${reason(first)}`];
  });
}
