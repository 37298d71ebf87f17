/**
 * Authenticated denial of existence: what the NSEC (RFC 4035 §5.4) or NSEC3 (RFC 5155 §8) records
 * of an answer prove. Callers pass only NSEC/NSEC3 records whose signatures verified.
 * Proves: no DS at a delegation (and so an insecure child, RFC 4035 §5.2; or an opt-out span,
 * RFC 5155 §6), no RRset of a type at a name (NODATA, also where a wildcard stands in for the
 * name), no name at all (NXDOMAIN), and, for an answer synthesised from a wildcard, that the name
 * itself does not exist so no closer match could have answered (RFC 4035 §5.3.4, RFC 5155 §8.8).
 */
import { base32hex, fromBase32hex, MAX_NSEC3_ITERATIONS, nsec3Hash } from './nsec3-hash.js';
import { parseNsec, parseNsec3, type Nsec3Data, type NsecData } from './rdata.js';
import { RR_TYPE } from './rr-types.js';
import type { WireRecord } from './wire-records.js';
import { ancestor, compareNames, isAtOrBelow, labelsOf, sameWireName, wildcardOf, wireToName } from './wire-name.js';

export type Denial =
  | {
      readonly proven: true;
      readonly by: 'nsec' | 'nsec3' | 'nsec3-opt-out' | 'nsec3-iterations';
      readonly records: readonly string[];
    }
  | { readonly proven: false; readonly why: string };

const T = RR_TYPE as Readonly<Record<'DS' | 'NS' | 'SOA' | 'CNAME' | 'NSEC' | 'NSEC3', number>>;

interface Nsec {
  readonly owner: Uint8Array;
  readonly data: NsecData;
}
interface Nsec3 {
  readonly owner: Uint8Array;
  readonly hash: Uint8Array;
  readonly data: Nsec3Data;
}

function nsecs(records: readonly WireRecord[]): Nsec[] {
  return records.flatMap((r) => {
    if (r.type !== T.NSEC) return [];
    try {
      return [{ owner: r.owner, data: parseNsec(r.rdata) }];
    } catch {
      return [];
    }
  });
}

function nsec3s(records: readonly WireRecord[], zone: Uint8Array): Nsec3[] {
  return records.flatMap((r) => {
    if (r.type !== T.NSEC3 || !sameWireName(ancestor(r.owner, labelsOf(r.owner).length - 1), zone)) return [];
    try {
      const data = parseNsec3(r.rdata);
      const hash = fromBase32hex(new TextDecoder().decode(labelsOf(r.owner)[0]));
      return data.hashAlgorithm === 1 && hash ? [{ owner: r.owner, hash, data }] : [];
    } catch {
      return [];
    }
  });
}

const text = (owner: Uint8Array, what: string): string => `${wireToName(owner) || '.'} ${what}`;

/** NSEC `owner < name < next`, the last NSEC of the zone wrapping round to the apex. */
function nsecCovers(n: Nsec, name: Uint8Array): boolean {
  const afterOwner = compareNames(name, n.owner) > 0;
  const beforeNext = compareNames(name, n.data.next) < 0;
  return compareNames(n.data.next, n.owner) <= 0 ? afterOwner || beforeNext : afterOwner && beforeNext;
}

/**
 * An NSEC proves that `name` does not exist when it covers it and its next name is not below it:
 * a next name below `name` makes it an empty non-terminal, which exists (RFC 4592 §2.2.2).
 */
function nsecDeniesName(n: Nsec, name: Uint8Array): boolean {
  return nsecCovers(n, name) && !isAtOrBelow(n.data.next, name);
}

function hashCovers(n: Nsec3, hash: Uint8Array): boolean {
  const afterOwner = Buffer.compare(hash, n.hash) > 0;
  const beforeNext = Buffer.compare(hash, n.data.nextHashed) < 0;
  return Buffer.compare(n.data.nextHashed, n.hash) <= 0 ? afterOwner || beforeNext : afterOwner && beforeNext;
}

