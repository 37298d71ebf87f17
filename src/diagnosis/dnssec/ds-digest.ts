/** Whether a DS record names a DNSKEY (RFC 4034 §5.1.4; SHA-256 per RFC 4509, SHA-384 per RFC 6605). */
import { createHash } from 'node:crypto';
import { digestType } from './algorithms.js';
import type { DnskeyData, DsData } from './rdata.js';
import { lowerName } from './wire-name.js';

/** digest = hash(canonical owner name | DNSKEY RDATA); undefined for a digest type we cannot compute. */
export function dsDigest(owner: Uint8Array, key: DnskeyData, type: number): Uint8Array | undefined {
  const hash = digestType(type).hash;
  if (!hash) return undefined;
  return createHash(hash).update(lowerName(owner)).update(key.rdata).digest();
}

export function dsMatches(ds: DsData, owner: Uint8Array, key: DnskeyData): boolean {
  if (ds.keyTag !== key.keyTag || ds.algorithm !== key.algorithm) return false;
  const digest = dsDigest(owner, key, ds.digestType);
  return digest !== undefined && Buffer.compare(digest, ds.digest) === 0;
}
