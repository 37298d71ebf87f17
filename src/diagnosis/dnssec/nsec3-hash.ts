/**
 * NSEC3 owner hashes (RFC 5155 §5): SHA-1 over the canonical wire name and the salt, iterated,
 * written as a Base32hex label (RFC 4648 §7) in the zone's owner names.
 */
import { createHash } from 'node:crypto';
import { lowerName } from './wire-name.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';

/** RFC 9276 §3.2: above this many extra iterations a validator may treat a zone as unsigned; hashing more would let a zone burn our CPU. */
export const MAX_NSEC3_ITERATIONS = 150;

export function nsec3Hash(name: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array {
  let digest = createHash('sha1').update(lowerName(name)).update(salt).digest();
  for (let i = 0; i < iterations; i++) digest = createHash('sha1').update(digest).update(salt).digest();
  return digest;
}

export function base32hex(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** The hash an NSEC3 owner's first label stands for; undefined when it is not Base32hex. */
export function fromBase32hex(label: string): Uint8Array | undefined {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of label.toLowerCase()) {
    const digit = ALPHABET.indexOf(c);
    if (digit === -1) return undefined;
    value = ((value << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(bytes);
}
