/**
 * The audit log's hash chain. Each entry's hash covers its own fields and the previous entry's
 * hash, so changing, inserting or deleting an entry in the middle breaks every hash after it.
 * Fields are serialized with RFC 8785 (JSON Canonicalization Scheme), so anyone can recompute a
 * hash from an export with a JCS library and SHA-256 (or HMAC-SHA-256 and the key), without mxops.
 *
 * Two forms of `hash`, told apart by their text:
 * - plain: hex SHA-256 of JCS(fields). Anyone can compute it, so someone who can write the
 *   database can rewrite an entry and re-hash everything after it: only a copy of the head kept
 *   elsewhere (a checkpoint) shows that.
 * - keyed: `hmac-sha256:<key id>:<hex HMAC-SHA-256 of JCS(fields + keyId)>` under MXOPS_AUDIT_KEY
 *   (audit-keys.ts). Without the key, a rewritten entry cannot be given a hash that verifies.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditKey } from './audit-keys.js';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

const KEYED_PREFIX = 'hmac-sha256';

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

/** The entry's hash: keyed when a key is given. The key id is MACed too, so it cannot be swapped. */
export function chainHash(fields: ChainedFields, key?: AuditKey): string {
  if (key === undefined) return createHash('sha256').update(canonicalJson(fields)).digest('hex');
  return `${KEYED_PREFIX}:${key.id}:${key.mac(canonicalJson({ ...fields, keyId: key.id }))}`;
}

export type HashForm = { readonly keyed: false } | { readonly keyed: true; readonly keyId: string };

/** Which form a stored hash is in; undefined when it is neither (not written by mxops). */
export function hashForm(hash: string): HashForm | undefined {
  if (/^[0-9a-f]{64}$/.test(hash)) return { keyed: false };
  const keyed = /^hmac-sha256:([0-9a-f]{16}):[0-9a-f]{64}$/.exec(hash);
  return keyed ? { keyed: true, keyId: keyed[1]! } : undefined;
}

/** The key id a stored hash names; undefined for a plain hash (or the genesis). */
export function keyIdOf(hash: string): string | undefined {
  const form = hashForm(hash);
  return form?.keyed ? form.keyId : undefined;
}
