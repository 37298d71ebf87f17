/**
 * Records as DNSSEC needs them: the wire form the adapter kept (owner, type, RDATA), gathered into
 * RRsets and paired with the RRSIGs that cover them. Records without a wire form (built by hand
 * in a test) are left out: they cannot be verified.
 */
import type { DnsRecord } from '../dns-port.js';
import { parseRrsig, type RrsigData } from './rdata.js';
import { RR_TYPE } from './rr-types.js';
import { wireToName } from './wire-name.js';

const CLASS_IN = 1;

export interface WireRecord {
  readonly owner: Uint8Array;
  /** Lower-cased, without the trailing dot: for comparing. */
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  readonly rdata: Uint8Array;
}

export function wireRecords(records: readonly DnsRecord[]): WireRecord[] {
  return records.flatMap((r) =>
    r.wire && r.wire.classCode === CLASS_IN
      ? [
          {
            owner: r.wire.owner,
            name: wireToName(r.wire.owner),
            type: r.wire.typeCode,
            ttl: r.ttl,
            rdata: r.wire.rdata,
          },
        ]
      : [],
  );
}

/** The records of one RRset (RFC 2181 §5): same owner, class and type. */
export function rrsetOf(records: readonly WireRecord[], name: string, type: number): WireRecord[] {
  const wanted = bare(name);
  return records.filter((r) => r.type === type && r.name === wanted);
}

export interface Signature {
  readonly record: WireRecord;
  readonly data: RrsigData;
}

/** The RRSIGs at `name` that cover `type`; an RRSIG whose RDATA does not parse is dropped (it verifies nothing). */
export function signaturesOver(records: readonly WireRecord[], name: string, type: number): Signature[] {
  return rrsetOf(records, name, RR_TYPE.RRSIG as number).flatMap((record) => {
    try {
      const data = parseRrsig(record.rdata);
      return data.typeCovered === type ? [{ record, data }] : [];
    } catch {
      return [];
    }
  });
}

/** Owners of the records of `type`, each once. */
export function ownersOf(records: readonly WireRecord[], type: number): string[] {
  return [...new Set(records.filter((r) => r.type === type).map((r) => r.name))];
}

export function bare(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}
