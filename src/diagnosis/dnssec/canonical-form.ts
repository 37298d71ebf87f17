/**
 * The data an RRSIG signs (RFC 4034 §3.1.8.1): the RRSIG RDATA up to the signature, then every
 * RR of the RRset in canonical form (§6.2: owner lower-cased, the names inside the RDATA of the
 * types §6.2 lists lower-cased, the RRSIG's original TTL), in canonical order (§6.3), duplicates
 * once. A wildcard answer is signed for its wildcard owner (RFC 4035 §5.3.2).
 */
import type { RrsigData } from './rdata.js';
import type { WireRecord } from './wire-records.js';
import { labelsOf, lowerName, readName, wildcardOf } from './wire-name.js';

const CLASS_IN = 1;

/**
 * Where the names sit in the RDATA of the types RFC 4034 §6.2 lower-cases (as amended by RFC 6840
 * §5.1, which takes NSEC out): [offset of the first name, number of names]. Names are uncompressed
 * here: the adapter expanded them.
 */
const NAMES_IN_RDATA: Readonly<Record<number, readonly [number, number]>> = {
  2: [0, 1], // NS
  3: [0, 1], // MD
  4: [0, 1], // MF
  5: [0, 1], // CNAME
  6: [0, 2], // SOA
  7: [0, 1], // MB
  8: [0, 1], // MG
  9: [0, 1], // MR
  12: [0, 1], // PTR
  14: [0, 2], // MINFO
  15: [2, 1], // MX
  17: [0, 2], // RP
  18: [2, 1], // AFSDB
  21: [2, 1], // RT
  26: [2, 2], // PX
  33: [6, 1], // SRV
  36: [2, 1], // KX
  39: [0, 1], // DNAME
};

export function canonicalRdata(type: number, rdata: Uint8Array): Uint8Array {
  const layout = NAMES_IN_RDATA[type];
  if (!layout) return rdata;
  const [start, count] = layout;
  const out = Uint8Array.from(rdata);
  let offset = start;
  for (let i = 0; i < count; i++) {
    const { wire, next } = readName(rdata, offset);
    out.set(lowerName(wire), offset);
    offset = next;
  }
  return out;
}

export function signedData(signature: RrsigData, rrset: readonly WireRecord[]): Buffer {
  const head = Buffer.from(signature.head);
  // The signer's name inside the RRSIG RDATA is canonical (lower case) too.
  head.set(lowerName(signature.signer), 18);
  const rdatas = [
    ...new Map(
      rrset.map((r) => {
        const rdata = Buffer.from(canonicalRdata(r.type, r.rdata));
        return [rdata.toString('hex'), rdata] as const;
      }),
    ).values(),
  ].sort(Buffer.compare);
  const first = rrset[0];
  if (!first) return head;
  const owner = Buffer.from(
    lowerName(
      labelsOf(first.owner).length > signature.labels ? wildcardOf(first.owner, signature.labels) : first.owner,
    ),
  );
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16BE(first.type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(signature.originalTtl, 4);
  return Buffer.concat([
    head,
    ...rdatas.flatMap((rdata) => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(rdata.length);
      return [owner, fixed, length, rdata];
    }),
  ]);
}
