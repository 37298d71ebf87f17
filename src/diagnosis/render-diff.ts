import { DateTime } from 'luxon';
import { isUnchanged, type FindingChange, type ReportDiff, type SizeChange } from './report-diff.js';

/** One stored run, as the diff's heading names it. */
export interface RunLabel {
  readonly id: number;
  readonly checkedAt: Date;
}

const TREND_WORDS = {
  worse: 'got worse',
  better: 'got better',
  mixed: 'changed, some things for the worse and some for the better',
  same: 'changed, neither for the worse nor the better',
} as const;

/** The differences between two runs for a terminal or a chat thread. */
export function renderDiffText(
  domain: string,
  diff: ReportDiff,
  before: RunLabel,
  after: RunLabel,
  zone = 'UTC',
): string {
  const between = `between ${when(before.checkedAt, zone)} and ${when(after.checkedAt, zone)} (${zone}; checks #${before.id} and #${after.id})`;
  if (isUnchanged(diff)) return `${domain}: nothing changed ${between}.\n`;
  const lines = [`${domain}: ${TREND_WORDS[diff.trend]} ${between}.`];
  // What decides whether mail flows comes first: chat cuts long text at the end.
  if (diff.senders.length > 0)
    lines.push('', 'Senders', ...diff.senders.map((s) => `  ${s.family}: ${s.from} -> ${s.to}`));
  if (diff.sizes.length > 0)
    lines.push(
      '',
      'Answer sizes (where the answer section ends)',
      ...diff.sizes.map((s) => sizeLine(s, before, after, zone)),
    );
  if (diff.records.length > 0) {
    lines.push('', 'Records');
    for (const change of diff.records) {
      lines.push(
        `  ${change.query}`,
        ...change.added.map((r) => `    + ${r}`),
        ...change.removed.map((r) => `    - ${r}`),
      );
    }
  }
  if (diff.appeared.length > 0) lines.push('', 'Appeared or got worse', ...groupLines(diff.appeared));
  if (diff.cleared.length > 0) lines.push('', 'Cleared or got better', ...groupLines(diff.cleared));
  return `${lines.join('\n')}\n`;
}

/** Subjects named per finding before "and N more": one finding per nameserver and query type adds up. */
const SUBJECTS_SHOWN = 3;

/** One entry per finding id and change of status, its subjects listed, the first one's summary. */
function groupLines(changes: readonly FindingChange[]): string[] {
  const groups = new Map<string, FindingChange[]>();
  for (const change of changes) {
    const key = `${change.id} ${change.from} ${change.to}`;
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  return [...groups.values()].flatMap((group) => {
    const [first] = group as [FindingChange, ...FindingChange[]];
    const statuses = `${(first.from ?? 'absent').toUpperCase()} -> ${(first.to ?? 'gone').toUpperCase()}`;
    const more = group.length > SUBJECTS_SHOWN ? `, and ${group.length - SUBJECTS_SHOWN} more` : '';
    return [
      `  ${statuses}  ${first.id}  ${group
        .slice(0, SUBJECTS_SHOWN)
        .map((c) => c.subject)
        .join('; ')}${more}`,
      `      ${first.summary}`,
    ];
  });
}

function sizeLine(change: SizeChange, before: RunLabel, after: RunLabel, zone: string): string {
  const grew = change.to > change.from;
  const crossing = change.crossed.length > 0 ? `, crossing ${change.crossed.join(' and ')}` : '';
  return `  the ${change.query} answer ${grew ? 'grew' : 'shrank'} from ${change.from} to ${change.to} bytes between ${days(before.checkedAt, after.checkedAt, zone)}${crossing}`;
}

function when(date: Date, zone: string): string {
  return DateTime.fromJSDate(date, { zone }).toFormat('d LLL yyyy HH:mm');
}

/** "3 November and 10 November"; the times too when both fall on one day. */
function days(before: Date, after: Date, zone: string): string {
  const [from, to] = [DateTime.fromJSDate(before, { zone }), DateTime.fromJSDate(after, { zone })];
  const format = from.hasSame(to, 'day') ? 'd LLLL HH:mm' : 'd LLLL';
  return `${from.toFormat(format)} and ${to.toFormat(format)}`;
}
