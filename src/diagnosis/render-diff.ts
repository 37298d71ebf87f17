import { DateTime } from 'luxon';
import type { FindingChange, ReportDiff, SizeChange } from './report-diff.js';

/** One stored run, as the diff's heading names it. */
export interface RunLabel {
  readonly id: number;
  readonly checkedAt: Date;
}

const TREND_WORDS = { worse: 'got worse', better: 'got better', mixed: 'changed, some things for the worse and some for the better', same: 'changed, neither for the worse nor the better' } as const;

/** The differences between two runs for a terminal or a chat thread. */
export function renderDiffText(domain: string, diff: ReportDiff, before: RunLabel, after: RunLabel, zone = 'UTC'): string {
  const between = `between ${when(before.checkedAt, zone)} and ${when(after.checkedAt, zone)} (${zone}; checks #${before.id} and #${after.id})`;
  const changed = diff.records.length + diff.appeared.length + diff.cleared.length + diff.sizes.length + diff.senders.length > 0;
  if (!changed) return `${domain}: nothing changed ${between}.\n`;
  const lines = [`${domain}: ${TREND_WORDS[diff.trend]} ${between}.`];
  if (diff.records.length > 0) {
    lines.push('', 'Records');
    for (const change of diff.records) {
      lines.push(`  ${change.query}`, ...change.added.map((r) => `    + ${r}`), ...change.removed.map((r) => `    - ${r}`));
    }
  }
  if (diff.appeared.length > 0) lines.push('', 'Appeared or got worse', ...diff.appeared.map(findingLine));
  if (diff.cleared.length > 0) lines.push('', 'Cleared or got better', ...diff.cleared.map(findingLine));
  if (diff.sizes.length > 0) lines.push('', 'Answer sizes (where the answer section ends)', ...diff.sizes.map((s) => sizeLine(s, before, after, zone)));
  if (diff.senders.length > 0) lines.push('', 'Senders', ...diff.senders.map((s) => `  ${s.family}: ${s.from} -> ${s.to}`));
  return `${lines.join('\n')}\n`;
}

function findingLine(change: FindingChange): string {
  const statuses = `${(change.from ?? 'absent').toUpperCase()} -> ${(change.to ?? 'gone').toUpperCase()}`;
  return `  ${statuses}  ${change.id}  ${change.subject}\n      ${change.summary}`;
}

function sizeLine(change: SizeChange, before: RunLabel, after: RunLabel, zone: string): string {
  const grew = (change.to ?? 0) > (change.from ?? 0);
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
