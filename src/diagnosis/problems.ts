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
  /** The reason in a few words, for a headline: "MX partner.com ends at byte 1,204, past 512". */
  readonly short: string;
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

/** Whose move, as every surface says it. */
export const WHOSE_MOVE_LABEL: Readonly<Record<WhoseMove, string>> = {
  'their-dns': "their DNS admin's move",
  'their-mail-server': "their mail admin's move",
  'the-sender': "the sender's move",
  ours: 'our move',
};

/** Findings about our side: our resolver, our address, our own limits. Nothing the partner can change. */
const OURS = new Set([
  'resolver.unreachable',
  'resolver.lookup-failed',
  'smtp.blocked-us',
  'smtp.outbound-blocked',
  'smtp.refused-by-policy',
  'dnsbl.refused',
  // Asked through our resolver, about the blocklist's zone: nothing in the partner's DNS.
  'dnsbl.lookup-failed',
  'check.crashed',
  'dns.root-unreachable',
  'dns.query-budget-exhausted',
]);

function unansweredByDeadResolver(group: readonly Finding[], deadResolver: string | undefined): boolean {
  return deadResolver !== undefined && group.every((f) => f.evidence.server === deadResolver);
}

function whoseMove(id: string, group: readonly Finding[], deadResolver: string | undefined): WhoseMove {
  if (OURS.has(id)) return 'ours';
  // A lookup our own resolver refused, or that it could not answer because it is down, says
  // nothing about the partner (lookup-failure.ts, resolver-findings.ts).
  if (group.every((f) => f.evidence.refusedBy === 'our-resolver')) return 'ours';
  if (unansweredByDeadResolver(group, deadResolver)) return 'ours';
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
  const deadResolver = findings.find((f) => f.id === 'resolver.unreachable')?.subject;
  const problems = [...groups.entries()].map(([id, found]): Problem => {
    const group = [...found].sort((a, b) => qtypeRank(a) - qtypeRank(b));
    const worst = worstStatus(group);
    const leading = group.filter((f) => f.status === worst);
    return {
      id,
      status: worst,
      summary: summarize(id, leading, group),
      fix: unansweredByDeadResolver(group, deadResolver)
        ? `Nothing for the partner to do: our resolver ${deadResolver} is down (resolver.unreachable); check again once it answers.`
        : fixOf(group),
      short: shortOf(id, leading, group),
      whoseMove: whoseMove(id, group, deadResolver),
      explains: senders.filter((s) => s.verdict === 'fail' && s.because.includes(id)).map((s) => s.family),
      where: [...new Set(group.map((f) => f.subject))],
      findingCount: group.length,
    };
  });
  return problems.sort((a, b) => b.explains.length - a.explains.length || compareStatus(a.status, b.status));
}

/** The findings a problem groups, MX first as in its summary and fix: for the commands that reproduce it. */
export function findingsOf(problem: Problem, findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.id === problem.id).sort((a, b) => qtypeRank(a) - qtypeRank(b));
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
  /** At the authoritative servers. */
  readonly bytes: number;
  readonly servers: string[];
  /** The same question through our resolver, as dig on an admin's machine shows it; absent when it gave no reply. */
  readonly viaResolver: number | undefined;
}

type SizeField = 'answerEnd' | 'size';

const SIZE_IDS: Readonly<Record<string, { readonly what: string; readonly field: SizeField; readonly limit: number }>> =
  {
    'dns.answer-over-512': {
      what: 'Answers end past the 512 bytes a qmail-family sender reads',
      field: 'answerEnd',
      limit: 512,
    },
    'dns.reply-over-1232': {
      what: 'Replies are over the 1232 bytes resolvers take over UDP',
      field: 'size',
      limit: 1232,
    },
    'dns.truncated': {
      what: 'Asked without EDNS, these replies do not fit in 512 bytes and come back truncated (TC), so a resolver without EDNS must retry over TCP',
      field: 'size',
      limit: 512,
    },
  };

/** "at byte 1,204" (where the answer section ends) or "1,608 bytes" (the whole reply). */
function sizePhrase(field: SizeField, bytes: number): string {
  return field === 'answerEnd' ? `at byte ${bytes.toLocaleString('en')}` : `${bytes.toLocaleString('en')} bytes`;
}

/** Where reply-size.ts puts the resolver's figure for each of its own. */
const VIA_RESOLVER: Readonly<Record<SizeField, string>> = { answerEnd: 'resolverAnswerEnd', size: 'resolverSize' };

/** Places named in a summary before "and N more": the rest are in `where` and the thread. */
const PLACES_NAMED = 3;

/**
 * The fix, once: findings of one id share their remedy but for names and addresses, so the first
 * stands for all; the size problems differ by query type (MX: shorten the set; ANY: answer it
 * minimally), so each type's is kept, MX first.
 */