/** No RRset of `type` at `name`; for DS, also the insecure delegation (RFC 4035 §5.2) and NSEC3 opt-out. */
export function proveNoData(records: readonly WireRecord[], zone: Uint8Array, name: Uint8Array, type: number): Denial {
  const plain = nsecs(records);
  const match = plain.find((n) => sameWireName(n.owner, name));
  if (match) {
    const { types } = match.data;
    if (types.has(type) || types.has(T.CNAME))
      return { proven: false, why: `the NSEC at ${wireToName(name)} lists the type asked for (or a CNAME)` };
    // A DS denial comes from the parent side of the cut: an NSEC with SOA is the child's apex (RFC 6840 §4.1).
    if (type === T.DS && types.has(T.SOA))
      return { proven: false, why: `the NSEC at ${wireToName(name)} is the child zone's, not the parent's` };
    return { proven: true, by: 'nsec', records: [text(match.owner, 'NSEC')] };
  }
  // An empty non-terminal has no NSEC of its own: the one before it names a name below it as next
  // (RFC 4592 §2.2.2, RFC 7129 §3.2), which proves the name exists and holds no RRset at all.
  const beforeEmpty = plain.find(
    (n) => nsecCovers(n, name) && isAtOrBelow(n.data.next, name) && !sameWireName(n.data.next, name),
  );
  if (beforeEmpty && type !== T.DS) return { proven: true, by: 'nsec', records: [text(beforeEmpty.owner, 'NSEC')] };
  // RFC 4035 §3.1.3.4: the name does not exist, and the wildcard that stands in for it lacks the type.
  for (const covering of type === T.DS ? [] : plain.filter((n) => nsecDeniesName(n, name))) {
    const wildcard = wildcardAt(nsecClosestEncloser(name, covering, zone));
    const atWildcard = plain.find((n) => sameWireName(n.owner, wildcard));
    if (atWildcard && !atWildcard.data.types.has(type) && !atWildcard.data.types.has(T.CNAME))
      return { proven: true, by: 'nsec', records: [text(covering.owner, 'NSEC'), text(atWildcard.owner, 'NSEC')] };
  }
  const hashed = nsec3s(records, zone);
  if (hashed.length === 0)
    return {
      proven: false,
      why:
        plain.length > 0 ? `no NSEC at ${wireToName(name)}` : 'no NSEC or NSEC3 record came with the negative answer',
    };
  const params = hashed[0] as Nsec3;
  if (params.data.iterations > MAX_NSEC3_ITERATIONS)
    return {
      proven: true,
      by: 'nsec3-iterations',
      records: [text(params.owner, `NSEC3 with ${params.data.iterations} iterations`)],
    };
  const hashOf = (n: Uint8Array): Uint8Array => nsec3Hash(n, params.data.salt, params.data.iterations);
  const exact = hashed.find((n) => Buffer.compare(n.hash, hashOf(name)) === 0);
  if (exact) {
    const { types } = exact.data;
    if (types.has(type) || types.has(T.CNAME))
      return { proven: false, why: `the NSEC3 matching ${wireToName(name)} lists the type asked for (or a CNAME)` };
    if (type === T.DS && types.has(T.SOA))
      return { proven: false, why: `the NSEC3 matching ${wireToName(name)} is the child zone's, not the parent's` };
    return { proven: true, by: 'nsec3', records: [text(exact.owner, 'NSEC3')] };
  }
  const proof = closestEncloserProof(hashed, zone, name, hashOf);
  // RFC 5155 §8.6: no DS and no matching NSEC3 is allowed only inside an opt-out span.
  if (type === T.DS) {
    if (proof && proof.nextCloser.data.optOut)
      return {
        proven: true,
        by: 'nsec3-opt-out',
        records: [text(proof.encloser.owner, 'NSEC3'), text(proof.nextCloser.owner, 'NSEC3 (opt-out)')],
      };
  } else if (proof) {
    // RFC 5155 §8.7: the closest encloser proof, and an NSEC3 matching its wildcard without the type.
    const wildcardHash = hashOf(wildcardAt(proof.closest));
    const atWildcard = hashed.find((n) => Buffer.compare(n.hash, wildcardHash) === 0);
    if (atWildcard && !atWildcard.data.types.has(type) && !atWildcard.data.types.has(T.CNAME))
      return {
        proven: true,
        by: 'nsec3',
        records: [
          text(proof.encloser.owner, 'NSEC3'),
          text(proof.nextCloser.owner, 'NSEC3'),
          text(atWildcard.owner, `NSEC3 (*.${wireToName(proof.closest)})`),
        ],
      };
  }
  return { proven: false, why: `no NSEC3 matches ${wireToName(name)} (hash ${base32hex(hashOf(name))})` };
}

/** The name does not exist, and no wildcard could have answered for it. */
export function proveNxdomain(records: readonly WireRecord[], zone: Uint8Array, name: Uint8Array): Denial {
  const plain = nsecs(records);
  if (plain.length > 0) {
    const covering = plain.find((n) => nsecDeniesName(n, name));
    if (!covering) return { proven: false, why: `no NSEC covers ${wireToName(name)}` };
    const encloser = nsecClosestEncloser(name, covering, zone);
    const wildcard = wildcardAt(encloser);
    const noWildcard = plain.find((n) => nsecCovers(n, wildcard));
    if (!noWildcard) return { proven: false, why: `no NSEC proves there is no wildcard *.${wireToName(encloser)}` };
    return { proven: true, by: 'nsec', records: [text(covering.owner, 'NSEC'), text(noWildcard.owner, 'NSEC')] };
  }
  const hashed = nsec3s(records, zone);
  if (hashed.length === 0) return { proven: false, why: 'no NSEC or NSEC3 record came with the NXDOMAIN' };
  const params = hashed[0] as Nsec3;
  if (params.data.iterations > MAX_NSEC3_ITERATIONS)
    return {
      proven: true,
      by: 'nsec3-iterations',
      records: [text(params.owner, `NSEC3 with ${params.data.iterations} iterations`)],
    };
  const hashOf = (n: Uint8Array): Uint8Array => nsec3Hash(n, params.data.salt, params.data.iterations);
  const proof = closestEncloserProof(hashed, zone, name, hashOf);
  if (!proof) return { proven: false, why: `no closest-encloser proof for ${wireToName(name)}` };
  const wildcard = wildcardAt(proof.closest);
  const noWildcard = hashed.find((n) => hashCovers(n, hashOf(wildcard)));
  if (!noWildcard && !proof.nextCloser.data.optOut)
    return { proven: false, why: `no NSEC3 proves there is no wildcard *.${wireToName(proof.closest)}` };
  return {
    proven: true,
    by: 'nsec3',
    records: [
      text(proof.encloser.owner, 'NSEC3'),
      text(proof.nextCloser.owner, 'NSEC3'),
      ...(noWildcard ? [text(noWildcard.owner, 'NSEC3')] : []),
    ],
  };
}

