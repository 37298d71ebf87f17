/**
 * The RDATA of the DNSSEC record types (RFC 4034 §2-§5, RFC 5155 §3), read from the bytes the
 * DNS adapter hands over. Pure parsing: nothing here decides whether anything is valid.
 */
import { readName } from './wire-name.js';

export interface DnskeyData {
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  /** RFC 4034 Appendix B, over the whole RDATA. */
  readonly keyTag: number;
  /** The RDATA as published, for DS digests and anchor comparison. */
  readonly rdata: Uint8Array;
}

/** Bit 7 of the flags: a zone key, the only kind that may sign a zone's data (RFC 4034 §2.1.1). */
export const ZONE_KEY = 0x0100;
/** Bit 15: the Secure Entry Point, by convention a KSK. */
export const SEP = 0x0001;
/** Bit 8: revoked (RFC 5011 §3). */
export const REVOKE = 0x0080;

export function parseDnskey(rdata: Uint8Array): DnskeyData {
  if (rdata.length < 4) throw new RangeError('DNSKEY RDATA shorter than 4 bytes');
  const view = Buffer.from(rdata);
  return {
    flags: view.readUInt16BE(0),
    protocol: view.readUInt8(2),
    algorithm: view.readUInt8(3),
    publicKey: rdata.subarray(4),
    keyTag: keyTag(rdata),
    rdata,
  };
}

/** RFC 4034 Appendix B (algorithm 1 excepted, which nobody should meet any more). */
export function keyTag(rdata: Uint8Array): number {
  let sum = 0;
  rdata.forEach((byte, i) => {
    sum += i & 1 ? byte : byte << 8;
  });
  sum += (sum >> 16) & 0xffff;
  return sum & 0xffff;
}

export interface DsData {
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digest: Uint8Array;
}

export function parseDs(rdata: Uint8Array): DsData {
  if (rdata.length < 4) throw new RangeError('DS RDATA shorter than 4 bytes');
  const view = Buffer.from(rdata);
  return {
    keyTag: view.readUInt16BE(0),
    algorithm: view.readUInt8(2),
    digestType: view.readUInt8(3),
    digest: rdata.subarray(4),
  };
}

export interface RrsigData {
  readonly typeCovered: number;
  readonly algorithm: number;
  readonly labels: number;
  readonly originalTtl: number;
  /** Seconds since the epoch, as 32-bit serial numbers (RFC 4034 §3.1.5). */
  readonly expiration: number;
  readonly inception: number;
  readonly keyTag: number;
  readonly signer: Uint8Array;
  readonly signature: Uint8Array;
  /** The RDATA up to the signature: the head of the signed data (RFC 4034 §3.1.8.1). */
  readonly head: Uint8Array;
}

export function parseRrsig(rdata: Uint8Array): RrsigData {
  if (rdata.length < 19) throw new RangeError('RRSIG RDATA shorter than 19 bytes');
  const view = Buffer.from(rdata);
  const { wire: signer, next } = readName(rdata, 18);
  return {
    typeCovered: view.readUInt16BE(0),
    algorithm: view.readUInt8(2),
    labels: view.readUInt8(3),
    originalTtl: view.readUInt32BE(4),
    expiration: view.readUInt32BE(8),
    inception: view.readUInt32BE(12),
    keyTag: view.readUInt16BE(16),
    signer,
    signature: rdata.subarray(next),
    head: rdata.subarray(0, next),
  };
}

/** An NSEC/NSEC3 type bitmap (RFC 4034 §4.1.2) as the set of type numbers it lists. */
export function readTypeBitmap(data: Uint8Array, at: number): Set<number> {
  const types = new Set<number>();
  for (let offset = at; offset + 2 <= data.length;) {
    const window = data[offset] as number;
    const length = data[offset + 1] as number;
    for (let i = 0; i < length; i++) {
      const byte = data[offset + 2 + i] ?? 0;
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) types.add(window * 256 + i * 8 + bit);
    }
    offset += 2 + length;
  }
  return types;
}

export interface NsecData {
  readonly next: Uint8Array;
  readonly types: ReadonlySet<number>;
}

export function parseNsec(rdata: Uint8Array): NsecData {
  const { wire, next } = readName(rdata, 0);
  return { next: wire, types: readTypeBitmap(rdata, next) };
}

export interface Nsec3Data {
  readonly hashAlgorithm: number;
  /** Bit 0: opt-out (RFC 5155 §3.1.2.1). */
  readonly optOut: boolean;
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly nextHashed: Uint8Array;
  readonly types: ReadonlySet<number>;
}

export function parseNsec3(rdata: Uint8Array): Nsec3Data {
  const view = Buffer.from(rdata);
  const saltLength = view.readUInt8(4);
  const hashLength = view.readUInt8(5 + saltLength);
  const hashAt = 6 + saltLength;
  return {
    hashAlgorithm: view.readUInt8(0),
    optOut: (view.readUInt8(1) & 1) === 1,
    iterations: view.readUInt16BE(2),
    salt: rdata.subarray(5, 5 + saltLength),
    nextHashed: rdata.subarray(hashAt, hashAt + hashLength),
    types: readTypeBitmap(rdata, hashAt + hashLength),
  };
}
