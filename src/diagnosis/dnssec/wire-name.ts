/**
 * Domain names in wire form (RFC 1035 §3.1), as DNSSEC hashes and signs them: canonical
 * lower-casing and ordering (RFC 4034 §6.1, §6.2), label counts (§3.1.3), and text <-> wire for
 * names we write ourselves (a query name, a trust anchor's owner).
 */

/** The name's labels, without the root's empty label. */
export function labelsOf(wire: Uint8Array): Uint8Array[] {
  const labels: Uint8Array[] = [];
  for (let offset = 0; offset < wire.length && wire[offset] !== 0;) {
    const len = wire[offset] ?? 0;
    labels.push(wire.subarray(offset + 1, offset + 1 + len));
    offset += len + 1;
  }
  return labels;
}

/** A name read from RDATA where compression is not allowed (RRSIG signer, NSEC next name: RFC 4034 §3.1.7, §4.1.1). */
export function readName(data: Uint8Array, at: number): { readonly wire: Uint8Array; readonly next: number } {
  let offset = at;
  for (;;) {
    const len = data[offset];
    if (len === undefined) throw new RangeError('name runs past the end of the RDATA');
    if (len > 63) throw new RangeError('compressed or malformed name in RDATA');
    offset += len + 1;
    if (len === 0) return { wire: data.subarray(at, offset), next: offset };
  }
}

/** ASCII upper case to lower case inside the labels (RFC 4034 §6.2); label lengths (< 64) are never letters. */
export function lowerName(wire: Uint8Array): Uint8Array {
  return Uint8Array.from(wire, (byte) => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte));
}

/** Text ("Partner.Example." or "partner.example") to wire; `\.` and `\DDD` escapes as zone files write them. */
export function nameToWire(name: string): Uint8Array {
  const bytes: number[] = [];
  for (const label of splitLabels(name)) {
    if (label.length === 0 || label.length > 63) throw new RangeError(`bad label in ${name}`);
    bytes.push(label.length, ...label);
  }
  bytes.push(0);
  return Uint8Array.from(bytes);
}

function splitLabels(name: string): number[][] {
  const text = name.replace(/\.$/, '');
  if (text === '') return [];
  const labels: number[][] = [[]];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const current = labels[labels.length - 1] as number[];
    if (c === '.') labels.push([]);
    else if (c === '\\' && /^\d{3}$/.test(text.slice(i + 1, i + 4))) {
      current.push(Number(text.slice(i + 1, i + 4)));
      i += 3;
    } else if (c === '\\') current.push(text.charCodeAt(++i));
    else current.push(...Buffer.from(c, 'utf8'));
  }
  return labels;
}

/** Wire to text, lower-cased, without the trailing dot ('' for the root): the form names are compared in. */
export function wireToName(wire: Uint8Array): string {
  return labelsOf(wire)
    .map((label) =>
      Array.from(label, (b) =>
        b === 0x2e || b === 0x5c
          ? `\\${String.fromCharCode(b)}`
          : b > 0x20 && b < 0x7f
            ? String.fromCharCode(b)
            : `\\${String(b).padStart(3, '0')}`,
      )
        .join('')
        .toLowerCase(),
    )
    .join('.');
}

/** Labels of a name for the RRSIG Labels field: the root and a leading wildcard do not count (RFC 4034 §3.1.3). */
export function signedLabelCount(wire: Uint8Array): number {
  const labels = labelsOf(wire);
  return labels[0]?.length === 1 && labels[0][0] === 0x2a ? labels.length - 1 : labels.length;
}

/** The name made of the rightmost `count` labels. */
export function ancestor(wire: Uint8Array, count: number): Uint8Array {
  const labels = labelsOf(wire);
  return nameFromLabels(labels.slice(labels.length - count));
}

export function nameFromLabels(labels: readonly Uint8Array[]): Uint8Array {
  const bytes: number[] = [];
  for (const label of labels) bytes.push(label.length, ...label);
  bytes.push(0);
  return Uint8Array.from(bytes);
}

/** `*.` + the rightmost `count` labels: the owner a wildcard RRSIG signs for (RFC 4035 §5.3.2). */
export function wildcardOf(wire: Uint8Array, count: number): Uint8Array {
  const labels = labelsOf(wire);
  return nameFromLabels([Uint8Array.of(0x2a), ...labels.slice(labels.length - count)]);
}

/** Canonical DNS name order (RFC 4034 §6.1): label by label from the right, each compared lower-cased, byte by byte. */
export function compareNames(a: Uint8Array, b: Uint8Array): number {
  const la = labelsOf(lowerName(a)).reverse();
  const lb = labelsOf(lowerName(b)).reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const order = Buffer.compare(la[i] as Uint8Array, lb[i] as Uint8Array);
    if (order !== 0) return order;
  }
  return la.length - lb.length;
}

/** Whether `name` is `zone` or below it, compared in wire form. */
export function isAtOrBelow(name: Uint8Array, zone: Uint8Array): boolean {
  const n = labelsOf(lowerName(name));
  const z = labelsOf(lowerName(zone));
  if (z.length > n.length) return false;
  return z.every((label, i) => Buffer.compare(label, n[n.length - z.length + i] as Uint8Array) === 0);
}

export function sameWireName(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(lowerName(a), lowerName(b)) === 0;
}
