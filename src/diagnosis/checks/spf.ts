import type { Check, CheckContext } from '../check.js';
import type { QueryType } from '../dns-port.js';
import type { DnsLookups, QueryOutcome } from '../dns-lookups.js';
import { finding, type Evidence, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';
import { txtRecords } from '../txt-records.js';
import { isSpfRecord, parseSpfRecord, type SpfMechanism, type SpfRecord } from '../spf-record.js';

/** RFC 7208 §4.6.4: at most 10 DNS-querying terms, and at most 2 of their lookups void. */
const MAX_LOOKUPS = 10;
const MAX_VOID_LOOKUPS = 2;
/** Records visited at most: a tree this big is far past the limit already, so stop asking. */
const MAX_RECORDS = 20;

/** One record to fetch: the domain, how it was reached, and what its result means to the top. */
interface Visit {
  readonly domain: string;
  /** How the record was reached, from the checked domain: ['partner.test', 'include:_spf.esp.test']. */
  readonly chain: readonly string[];
  /** Domains above it, lower-cased, to see include loops. */
  readonly ancestors: readonly string[];
  /** Whether this record's `pass` becomes the checked domain's pass (every include on the way is "+"). */
  readonly passesUp: boolean;
  /** The checked domain's record or one it redirects to: where the final `all` belongs. */
  readonly mainLine: boolean;
}

interface VoidProbe {
  readonly term: string;
  readonly domain: string;
  readonly target: string;
  readonly qtype: QueryType;
  readonly outcome: Promise<QueryOutcome>;
}

/** What walking the include/redirect tree found, before it is turned into findings. */
class SpfWalk {
  readonly findings: Finding[] = [];
  readonly breakdown: { domain: string; chain: string; lookups: number; terms: string[] }[] = [];
  readonly probes: VoidProbe[] = [];
  readonly voids: Evidence[] = [];
  readonly macros: Evidence[] = [];
  readonly ptrs: Evidence[] = [];
  readonly loops: string[][] = [];
  readonly ignored: Evidence[] = [];
  private readonly failedQueries = new Set<string>();
  lookups = 0;
  visited = 0;
  truncated = false;
  topRecord: string | undefined;

  /** Adds the dns.* finding for a lookup that settled nothing, once per query. */
  inconclusive(outcome: QueryOutcome, subject: string): boolean {
    const failed = inconclusive(outcome, subject, 'spf');
    if (!failed) return false;
    const query = outcome.ok ? outcome.reply.query : outcome.query;
    const key = `${query.name.toLowerCase()}|${query.type}`;
    if (!this.failedQueries.has(key)) this.findings.push(failed);
    this.failedQueries.add(key);
    return true;
  }
}

/** SPF (RFC 7208): one record, valid syntax everywhere it leads, within the DNS lookup limits. */
export const spfCheck: Check = {
  name: 'spf',
  async run({ domain, dns }: CheckContext): Promise<Finding[]> {
    const walk = new SpfWalk();
    let level: Visit[] = [{ domain, chain: [domain], ancestors: [], passesUp: true, mainLine: true }];
    // Breadth first: each level's records are fetched at once, so the wall time is the depth of
    // the tree in round trips, and the record budget is spent in the same order every run.
    while (level.length > 0) {
      const budget = Math.max(0, MAX_RECORDS - walk.visited);
      if (level.length > budget) walk.truncated = true;
      const current = level.slice(0, budget);
      walk.visited += current.length;
      const fetched = await Promise.all(
        current.map(async (visit) => ({ visit, outcome: await dns.recursive(visit.domain, 'TXT') })),
      );
      level = fetched.flatMap(({ visit, outcome }) => readRecord(walk, dns, visit, outcome));
    }
    const probed = await Promise.all(walk.probes.map(async (probe) => ({ probe, outcome: await probe.outcome })));
    for (const { probe, outcome } of probed) {
      if (walk.inconclusive(outcome, probe.target)) continue;
      if (isVoid(outcome, probe.qtype)) walk.voids.push(voidEvidence(probe, outcome));
    }
    return report(domain, walk);
  },
};

/** Reads one fetched TXT RRset: its findings go into the walk; the records it leads to come back. */
function readRecord(walk: SpfWalk, dns: DnsLookups, visit: Visit, outcome: QueryOutcome): Visit[] {
  const isTop = visit.chain.length === 1;
  if (walk.inconclusive(outcome, visit.domain)) return [];
  // An include or redirect target that does not exist or has no TXT at all is a void lookup of
  // the term that named it (RFC 7208 §4.6.4).
  if (!isTop && isVoid(outcome, 'TXT'))
    walk.voids.push({
      term: visit.chain.at(-1) ?? '',
      domain: visit.chain.at(-2) ?? '',
      target: visit.domain,
      qtype: 'TXT',
      rcode: rcodeOf(outcome),
    });
  const texts = txtRecords(outcome).filter(isSpfRecord);
  const where = { domain: visit.domain, chain: [...visit.chain] };
  if (texts.length === 0) {
    walk.findings.push(isTop ? missing(visit.domain, outcome) : missingTarget(visit, outcome));
    return [];
  }
  if (isTop) walk.topRecord = texts[0];
  if (texts.length > 1) {
    walk.findings.push(
      finding({
        id: 'spf.multiple-records',
        status: 'fail',
        subject: visit.domain,
        summary: `${visit.domain} publishes ${texts.length} SPF records, so receivers stop with a permanent error and SPF fails for every message.`,
        evidence: { ...where, records: texts, count: texts.length },
        remedy:
          'Merge them into one TXT record that starts with "v=spf1" and lists every sender, and delete the others.',
        ref: 'RFC 7208 §4.5',
      }),
    );
    return [];
  }
  const text = texts[0] ?? '';
  const parsed = parseSpfRecord(text);
  if (!parsed.ok) {
    walk.findings.push(
      finding({
        id: 'spf.syntax',
        status: 'fail',
        subject: visit.domain,
        summary: `The SPF record at ${visit.domain}${isTop ? '' : ` (reached by ${visit.chain.slice(1).join(' -> ')})`} has ${parsed.errors.length === 1 ? 'a syntax error' : `${parsed.errors.length} syntax errors`}, so receivers stop with a permanent error: ${parsed.errors[0]?.message ?? ''}.`,
        evidence: { ...where, record: text, errors: parsed.errors.map((e) => ({ term: e.term, message: e.message })) },
        remedy:
          'Correct the terms named in the evidence; each term is separated by one space and must follow the RFC 7208 grammar.',
        ref: 'RFC 7208 §4.6, §12',
      }),
    );
    return [];
  }
  return readTerms(walk, dns, visit, parsed.record);
}

/** Counts the record's DNS-querying terms, starts the void probes, and returns the records it leads to. */
function readTerms(walk: SpfWalk, dns: DnsLookups, visit: Visit, record: SpfRecord): Visit[] {
  // Evaluation stops at the first `all`: later mechanisms are never tested, and redirect is
  // ignored whenever an `all` is present (RFC 7208 §5.1, §6.1). Count only what can run.
  const allIndex = record.mechanisms.findIndex((m) => m.kind === 'all');
  const all = record.mechanisms[allIndex];
  const reachable = allIndex === -1 ? record.mechanisms : record.mechanisms.slice(0, allIndex + 1);
  const redirect = all ? undefined : record.redirect;
  const unreached = [
    ...(allIndex === -1 ? [] : record.mechanisms.slice(allIndex + 1).map((m) => m.term)),
    ...(all && record.redirect ? [record.redirect.term] : []),
  ];
  if (unreached.length > 0) walk.ignored.push({ domain: visit.domain, terms: unreached });

  const next: Visit[] = [];
  const counted: string[] = [];
  const follow = (term: string, target: string, passesUp: boolean, mainLine: boolean): void => {
    const key = target.toLowerCase().replace(/\.$/, '');
    const ancestors = [...visit.ancestors, visit.domain.toLowerCase().replace(/\.$/, '')];
    if (ancestors.includes(key)) walk.loops.push([...visit.chain, term]);
    else next.push({ domain: target.replace(/\.$/, ''), chain: [...visit.chain, term], ancestors, passesUp, mainLine });
  };

  for (const mechanism of reachable) {
    if (mechanism.kind === 'all' || mechanism.kind === 'ip4' || mechanism.kind === 'ip6') continue;
    counted.push(mechanism.term);
    if (mechanism.hasMacro) {
      walk.macros.push({ domain: visit.domain, term: mechanism.term });
      continue;
    }
    if (mechanism.kind === 'ptr') walk.ptrs.push({ domain: visit.domain, term: mechanism.term });
    else if (mechanism.kind === 'include')
      follow(mechanism.term, mechanism.domainSpec, visit.passesUp && mechanism.qualifier === '+', false);
    else walk.probes.push(probe(dns, visit.domain, mechanism));
  }
  if (redirect) {
    counted.push(redirect.term);
    if (redirect.hasMacro) walk.macros.push({ domain: visit.domain, term: redirect.term });
    else follow(redirect.term, redirect.value, visit.passesUp, visit.mainLine);
  }
  walk.lookups += counted.length;
  walk.breakdown.push({
    domain: visit.domain,
    chain: visit.chain.join(' -> '),
    lookups: counted.length,
    terms: counted,
  });

  if (all && all.qualifier === '+' && visit.passesUp) {
    walk.findings.push(
      finding({
        id: 'spf.all-pass',
        status: 'warn',
        subject: visit.domain,
        summary: `The SPF record at ${visit.domain} ends with "${all.term}", so every server on the Internet passes SPF for ${visit.chain[0] ?? visit.domain}.`,
        evidence: { domain: visit.domain, chain: [...visit.chain], record: record.text, term: all.term },
        remedy: 'End the record with "-all" (or "~all" while you check that every sender is listed).',
        ref: 'RFC 7208 §5.1',
      }),
    );
  }
  if (visit.mainLine && !all && !redirect) {
    walk.findings.push(
      finding({
        id: 'spf.no-all',
        status: 'info',
        subject: visit.domain,
        summary: `The SPF record at ${visit.domain} ends with neither "all" nor "redirect=", so unlisted senders get "neutral", which receivers treat as no policy.`,
        evidence: { domain: visit.domain, chain: [...visit.chain], record: record.text },
        remedy: 'End the record with "-all" or "~all" so that unlisted senders fail or soft-fail.',
        ref: 'RFC 7208 §4.7',
      }),
    );
  }
  return next;
}

/** a, mx and exists ask DNS about a name that can be read without macros: see whether it is void. */
function probe(
  dns: DnsLookups,
  domain: string,
  mechanism: Extract<SpfMechanism, { kind: 'a' | 'mx' | 'exists' }>,
): VoidProbe {
  const target = (mechanism.domainSpec ?? domain).replace(/\.$/, '');
  const qtype: QueryType = mechanism.kind === 'mx' ? 'MX' : 'A';
  return { term: mechanism.term, domain, target, qtype, outcome: dns.recursive(target, qtype) };
}

/**
 * Void: NXDOMAIN, or NOERROR with nothing of the asked type (RFC 7208 §4.6.4). A reply holding
 * only a CNAME counts as void too, since the SPF library gets no record from it either.
 */
function isVoid(outcome: QueryOutcome, qtype: QueryType): boolean {
  return outcome.ok && (outcome.reply.rcode === 'NXDOMAIN' || !outcome.reply.answers.some((r) => r.type === qtype));
}

function voidEvidence(probe: VoidProbe, outcome: QueryOutcome): Evidence {
  return { term: probe.term, domain: probe.domain, target: probe.target, qtype: probe.qtype, rcode: rcodeOf(outcome) };
}

function rcodeOf(outcome: QueryOutcome): string {
  return outcome.ok ? outcome.reply.rcode : outcome.error.code;
}

function missing(domain: string, outcome: QueryOutcome): Finding {
  const nx = outcome.ok && outcome.reply.rcode === 'NXDOMAIN';
  return finding({
    id: 'spf.missing',
    status: 'warn',
    subject: domain,
    summary: nx
      ? `${domain} does not exist in DNS (NXDOMAIN), so it has no SPF record.`
      : `${domain} publishes no SPF record, so receivers cannot tell which servers may send its mail and many will score or reject it.`,
    evidence: { domain, rcode: rcodeOf(outcome), txtRecords: txtRecords(outcome) },
    remedy: `Publish one TXT record at ${domain} that starts with "v=spf1" and lists every server that sends its mail, e.g. "v=spf1 mx -all".`,
    ref: 'RFC 7208 §4.5',
  });
}

/** An include or redirect target without an SPF record is a permanent error (RFC 7208 §5.2, §6.1). */
function missingTarget(visit: Visit, outcome: QueryOutcome): Finding {
  const term = visit.chain.at(-1) ?? '';
  const from = visit.chain.at(-2) ?? '';
  const isRedirect = term.toLowerCase().startsWith('redirect=');
  return finding({
    id: 'spf.syntax',
    status: 'fail',
    subject: visit.domain,
    summary: `"${term}" in the SPF record of ${from} names ${visit.domain}, which has no SPF record${outcome.ok && outcome.reply.rcode === 'NXDOMAIN' ? ' (NXDOMAIN)' : ''}, so receivers stop with a permanent error.`,
    evidence: {
      domain: from,
      target: visit.domain,
      term,
      chain: [...visit.chain],
      rcode: rcodeOf(outcome),
      txtRecords: txtRecords(outcome),
    },
    remedy: `Correct or remove "${term}": check the name with the provider whose servers it stands for.`,
    ref: isRedirect ? 'RFC 7208 §6.1' : 'RFC 7208 §5.2',
  });
}

/** Turns what the walk gathered into the tree-wide findings and, when nothing is wrong, spf.ok. */
function report(domain: string, walk: SpfWalk): Finding[] {
  const findings = [...walk.findings];
  const breakdown = walk.breakdown.map((b) => ({ ...b, terms: [...b.terms] }));
  if (walk.lookups > MAX_LOOKUPS || walk.loops.length > 0) {
    const loop = walk.loops[0];
    findings.push(
      finding({
        id: 'spf.too-many-lookups',
        status: 'fail',
        subject: domain,
        summary: loop
          ? `The SPF record of ${domain} includes itself (${loop.join(' -> ')}), so evaluation runs past the limit of ${MAX_LOOKUPS} DNS lookups and ends in a permanent error.`
          : `The SPF record of ${domain} needs ${walk.truncated ? 'more than ' : ''}${walk.lookups} DNS lookups, more than the ${MAX_LOOKUPS} allowed, so receivers stop with a permanent error and SPF fails.`,
        evidence: {
          lookups: walk.lookups,
          limit: MAX_LOOKUPS,
          breakdown,
          loops: walk.loops.map((l) => [...l]),
          truncated: walk.truncated,
          ...(walk.truncated ? { note: `stopped after ${MAX_RECORDS} records; the count is a lower bound` } : {}),
        },
        remedy:
          'Remove includes for services that no longer send, replace a, mx and ptr terms with ip4/ip6 ranges, or move some senders to a subdomain with its own record.',
        ref: 'RFC 7208 §4.6.4',
      }),
    );
  }
  if (walk.voids.length > MAX_VOID_LOOKUPS) {
    findings.push(
      finding({
        id: 'spf.void-lookups',
        status: 'fail',
        subject: domain,
        summary: `${walk.voids.length} terms in the SPF record of ${domain} name domains with no records, more than the ${MAX_VOID_LOOKUPS} void lookups allowed, so receivers may stop with a permanent error.`,
        evidence: { voidLookups: walk.voids.length, limit: MAX_VOID_LOOKUPS, terms: walk.voids },
        remedy: 'Remove the terms that name domains which do not exist or have no records of the type asked.',
        ref: 'RFC 7208 §4.6.4',
      }),
    );
  }
  if (walk.ptrs.length > 0) {
    findings.push(
      finding({
        id: 'spf.ptr',
        status: 'warn',
        subject: domain,
        summary: `The SPF record of ${domain} uses the ptr mechanism, which is slow, unreliable and should not be used; receivers may skip it.`,
        evidence: { terms: walk.ptrs },
        remedy: 'Replace ptr with ip4/ip6 ranges or a: terms for the sending servers.',
        ref: 'RFC 7208 §5.5',
      }),
    );
  }
  if (walk.macros.length > 0) {
    findings.push(
      finding({
        id: 'spf.macros',
        status: 'info',
        subject: domain,
        summary: `${walk.macros.length} term${walk.macros.length === 1 ? '' : 's'} in the SPF record of ${domain} use macros, which depend on each message, so they were counted but not evaluated.`,
        evidence: { terms: walk.macros },
        ref: 'RFC 7208 §7',
      }),
    );
  }
  if (
    walk.topRecord !== undefined &&
    !findings.some((f) => f.status === 'error' || f.status === 'fail' || f.status === 'warn')
  ) {
    findings.push(
      finding({
        id: 'spf.ok',
        status: 'pass',
        subject: domain,
        summary: `SPF record found ("${shorten(walk.topRecord)}"); ${walk.lookups} of ${MAX_LOOKUPS} DNS lookups used.`,
        evidence: {
          record: walk.topRecord,
          lookups: walk.lookups,
          voidLookups: walk.voids.length,
          breakdown,
          ignoredTerms: walk.ignored,
        },
        ref: 'RFC 7208',
      }),
    );
  }
  return findings;
}

function shorten(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
