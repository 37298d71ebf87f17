/**
 * DNSSEC algorithm and DS digest numbers (IANA "DNS Security Algorithm Numbers"), what node:crypto
 * verifies them with, and RFC 8624's advice: validators must still validate RSA/SHA-1, but zones
 * should no longer be signed with it (§3.1), nor DS records made with SHA-1 (§3.3).
 */

export interface Algorithm {
  readonly number: number;
  readonly mnemonic: string;
  /** How node:crypto verifies it; undefined: we cannot (RSAMD5, DSA, GOST), so RFC 4035 §5.2 treats it as unsigned. */
  readonly verify:
    | { readonly kind: 'rsa'; readonly hash: string }
    | { readonly kind: 'ecdsa'; readonly hash: string; readonly curve: 'P-256' | 'P-384' }
    | { readonly kind: 'eddsa'; readonly curve: 'Ed25519' | 'Ed448' }
    | undefined;
  /** RFC 8624 §3.1 says MUST NOT or NOT RECOMMENDED for signing. */
  readonly deprecated: boolean;
}

const TABLE: readonly Algorithm[] = [
  { number: 1, mnemonic: 'RSAMD5', verify: undefined, deprecated: true },
  { number: 3, mnemonic: 'DSA', verify: undefined, deprecated: true },
  { number: 5, mnemonic: 'RSASHA1', verify: { kind: 'rsa', hash: 'sha1' }, deprecated: true },
  { number: 6, mnemonic: 'DSA-NSEC3-SHA1', verify: undefined, deprecated: true },
  { number: 7, mnemonic: 'RSASHA1-NSEC3-SHA1', verify: { kind: 'rsa', hash: 'sha1' }, deprecated: true },
  { number: 8, mnemonic: 'RSASHA256', verify: { kind: 'rsa', hash: 'sha256' }, deprecated: false },
  { number: 10, mnemonic: 'RSASHA512', verify: { kind: 'rsa', hash: 'sha512' }, deprecated: true },
  { number: 12, mnemonic: 'ECC-GOST', verify: undefined, deprecated: true },
  {
    number: 13,
    mnemonic: 'ECDSAP256SHA256',
    verify: { kind: 'ecdsa', hash: 'sha256', curve: 'P-256' },
    deprecated: false,
  },
  {
    number: 14,
    mnemonic: 'ECDSAP384SHA384',
    verify: { kind: 'ecdsa', hash: 'sha384', curve: 'P-384' },
    deprecated: false,
  },
  { number: 15, mnemonic: 'ED25519', verify: { kind: 'eddsa', curve: 'Ed25519' }, deprecated: false },
  { number: 16, mnemonic: 'ED448', verify: { kind: 'eddsa', curve: 'Ed448' }, deprecated: false },
];

export function algorithm(number: number): Algorithm {
  return (
    TABLE.find((a) => a.number === number) ?? { number, mnemonic: `ALG${number}`, verify: undefined, deprecated: false }
  );
}

export interface DigestType {
  readonly number: number;
  readonly mnemonic: string;
  /** node:crypto's name; undefined: not supported (GOST R 34.11-94). */
  readonly hash: string | undefined;
  readonly deprecated: boolean;
}

const DIGESTS: readonly DigestType[] = [
  { number: 1, mnemonic: 'SHA-1', hash: 'sha1', deprecated: true },
  { number: 2, mnemonic: 'SHA-256', hash: 'sha256', deprecated: false },
  { number: 3, mnemonic: 'GOST R 34.11-94', hash: undefined, deprecated: true },
  { number: 4, mnemonic: 'SHA-384', hash: 'sha384', deprecated: false },
];

export function digestType(number: number): DigestType {
  return (
    DIGESTS.find((d) => d.number === number) ?? {
      number,
      mnemonic: `DIGEST${number}`,
      hash: undefined,
      deprecated: false,
    }
  );
}
