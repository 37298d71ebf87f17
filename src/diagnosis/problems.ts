import { compareStatus, worstStatus, type Finding, type Status } from './finding.js';
import type { SenderVerdict } from './senders.js';

/** Who has to act: the partner's DNS admin, their mail admin, the sending side, or us (mxops's host and resolver). */
export type WhoseMove = 'their-dns' | 'their-mail-server' | 'the-sender' | 'ours';

/**
 * One cause a person reads, above the findings that are its evidence (DESIGN.md, "Problems above
 * findings"): the findings that share an id, grouped across nameservers, query types, MX names
 * and addresses, with the numbers, the fix, whose move it is and the senders it explains.
 */
export interface Problem {
  /** The finding id the problem groups. */
  readonly id: string;
  readonly status: Status;
  /** One sentence with the numbers. */
  readonly summary: string;
  readonly fix: string;
  readonly whoseMove: WhoseMove;
  /** Sender families whose failure this problem explains. */
  readonly explains: readonly string[];
  /** Where it was seen: the findings' subjects, in report order, without repeats. */
  readonly where: readonly string[];
  /** How many findings it groups. */
  readonly findingCount: number;
}

const ATTENTION: readonly Status[] = ['error', 'fail', 'warn'];

/** Findings about our side: our resolver, our address, our own limits. Nothing the partner can change. */
const OURS = new Set([
  'resolver.unreachable',
  'resolver.lookup-failed',
  'smtp.blocked-us',
  'smtp.outbound-blocked',
  'smtp.refused-by-policy',
  'dnsbl.refused',
  'check.crashed',
  'dns.root-unreachable',
  'dns.query-budget-exhausted',
]);

function whoseMove(id: string): WhoseMove {
  if (OURS.has(id)) return 'ours';
  if (/^(smtp|tls|dane)\./.test(id) || id === 'dnsbl.listed') return 'their-mail-server';
  return 'their-dns';
}

/**
 * The problems of a report, those that explain failing senders first (most senders first), then
 * by status. Findings that need nothing done (pass, info, skipped) are not problems.
 */
export function buildProblems(findings: readonly Finding[], senders: readonly SenderVerdict[]): Problem[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!ATTENTION.includes(f.status)) continue;
    groups.set(f.id, [...(groups.get(f.id) ?? []), f]);
  }
  const problems = [...groups.entries()].map(([id, found]): Problem => {
    const group = [...found].sort((a, b) => qtypeRank(a) - qtypeRank(b));
    const worst = worstStatus(group);
    const leading = group.filter((f) => f.status === worst);
    return {
      id,
      status: worst,
      summary: summarize(id, leading, group),
      fix: [...new Set(group.map((f) => f.remedy).filter((remedy) => remedy !== ''))].join(' '),
      whoseMove: whoseMove(id),
      explains: senders.filter((s) => s.verdict === 'fail' && s.because.includes(id)).map((s) => s.family),
      where: [...new Set(group.map((f) => f.subject))],
      findingCount: group.length,
    };
  });
  return problems.sort((a, b) => b.explains.length - a.explains.length || compareStatus(a.status, b.status));
}

/** The MX answer is what every sender needs; ANY only qmail's CNAME check: MX first, in summaries and fixes. */
const QTYPE_ORDER = ['MX', 'A', 'AAAA', 'ANY'];

function qtypeRank(f: Finding): number {
  const rank = QTYPE_ORDER.indexOf(String(f.evidence.qtype));
  return rank === -1 ? QTYPE_ORDER.length : rank;
}

/** The sizes of one query type and name across the servers that were asked it. */
interface SizeRow {
  readonly query: string;
  readonly bytes: number;
  readonly servers: string[];
}

const SIZE_IDS: Readonly<Record<string, { readonly what: string; readonly field: 'answerEnd' | 'size' }>> = {
  'dns.answer-over-512': { what: 'Answers end past the 512 bytes a qmail-family sender reads', field: 'answerEnd' },
  'dns.reply-over-1232': { what: 'Replies are over the 1232 bytes resolvers take over UDP', field: 'size' },
};

/**
 * One sentence for a group: the size problems get their numbers per query across servers
 * ("MX partner.com ends at byte 1,204 at ns1 and ns2; ANY at 1,351 at ns1"); any other group is
 * its worst finding's summary, with where else it was seen.
 */
function summarize(id: string, leading: readonly Finding[], group: readonly Finding[]): string {
  const sized = SIZE_IDS[id];
  if (sized) {
    const rows = sizeRows(group, sized.field);
    if (rows.length > 0) return `${sized.what}: ${rows.map((r) => `${r.query} at byte ${r.bytes.toLocaleString('en')} (${r.servers.join(', ')})`).join('; ')}.`;
  }
  const first = leading[0] ?? group[0];
  if (!first) return '';
  const others = [...new Set(group.filter((f) => f.subject !== first.subject).map((f) => f.subject))];
  return others.length === 0 ? first.summary : `${first.summary} The same at ${others.join(', ')}.`;
}

function sizeRows(group: readonly Finding[], field: 'answerEnd' | 'size'): SizeRow[] {
  const rows = new Map<string, SizeRow>();
  for (const f of group) {
    const { qtype, qname } = f.evidence;
    const bytes = f.evidence[field];
    // Without the numbers for every finding, a table of some would mislead: say it the plain way.
    if (typeof bytes !== 'number' || typeof qtype !== 'string' || typeof qname !== 'string') return [];
    const query = `${qtype} ${qname}`;
    const server = String(f.evidence.server ?? f.subject).replace(/ \(.*\)$/, '');
    const row = rows.get(query);
    if (!row) rows.set(query, { query, bytes, servers: [server] });
    else rows.set(query, { query, bytes: Math.max(row.bytes, bytes), servers: row.servers.includes(server) ? row.servers : [...row.servers, server] });
  }
  return [...rows.values()];
}