/**
 * An answer whose RRSIG has `labels` labels, fewer than its owner `name`, was synthesised from the
 * wildcard `*.<closest encloser>` (the rightmost `labels` labels of the name). RFC 4035 §5.3.4:
 * an NSEC must cover the name, and the closest encloser it implies must be the wildcard's parent,
 * or a closer name exists and the wildcard should not have answered. RFC 5155 §8.8: an NSEC3 must
 * cover the next closer name; when that NSEC3 is opt-out, an unsigned delegation may hide there,
 * and validators call the answer insecure (RFC 5155 §9.2, as Unbound does).
 */
export function proveWildcardExpansion(
  records: readonly WireRecord[],
  zone: Uint8Array,
  name: Uint8Array,
  labels: number,
): Denial {
  const closest = ancestor(name, labels);
  const plain = nsecs(records);
  const covering = plain.find(
    (n) => nsecDeniesName(n, name) && sameWireName(nsecClosestEncloser(name, n, zone), closest),
  );
  if (covering) return { proven: true, by: 'nsec', records: [text(covering.owner, 'NSEC')] };
  const hashed = nsec3s(records, zone);
  const wildcard = `*.${wireToName(closest) || '.'}`;
  if (hashed.length === 0)
    return {
      proven: false,
      why:
        plain.length > 0
          ? `no NSEC proves that ${wireToName(name)} does not exist next to the wildcard ${wildcard}`
          : `the answer comes from the wildcard ${wildcard} but no NSEC or NSEC3 record came with it`,
    };
  const params = hashed[0] as Nsec3;
  if (params.data.iterations > MAX_NSEC3_ITERATIONS)
    return {
      proven: true,
      by: 'nsec3-iterations',
      records: [text(params.owner, `NSEC3 with ${params.data.iterations} iterations`)],
    };
  const nextCloser = ancestor(name, labels + 1);
  const hash = nsec3Hash(nextCloser, params.data.salt, params.data.iterations);
  const nextCovering = hashed.find((n) => hashCovers(n, hash));
  if (!nextCovering)
    return {
      proven: false,
      why: `no NSEC3 covers the next closer name ${wireToName(nextCloser)} (hash ${base32hex(hash)}) of the wildcard ${wildcard}`,
    };
  return {
    proven: true,
    by: nextCovering.data.optOut ? 'nsec3-opt-out' : 'nsec3',
    records: [text(nextCovering.owner, nextCovering.data.optOut ? 'NSEC3 (opt-out)' : 'NSEC3')],
  };
}

/** RFC 5155 §8.3: an NSEC3 matching the closest encloser and one covering the next closer name. */
function closestEncloserProof(
  hashed: readonly Nsec3[],
  zone: Uint8Array,
  name: Uint8Array,
  hashOf: (n: Uint8Array) => Uint8Array,
): { closest: Uint8Array; encloser: Nsec3; nextCloser: Nsec3 } | undefined {
  const labels = labelsOf(name);
  const zoneLabels = labelsOf(zone).length;
  for (let count = labels.length - 1; count >= zoneLabels; count--) {
    const candidate = ancestor(name, count);
    const encloser = hashed.find((n) => Buffer.compare(n.hash, hashOf(candidate)) === 0);
    if (!encloser) continue;
    const nextCloser = ancestor(name, count + 1);
    const covering = hashed.find((n) => hashCovers(n, hashOf(nextCloser)));
    return covering ? { closest: candidate, encloser, nextCloser: covering } : undefined;
  }
  return undefined;
}

/** The closest encloser an NSEC covering `name` implies: the longest ancestor of name shared with its owner or next name. */
function nsecClosestEncloser(name: Uint8Array, covering: Nsec, zone: Uint8Array): Uint8Array {
  const total = labelsOf(name).length;
  for (let count = total - 1; count > labelsOf(zone).length; count--) {
    const candidate = ancestor(name, count);
    if (isAtOrBelow(covering.owner, candidate) || isAtOrBelow(covering.data.next, candidate)) return candidate;
  }
  return zone;
}

/** The wildcard that would answer for names below `encloser` (RFC 4592 §2.2.1). */
function wildcardAt(encloser: Uint8Array): Uint8Array {
  return wildcardOf(encloser, labelsOf(encloser).length);
}
