/**
 * DNSKEY public keys as node:crypto key objects, and signature verification with them; the
 * cryptography is node:crypto's, only the key layout is read here: RSA per RFC 3110 §2, ECDSA per
 * RFC 6605 §4 (x then y), EdDSA per RFC 8080 §3.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { algorithm } from './algorithms.js';
import type { DnskeyData } from './rdata.js';

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** The key as node:crypto takes it, or undefined for an algorithm we cannot verify or a key that does not parse. */
export function publicKeyOf(key: DnskeyData): KeyObject | undefined {
  const how = algorithm(key.algorithm).verify;
  if (!how) return undefined;
  const data = key.publicKey;
  try {
    switch (how.kind) {
      case 'rsa': {
        // RFC 3110 §2: exponent length in one byte, or a zero byte and two bytes for longer exponents.
        const long = data[0] === 0;
        const expLength = long ? Buffer.from(data).readUInt16BE(1) : (data[0] ?? 0);
        const expAt = long ? 3 : 1;
        const e = data.subarray(expAt, expAt + expLength);
        const n = data.subarray(expAt + expLength);
        if (e.length === 0 || n.length === 0) return undefined;
        return createPublicKey({ key: { kty: 'RSA', n: base64url(n), e: base64url(e) }, format: 'jwk' });
      }
      case 'ecdsa': {
        const half = how.curve === 'P-256' ? 32 : 48;
        if (data.length !== 2 * half) return undefined;
        return createPublicKey({
          key: { kty: 'EC', crv: how.curve, x: base64url(data.subarray(0, half)), y: base64url(data.subarray(half)) },
          format: 'jwk',
        });
      }
      case 'eddsa':
        return createPublicKey({ key: { kty: 'OKP', crv: how.curve, x: base64url(data) }, format: 'jwk' });
    }
  } catch {
    return undefined;
  }
}

/** Whether `signature` over `data` verifies with `key`; false for an unusable key or a malformed signature. */
export function verifySignature(key: DnskeyData, data: Uint8Array, signature: Uint8Array): boolean {
  const how = algorithm(key.algorithm).verify;
  const publicKey = publicKeyOf(key);
  if (!how || !publicKey) return false;
  try {
    switch (how.kind) {
      case 'rsa':
        return verify(how.hash, data, publicKey, signature);
      case 'ecdsa':
        // RFC 6605 §4: r and s side by side, which node:crypto calls IEEE P1363.
        return verify(how.hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
      case 'eddsa':
        return verify(null, data, publicKey, signature);
    }
  } catch {
    return false;
  }
}
