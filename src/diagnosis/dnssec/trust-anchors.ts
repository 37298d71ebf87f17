/**
 * Trust anchors: the DS or DNSKEY records a validation starts from (RFC 4033 §3.1, RFC 4035 §4.4).
 * Built in: the root zone's KSK-2017 (key tag 20326) and KSK-2024 (key tag 38696), as IANA
 * publishes them in https://data.iana.org/root-anchors/root-anchors.xml (the same DS lines ship in
 * Debian's dns-root-data package as /usr/share/dns/root.ds, which unbound-anchor and BIND read).
 * MXOPS_TRUST_ANCHORS names a file in zone-file format, DS or DNSKEY lines as unbound's
 * trust-anchor-file reads them, for test beds and islands of trust.
 */
import { AppError } from '../../errors.js';
import { parseDnskey, parseDs, type DnskeyData, type DsData } from './rdata.js';
import { nameToWire, wireToName } from './wire-name.js';

export type TrustAnchor =
  | {
      readonly zone: string;
      readonly owner: Uint8Array;
      readonly kind: 'DS';
      readonly ds: DsData;
      readonly text: string;
    }
  | {
      readonly zone: string;
      readonly owner: Uint8Array;
      readonly kind: 'DNSKEY';
      readonly key: DnskeyData;
      readonly text: string;
    };

const IANA_ROOT_ANCHORS = `
; KSK-2017, in the root zone since 2018-10-11.
. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
; KSK-2024, published 2025-01-11, signing the root DNSKEY RRset from 2026-10-11.
. IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
`;

const CLASSES = new Set(['IN', 'CH', 'HS']);

/**
 * Reads DS and DNSKEY records in zone-file format: `owner [ttl] [IN] DS|DNSKEY rdata`, `;`
 * comments, RDATA over several lines inside parentheses, `$TTL`/`$ORIGIN` lines ignored
 * (owners must be absolute). Every problem names its line.
 */
export function parseTrustAnchors(text: string, source = 'trust anchors'): TrustAnchor[] {
  const anchors: TrustAnchor[] = [];
  for (const { line, number } of logicalLines(text)) {
    const where = `${source}:${number}`;
    if (line.startsWith('$')) continue;
    const fields = line.split(/\s+/);
    const owner = fields.shift() as string;
    while (fields.length > 0 && (/^\d+$/.test(fields[0] as string) || CLASSES.has((fields[0] as string).toUpperCase())))
      fields.shift();
    const type = fields.shift()?.toUpperCase();
    if (!owner.endsWith('.'))
      throw new AppError('BAD_INPUT', `${where}: the owner "${owner}" must be absolute (end with a dot)`);
    let wire: Uint8Array;
    try {
      wire = nameToWire(owner);
    } catch {
      throw new AppError('BAD_INPUT', `${where}: "${owner}" is not a domain name`);
    }
    const zone = wireToName(wire);
    const record = `${owner} IN ${type ?? ''} ${fields.join(' ')}`;
    if (type === 'DS') {
      const [tag, alg, digestType, ...digest] = fields;
      const hex = digest.join('');
      if (![tag, alg, digestType].every((f) => f !== undefined && /^\d+$/.test(f)) || !/^([0-9a-f]{2})+$/i.test(hex)) {
        throw new AppError(
          'BAD_INPUT',
          `${where}: expected "<owner> DS <key tag> <algorithm> <digest type> <hex digest>", got "${line}"`,
        );
      }
      const rdata = Buffer.concat([
        u16(Number(tag)),
        Buffer.of(Number(alg), Number(digestType)),
        Buffer.from(hex, 'hex'),
      ]);
      anchors.push({ zone, owner: wire, kind: 'DS', ds: parseDs(rdata), text: record });
    } else if (type === 'DNSKEY') {
      const [flags, protocol, alg, ...key] = fields;
      const base64 = key.join('');
      if (
        ![flags, protocol, alg].every((f) => f !== undefined && /^\d+$/.test(f)) ||
        !/^[A-Za-z0-9+/]+=*$/.test(base64)
      ) {
        throw new AppError(
          'BAD_INPUT',
          `${where}: expected "<owner> DNSKEY <flags> <protocol> <algorithm> <base64 key>", got "${line}"`,
        );
      }
      const rdata = Buffer.concat([
        u16(Number(flags)),
        Buffer.of(Number(protocol), Number(alg)),
        Buffer.from(base64, 'base64'),
      ]);
      anchors.push({ zone, owner: wire, kind: 'DNSKEY', key: parseDnskey(rdata), text: record });
    } else {
      throw new AppError(
        'BAD_INPUT',
        `${where}: trust anchors are DS or DNSKEY records, not ${type ?? 'nothing'} ("${line}")`,
      );
    }
  }
  if (anchors.length === 0) throw new AppError('BAD_INPUT', `${source}: no DS or DNSKEY record`);
  return anchors;
}

function u16(value: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeUInt16BE(value & 0xffff);
  return buf;
}

/** Lines without comments, with parenthesised continuations joined (RFC 1035 §5.1). */
function logicalLines(text: string): { line: string; number: number }[] {
  const out: { line: string; number: number }[] = [];
  let pending: { parts: string[]; number: number } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/;.*/, '');
    const opens = (line.match(/\(/g) ?? []).length;
    const closes = (line.match(/\)/g) ?? []).length;
    const cleaned = line.replace(/[()]/g, ' ').trim();
    if (pending) {
      pending.parts.push(cleaned);
      if (closes >= opens && closes > 0) {
        out.push({ line: pending.parts.join(' ').trim().replace(/\s+/g, ' '), number: pending.number });
        pending = undefined;
      }
      return;
    }
    if (opens > closes) {
      pending = { parts: [cleaned], number: index + 1 };
      return;
    }
    if (cleaned !== '') out.push({ line: cleaned.replace(/\s+/g, ' '), number: index + 1 });
  });
  if (pending) out.push({ line: pending.parts.join(' ').trim().replace(/\s+/g, ' '), number: pending.number });
  return out;
}

export const BUILT_IN_TRUST_ANCHORS: readonly TrustAnchor[] = parseTrustAnchors(
  IANA_ROOT_ANCHORS,
  'built-in root anchors',
);
