/**
 * The audit log's hash chain. Each entry's hash covers its own fields and the previous entry's
 * hash, so changing, inserting or deleting an entry in the middle breaks every hash after it.
 * Fields are serialized with RFC 8785 (JSON Canonicalization Scheme), so anyone can recompute a
 * hash from an export with a JCS library and SHA-256, without mxops.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly system: string | null;
  readonly surface: string;
  /** Already canonical JSON text, exactly as stored. */
  readonly details: string;
  readonly prevHash: string;
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('audit details must be JSON data');
  return text;
}

export function chainHash(fields: ChainedFields): string {
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}
