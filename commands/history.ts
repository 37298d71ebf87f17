import { parseCheckTarget } from '../src/diagnosis/check-target.js';
import { diffReports, type ReportDiff } from '../src/diagnosis/report-diff.js';
import { renderDiffText } from '../src/diagnosis/render-diff.js';
import { AppError } from '../src/errors.js';
import { parseInteger } from '../src/config.js';
import { findCheck, listChecks, type StoredCheck } from '../src/store/check-reports.js';
import type { OpenDatabase } from '../src/store/database.js';
import { DateTime } from 'luxon';

export interface HistoryInput {
  /** A domain or an address at it, as typed. */
  readonly domain: string;
  readonly json?: boolean;
  /** How many checks to list, as typed. */
  readonly limit?: string | undefined;
  /** Compare these two stored checks (ids) instead of the latest two. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export interface HistoryDeps {
  readonly store: OpenDatabase;
  /** The zone dates are shown in. */
  readonly zone?: string;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

/** `mxops history <domain>`: the stored checks of a domain, and what changed between two of them. */
export async function runHistoryCommand(input: HistoryInput, deps: HistoryDeps): Promise<string> {
  const { domain } = parseCheckTarget(input.domain);
  const limit = input.limit === undefined ? DEFAULT_LIMIT : parseInteger(input.limit.trim(), 1, MAX_LIMIT, '--limit');
  if ((input.from === undefined) !== (input.to === undefined))
    throw new AppError('BAD_INPUT', '--from and --to go together: give the ids of both checks to compare');
  const checks = await listChecks(deps.store, domain, limit);
  const pair =
    input.from !== undefined && input.to !== undefined
      ? await chosenPair(deps.store, domain, input.from, input.to)
      : latestPair(checks);
  const diff = pair ? diffReports(pair[0].report, pair[1].report) : undefined;
  if (input.json) return `${JSON.stringify(historyJson(domain, checks, pair, diff), null, 2)}\n`;
  if (checks.length === 0)
    return `${domain}: no checks stored yet. Run mxops check ${domain} (or /mailcheck ${domain}) first.\n`;
  const zone = deps.zone ?? 'UTC';
  const lines = [
    `${domain}: ${checks.length === limit ? `the last ${limit}` : checks.length} stored check${checks.length === 1 ? '' : 's'}, newest first (${zone})`,
    ...checks.map((c) => checkLine(c, zone, Math.max(...checks.map((one) => String(one.id).length)))),
    '',
  ];
  lines.push(
    pair && diff
      ? renderDiffText(domain, diff, pair[0], pair[1], zone)
      : 'Only one check so far: nothing to compare it with.\n',
  );
  return lines.join('\n');
}

/** What changed between a domain's latest check and the one before, for the "What changed" button. */
export async function whatChangedText(store: OpenDatabase, domain: string, zone = 'UTC'): Promise<string> {
  const pair = latestPair(await listChecks(store, domain, 2));
  if (!pair) return `${domain}: only one check is stored so far; the next check will say what changed.`;
  return renderDiffText(domain, diffReports(pair[0].report, pair[1].report), pair[0], pair[1], zone);
}

/** Older first. */
function latestPair(newestFirst: readonly StoredCheck[]): [StoredCheck, StoredCheck] | undefined {
  const [newest, before] = newestFirst;
  return newest && before ? [before, newest] : undefined;
}

async function chosenPair(
  store: OpenDatabase,
  domain: string,
  fromText: string,
  toText: string,
): Promise<[StoredCheck, StoredCheck]> {
  const [from, to] = await Promise.all([
    storedOf(store, domain, fromText, '--from'),
    storedOf(store, domain, toText, '--to'),
  ]);
  return [from, to];
}

async function storedOf(store: OpenDatabase, domain: string, text: string, option: string): Promise<StoredCheck> {
  const id = /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : undefined;
  if (id === undefined)
    throw new AppError(
      'BAD_INPUT',
      `${option} "${text}" is not a check id: use a number from the list of mxops history ${domain}`,
    );
  const check = await findCheck(store, id);
  if (!check)
    throw new AppError(
      'BAD_INPUT',
      `${option} ${text}: there is no stored check with that id (mxops history ${domain} lists them)`,
    );
  if (check.domain !== domain)
    throw new AppError('BAD_INPUT', `${option} ${text}: check #${text} is of ${check.domain}, not ${domain}`);
  return check;
}

/** `idWidth`: the longest id's digits, so #9 and #11 line up. */
function checkLine(check: StoredCheck, zone: string, idWidth: number): string {
  const count = (status: string): number => check.report.findings.filter((f) => f.status === status).length;
  const failing = check.report.senders.filter((s) => s.verdict === 'fail').map((s) => s.family);
  const when = DateTime.fromJSDate(check.checkedAt, { zone }).toFormat('yyyy-LL-dd HH:mm');
  const counts = `${count('fail')} fail, ${count('warn')} warn, ${count('error')} error`;
  return `  #${String(check.id).padEnd(idWidth)}  ${when}  ${check.status.toUpperCase().padEnd(7)} ${counts.padEnd(26)} ${check.source.padEnd(6)}${failing.length > 0 ? `  failing senders: ${failing.join(', ')}` : ''}`.trimEnd();
}

function historyJson(
  domain: string,
  checks: readonly StoredCheck[],
  pair: [StoredCheck, StoredCheck] | undefined,
  diff: ReportDiff | undefined,
): object {
  return {
    domain,
    checks: checks.map((c) => ({
      id: c.id,
      checkedAt: c.checkedAt.toISOString(),
      status: c.status,
      source: c.source,
      failingSenders: c.report.senders.filter((s) => s.verdict === 'fail').map((s) => s.family),
    })),
    diff:
      pair && diff
        ? {
            from: { id: pair[0].id, checkedAt: pair[0].checkedAt.toISOString() },
            to: { id: pair[1].id, checkedAt: pair[1].checkedAt.toISOString() },
            ...diff,
          }
        : null,
  };
}
