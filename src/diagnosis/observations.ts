import type { QueryOutcome } from './dns-lookups.js';
import type { DnsRecord, QueryType } from './dns-port.js';
import { sameName } from './domain-name.js';

/**
 * What a run saw in DNS, kept with the report so two runs can be compared ("the MX answer grew
 * from 480 to 610 bytes between 3 and 10 November"). Findings say what is wrong; these say what
 * was there, including what was fine.
 */
export interface Observations {
  /** The resolver's answer per "name TYPE", each record as text, sorted; absent when the query settled nothing. */
  readonly records: { readonly [nameAndType: string]: readonly string[] };
  /** Per "TYPE name" asked of the authoritative servers: the largest complete reply seen (DOMAIN.md §1). */
  readonly answerSizes: { readonly [typeAndName: string]: AnswerSize };
}

export interface AnswerSize {
  /** Where the answer section ends: what a 512-byte reader must hold. */
  readonly answerEnd: number;
  /** The whole message. */
  readonly size: number;
}

export const NO_OBSERVATIONS: Observations = Object.freeze({ records: {}, answerSizes: {} });

/** Record types whose answers are worth comparing between runs (the rest are means to an end). */
const KEPT_TYPES: readonly QueryType[] = ['MX', 'TXT', 'A', 'AAAA', 'NS', 'TLSA', 'CNAME'];

/** Reads every query a run made into its observations. */
export function observe(outcomes: readonly QueryOutcome[]): Observations {
  const records: Record<string, string[]> = {};
  const answerSizes: Record<string, AnswerSize> = {};
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    const { reply } = outcome;
    const { query } = reply;
    const name = query.name.toLowerCase().replace(/\.$/, '');
    if (query.recursionDesired !== false) {
      // A SERVFAIL settles nothing; NXDOMAIN and NODATA settle "none".
      if (!KEPT_TYPES.includes(query.type) || !['NOERROR', 'NXDOMAIN'].includes(reply.rcode)) continue;
      const texts = reply.answers
        .filter((r) => sameName(r.name, query.name) && (r.type === query.type || r.type === 'CNAME'))
        .map(recordText);
      records[`${name} ${query.type}`] = [...new Set([...(records[`${name} ${query.type}`] ?? []), ...texts])].sort();
      continue;
    }
    // Only replies delivered whole measure the answer: a truncated one says nothing of its size.
    if (reply.rcode !== 'NOERROR' || reply.flags.tc || !reply.complete || query.edns !== false) continue;
    const key = `${query.type} ${name}`;
    const seen = answerSizes[key];
    if (!seen || reply.answerEnd > seen.answerEnd) answerSizes[key] = { answerEnd: reply.answerEnd, size: reply.size };
  }
  return { records, answerSizes };
}

/** A record as a zone file would show its data. */
export function recordText(record: DnsRecord): string {
  switch (record.type) {
    case 'MX':
      return `${record.preference} ${record.exchange.toLowerCase().replace(/\.$/, '')}`;
    case 'TXT':
      return JSON.stringify(record.strings.join(''));
    case 'TLSA':
      return `${record.usage} ${record.selector} ${record.matchingType} ${record.certificateData}`;
    case 'SOA':
      return `${record.mname} ${record.rname} ${record.serial}`;
    case 'OTHER':
      return record.rrtype;
    case 'CNAME':
      return `CNAME ${record.value.toLowerCase().replace(/\.$/, '')}`;
    default:
      return record.value.toLowerCase().replace(/\.$/, '');
  }
}
