import type { DiagnosisReport } from './diagnose.js';
import { compareStatus, type Finding, type Status } from './finding.js';
import type { Observations } from './observations.js';
import { CLASSIC_UDP_LIMIT } from './size-probe.js';
import { FLAG_DAY_UDP_SIZE } from './dns-lookups.js';
import type { Verdict } from './sender-verdict.js';

/** The part of a report two runs are compared on. */
export type ComparedReport = Pick<DiagnosisReport, 'findings' | 'senders' | 'observations'> & {
  readonly recipient?: string;
};

/** The sizes that break senders when an answer grows past them (DOMAIN.md §1). */
export const SIZE_LIMITS: readonly number[] = [CLASSIC_UDP_LIMIT, FLAG_DAY_UDP_SIZE];

/** Statuses that need someone to act; the rest are not news when they come or go. */
const ATTENTION: readonly Status[] = ['error', 'fail', 'warn'];

export interface RecordChange {
  /** "partner.com MX" */
  readonly query: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface FindingChange {
  readonly id: string;
  readonly subject: string;
  readonly summary: string;
  /** The status before; null when the finding was not there. */
  readonly from: Status | null;
  /** The status after; null when the finding is gone. */
  readonly to: Status | null;
}

export interface SizeChange {
  /** "MX partner.com" */
  readonly query: string;
  /** Where the answer section ended (bytes); a query only one run measured is no change. */
  readonly from: number;
  readonly to: number;
  /** Limits the answer crossed, either way. */
  readonly crossed: readonly number[];
}

export interface SenderChange {
  readonly family: string;
  readonly from: Verdict;
  readonly to: Verdict;
}

/** `worse` or `better` only when one way alone moved; `mixed` when both did. */
export type Trend = 'worse' | 'better' | 'mixed' | 'same';

export interface ReportDiff {
  readonly records: readonly RecordChange[];
  /** Findings that need attention and came, or got worse. */
  readonly appeared: readonly FindingChange[];
  /** Findings that needed attention and went, or got better. */
  readonly cleared: readonly FindingChange[];
  readonly sizes: readonly SizeChange[];
  readonly senders: readonly SenderChange[];
  /**
   * Whether the partner's mail got worse or was fixed: failures and warnings that came or went,
   * senders that started or stopped failing, answers that grew or shrank across a limit. Questions
   * that went unanswered (`error`) are listed but do not move it: a time-out is not news.
   */
  readonly trend: Trend;
}

/** What changed from `before` to `after`, two reports on the same domain. */
export function diffReports(before: ComparedReport, after: ComparedReport): ReportDiff {
  const inScope = sharedScope(before, after);
  const { appeared, cleared } = diffFindings(before.findings.filter(inScope), after.findings.filter(inScope));
  const records = diffRecords(before.observations, after.observations);
  const sizes = diffSizes(before.observations, after.observations);
  const senders = diffSenders(before, after);
  return { records, appeared, cleared, sizes, senders, trend: trendOf(appeared, cleared, sizes, senders) };
}

export function isUnchanged(diff: ReportDiff): boolean {
  return (
    diff.records.length + diff.appeared.length + diff.cleared.length + diff.sizes.length + diff.senders.length === 0
  );
}

/** Findings only the SMTP probes produce (DANE's verdicts need the certificate a server serves). */
const NEEDS_SMTP = /^(?:smtp|tls)\.|^dane\.(?:match|mismatch|no-starttls|skipped)$/;

/**
 * What both runs looked at: a DNS-only run says nothing about the mail servers, and a run that
 * probed RCPT for another address says nothing about this one's acceptance.
 */
function sharedScope(before: ComparedReport, after: ComparedReport): (f: Finding) => boolean {
  const probed = (report: ComparedReport): boolean => report.findings.some((f) => f.id.startsWith('smtp.'));
  const bothProbed = probed(before) && probed(after);
  const sameRecipient = before.recipient === after.recipient;
  return (f) => (bothProbed || !NEEDS_SMTP.test(f.id)) && (sameRecipient || !f.id.startsWith('smtp.rcpt-'));
}

/** A finding's identity across runs: its id and subject, without the address (MX hosts rotate addresses). */
function findingKey(f: Pick<Finding, 'id' | 'subject'>): string {
  return `${f.id}\u0000${f.subject.replace(/\s*\((?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*)\)$/i, '')}`;
}

/** Checks that could not tell in a run (by finding family: dns, mx, smtp and tls together...); `check` means one crashed. */
function unsettledFamilies(findings: readonly Finding[]): Set<string> {
  return new Set(findings.filter((f) => f.status === 'error').map((f) => familyOf(f.id)));
}

function familyOf(id: string): string {
  const family = id.slice(0, id.indexOf('.'));
  return family === 'tls' ? 'smtp' : family;
}

/** A finding may appear more than once per subject (per query type, say); the worst one speaks. */
function worstByKey(findings: readonly Finding[]): Map<string, Finding> {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const seen = byKey.get(findingKey(f));
    if (!seen || compareStatus(f.status, seen.status) < 0) byKey.set(findingKey(f), f);
  }
  return byKey;
}

