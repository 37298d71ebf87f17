/**
 * The audit chain's MAC keys. With a key, an entry's hash is HMAC-SHA-256 under it, so someone who
 * can write the database but does not hold the key cannot rewrite an entry and re-hash the ones
 * after it. The key lives in the environment only (MXOPS_AUDIT_KEY), never in the database.
 *
 * A key is named by an id derived from it (HMAC of a fixed label, 16 hex digits), stored with each
 * entry it MACs: the verifier picks the key by id, and the id gives nothing away about the key.
 * Rotation: the new key becomes MXOPS_AUDIT_KEY and the old one moves to MXOPS_AUDIT_KEYS, which
 * only verifies; the first entry under the new key records the change (audit-log.ts).
 */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { AppError } from '../errors.js';

/** `openssl rand -hex 32` gives 64; fewer than 32 characters is too little to resist guessing. */
export const MIN_AUDIT_KEY_LENGTH = 32;
const MAX_AUDIT_KEY_LENGTH = 1024;

const KEY_ID_LABEL = 'mxops audit key id';

export class AuditKey {
  readonly id: string;
  // A private field: not enumerable, so JSON, a logger or a spread of the config never carries it.
  readonly #secret: Buffer;

  constructor(secret: string) {
    this.#secret = Buffer.from(secret, 'utf8');
    this.id = createHmac('sha256', this.#secret).update(KEY_ID_LABEL).digest('hex').slice(0, 16);
  }

  /** HMAC-SHA-256 of `text` under this key, in hex (what `openssl dgst -sha256 -hmac <key>` prints). */
  mac(text: string): string {
    return createHmac('sha256', this.#secret).update(text).digest('hex');
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  [inspect.custom](): string {
    return `AuditKey(${this.id})`;
  }
}

export interface AuditKeyring {
  /** What new entries are MACed with; undefined: a plain hash chain. */
  readonly current: AuditKey | undefined;
  /** Every key an entry may be under, the current one included, by id. */
  readonly known: ReadonlyMap<string, AuditKey>;
}

export const NO_AUDIT_KEYS: AuditKeyring = { current: undefined, known: new Map() };

export function auditKeyring(current: AuditKey | undefined, previous: readonly AuditKey[] = []): AuditKeyring {
  const known = new Map<string, AuditKey>();
  for (const key of [...previous, ...(current ? [current] : [])]) known.set(key.id, key);
  return { current, known };
}

/** Error messages never quote the text: it is a secret, or most of one. */
export function parseAuditKey(text: string): AuditKey {
  if (text.length < MIN_AUDIT_KEY_LENGTH || text.length > MAX_AUDIT_KEY_LENGTH) {
    throw new AppError(
      'BAD_INPUT',
      `a key must be ${MIN_AUDIT_KEY_LENGTH} to ${MAX_AUDIT_KEY_LENGTH} characters (generate one with: openssl rand -hex 32); the value is not shown here`,
    );
  }
  // Printable ASCII without spaces or commas: the same bytes whichever shell or file sets it, and a list splits on commas.
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(text)) {
    throw new AppError(
      'BAD_INPUT',
      'a key must be printable ASCII without spaces or commas (generate one with: openssl rand -hex 32); the value is not shown here',
    );
  }
  return new AuditKey(text);
}

/** MXOPS_AUDIT_KEYS: earlier keys, comma-separated, kept to verify the entries written under them. */
export function parseAuditKeys(text: string): AuditKey[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index) => {
      try {
        return parseAuditKey(part);
      } catch (error) {
        throw new AppError(
          'BAD_INPUT',
          `key ${index + 1} of the list: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
}