function fixOf(group: readonly Finding[]): string {
  const perType = new Map<string, string>();
  for (const f of group) {
    const type = String(f.evidence.qtype ?? '');
    if (f.remedy !== '' && !perType.has(type)) perType.set(type, f.remedy);
  }
  return withoutRepeatedSentences([...new Set(perType.values())].slice(0, 2).join(' '));
}

/** Remedies of two query types often end alike ("the sender should apply the patch"): each sentence once. */
function withoutRepeatedSentences(text: string): string {
  const seen = new Set<string>();
  return text
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => {
      // Clauses after ';' repeat too: "Shorten the MX RRset...; the sender should apply the patch."
      const clauses = sentence.split(/;\s+/).filter((clause) => {
        if (clause.trim() === '') return false;
        const key = clause.replace(/[.!?]$/, '').toLowerCase();
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      if (clauses.length === 0) return '';
      const joined = clauses.join('; ');
      return /[.!?]$/.test(joined) ? joined : `${joined}.`;
    })
    .filter((sentence) => sentence !== '')
    .join(' ');
}

function shortOf(id: string, leading: readonly Finding[], group: readonly Finding[]): string {
  const sized = SIZE_IDS[id];
  const [first] = sized ? sizeRows(group, sized.field) : [];
  if (sized && first)
    return sized.field === 'answerEnd'
      ? `${first.query} ends at byte ${first.bytes.toLocaleString('en')}, past ${sized.limit}`
      : `${first.query} is ${sizePhrase(sized.field, first.bytes)}, over ${sized.limit}`;
  const summary = (leading[0] ?? group[0])?.summary ?? '';
  const end = summary.search(/[.:;](\s|$)/);
  const clause = end === -1 ? summary : summary.slice(0, end);
  // It follows a colon in the headline: "The ANY answer" reads "the ANY answer"; names keep their case.
  return /^[A-Z][a-z]+\b/.test(clause) ? `${clause.charAt(0).toLowerCase()}${clause.slice(1)}` : clause;
}

/**
 * One sentence for a group: the size problems get their numbers per query across servers
 * ("MX partner.com ends at byte 1,204 at ns1 and ns2; ANY at 1,351 at ns1"); any other group is
 * its worst finding's summary, with where else it was seen.
 */
function summarize(id: string, leading: readonly Finding[], group: readonly Finding[]): string {
  const sized = SIZE_IDS[id];
  if (sized) {
    const rows = sizeRows(group, sized.field);
    if (rows.length > 0) return `${sized.what}: ${rows.map((row) => sizeRowText(row, sized.field)).join('; ')}.`;
  }
  const first = leading[0] ?? group[0];
  if (!first) return '';
  const others = [...new Set(group.filter((f) => f.subject !== first.subject).map((f) => f.subject))];
  if (others.length === 0) return first.summary;
  const named = others.slice(0, PLACES_NAMED).join(', ');
  return `${first.summary} The same at ${named}${others.length > PLACES_NAMED ? ` and ${others.length - PLACES_NAMED} more` : ''}.`;
}

/** "MX partner.com at byte 1,204 (ns1, ns2; 1,180 through our resolver)": where each figure was measured. */
function sizeRowText(row: SizeRow, field: SizeField): string {
  const resolver =
    row.viaResolver === undefined ? '' : `; ${row.viaResolver.toLocaleString('en')} through our resolver`;
  return `${row.query} ${sizePhrase(field, row.bytes)} (${row.servers.join(', ')}${resolver})`;
}

function sizeRows(group: readonly Finding[], field: SizeField): SizeRow[] {
  const rows = new Map<string, SizeRow>();
  for (const f of group) {
    const { qtype, qname } = f.evidence;
    const bytes = f.evidence[field];
    // Without the numbers for every finding, a table of some would mislead: say it the plain way.
    if (typeof bytes !== 'number' || typeof qtype !== 'string' || typeof qname !== 'string') return [];
    const query = `${qtype} ${qname}`;
    const server = String(f.evidence.server ?? f.subject).replace(/ \(.*\)$/, '');
    const resolverBytes = f.evidence[VIA_RESOLVER[field]];
    const viaResolver = typeof resolverBytes === 'number' ? resolverBytes : undefined;
    const row = rows.get(query);
    if (!row) rows.set(query, { query, bytes, servers: [server], viaResolver });
    else
      rows.set(query, {
        query,
        bytes: Math.max(row.bytes, bytes),
        servers: row.servers.includes(server) ? row.servers : [...row.servers, server],
        viaResolver: row.viaResolver ?? viaResolver,
      });
  }
  return [...rows.values()];
}

/** The first sentence (to a full stop or semicolon), for where only the gist fits: a headline, a card. */
export function firstSentence(text: string): string {
  // "e.g." and "i.e." do not end a sentence.
  const end = text.search(/(?<!\be\.g|\bi\.e)[.;](\s|$)/);
  return end === -1 ? text : `${text.slice(0, end)}.`;
}