function diffFindings(before: readonly Finding[], after: readonly Finding[]): Pick<ReportDiff, 'appeared' | 'cleared'> {
  const was = worstByKey(before);
  const now = worstByKey(after);
  const appeared: FindingChange[] = [];
  const cleared: FindingChange[] = [];
  for (const [key, f] of now) {
    const old = was.get(key);
    if (ATTENTION.includes(f.status) && (!old || compareStatus(f.status, old.status) < 0))
      appeared.push(change(f, old?.status ?? null, f.status));
  }
  // A problem that is gone only because the new run could not tell (a time-out) has not cleared.
  const unsettled = unsettledFamilies(after);
  const settled = (old: Finding): boolean => !unsettled.has(familyOf(old.id)) && !unsettled.has('check');
  for (const [key, old] of was) {
    const f = now.get(key);
    const gone = !f || f.status === 'skipped';
    if (!ATTENTION.includes(old.status) || (f && compareStatus(f.status, old.status) <= 0) || (gone && !settled(old)))
      continue;
    cleared.push(change(f ?? old, old.status, f?.status ?? null));
  }
  return { appeared: sortByStatus(appeared, (c) => c.to), cleared: sortByStatus(cleared, (c) => c.from) };
}

function change(f: Finding, from: Status | null, to: Status | null): FindingChange {
  return { id: f.id, subject: f.subject, summary: f.summary, from, to };
}

function sortByStatus(changes: FindingChange[], status: (c: FindingChange) => Status | null): FindingChange[] {
  return changes.sort(
    (a, b) =>
      compareStatus(status(a) ?? 'pass', status(b) ?? 'pass') ||
      a.id.localeCompare(b.id) ||
      a.subject.localeCompare(b.subject),
  );
}

function diffRecords(before: Observations, after: Observations): RecordChange[] {
  const queries = [...new Set([...Object.keys(before.records), ...Object.keys(after.records)])].sort();
  return queries.flatMap((query) => {
    const old = before.records[query];
    const now = after.records[query];
    // A query one run did not make (or could not settle) is no evidence of a change.
    if (old === undefined || now === undefined) return [];
    const added = now.filter((r) => !old.includes(r));
    const removed = old.filter((r) => !now.includes(r));
    return added.length + removed.length === 0 ? [] : [{ query, added, removed }];
  });
}

function diffSizes(before: Observations, after: Observations): SizeChange[] {
  const queries = [...new Set([...Object.keys(before.answerSizes), ...Object.keys(after.answerSizes)])].sort();
  return queries.flatMap((query) => {
    const from = before.answerSizes[query]?.answerEnd;
    const to = after.answerSizes[query]?.answerEnd;
    if (from === undefined || to === undefined || from === to) return [];
    const crossed = SIZE_LIMITS.filter((limit) => Math.min(from, to) <= limit && limit < Math.max(from, to));
    return [{ query, from, to, crossed }];
  });
}

function diffSenders(before: ComparedReport, after: ComparedReport): SenderChange[] {
  const was = new Map(before.senders.map((s) => [s.family, s.verdict]));
  return after.senders.flatMap((s) => {
    const from = was.get(s.family);
    return from !== undefined && from !== s.verdict ? [{ family: s.family, from, to: s.verdict }] : [];
  });
}

function trendOf(
  appeared: readonly FindingChange[],
  cleared: readonly FindingChange[],
  sizes: readonly SizeChange[],
  senders: readonly SenderChange[],
): Trend {
  const news = (status: Status | null): boolean => status === 'fail' || status === 'warn';
  const worse =
    appeared.some((c) => news(c.to)) ||
    senders.some((s) => s.to === 'fail') ||
    sizes.some((s) => s.crossed.length > 0 && s.to > s.from);
  // fail -> unknown is a sender the new run could not judge, not one that was fixed.
  const better =
    cleared.some((c) => news(c.from)) ||
    senders.some((s) => s.from === 'fail' && s.to === 'ok') ||
    sizes.some((s) => s.crossed.length > 0 && s.to < s.from);
  return worse && better ? 'mixed' : worse ? 'worse' : better ? 'better' : 'same';
}
