/**
 * Whether one RRset is signed by one of a zone's keys, now (RFC 4035 §5.3): the RRSIG must name
 * the zone as signer, cover the type, be within its validity period, point at a zone key of the
 * zone by tag and algorithm, and verify. Every signature that fails says why, so a report can
 * tell an expired signature from a forged one.
 */
import { algorithm } from './algorithms.js';
import { signedData } from './canonical-form.js';
import { verifySignature } from './public-key.js';
import { REVOKE, ZONE_KEY, type DnskeyData } from './rdata.js';
import { serialTime } from './signature-time.js';
import type { Signature, WireRecord } from './wire-records.js';
import { isAtOrBelow, labelsOf, sameWireName, signedLabelCount } from './wire-name.js';

export type SignatureProblem =
  | 'signature-expired'
  | 'signature-not-yet-valid'
  | 'bad-signature'
  | 'no-matching-key'
  | 'unsupported-algorithm'
  | 'wrong-signer';

export interface SignatureCheck {
  readonly signature: Signature;
  readonly inception: Date;
  readonly expiration: Date;
  /** Undefined: it verifies. */
  readonly problem: SignatureProblem | undefined;
}

export type RrsetCheck =
  | {
      readonly ok: true;
      readonly by: SignatureCheck;
      readonly key: DnskeyData;
      readonly checks: readonly SignatureCheck[];
    }
  | {
      readonly ok: false;
      readonly problem: SignatureProblem | 'no-signature';
      readonly checks: readonly SignatureCheck[];
    };

/** Which failure to report when no signature verifies: the one a person can act on first. */
const PRIORITY: readonly SignatureProblem[] = [
  'signature-expired',
  'signature-not-yet-valid',
  'bad-signature',
  'no-matching-key',
  'wrong-signer',
  'unsupported-algorithm',
];

export function checkRrset(
  rrset: readonly WireRecord[],
  signatures: readonly Signature[],
  keys: readonly DnskeyData[],
  zone: Uint8Array,
  now: Date,
): RrsetCheck {
  const first = rrset[0];
  if (!first || signatures.length === 0) return { ok: false, problem: 'no-signature', checks: [] };
  const checks: SignatureCheck[] = [];
  for (const signature of signatures) {
    const { data } = signature;
    const inception = serialTime(data.inception, now);
    const expiration = serialTime(data.expiration, now);
    const check = (problem: SignatureProblem | undefined): SignatureCheck => ({
      signature,
      inception,
      expiration,
      problem,
    });
    if (
      !sameWireName(data.signer, zone) ||
      !isAtOrBelow(first.owner, data.signer) ||
      data.labels > signedLabelCount(first.owner) ||
      data.labels > labelsOf(first.owner).length
    ) {
      checks.push(check('wrong-signer'));
      continue;
    }
    if (!algorithm(data.algorithm).verify) {
      checks.push(check('unsupported-algorithm'));
      continue;
    }
    if (now.getTime() > expiration.getTime()) {
      checks.push(check('signature-expired'));
      continue;
    }
    if (now.getTime() < inception.getTime()) {
      checks.push(check('signature-not-yet-valid'));
      continue;
    }
    const candidates = keys.filter(
      (k) =>
        k.keyTag === data.keyTag &&
        k.algorithm === data.algorithm &&
        (k.flags & ZONE_KEY) !== 0 &&
        (k.flags & REVOKE) === 0 &&
        k.protocol === 3,
    );
    if (candidates.length === 0) {
      checks.push(check('no-matching-key'));
      continue;
    }
    const message = signedData(data, rrset);
    const key = candidates.find((k) => verifySignature(k, message, data.signature));
    const result = check(key ? undefined : 'bad-signature');
    checks.push(result);
    if (key) return { ok: true, by: result, key, checks };
  }
  const problem = PRIORITY.find((p) => checks.some((c) => c.problem === p)) ?? 'bad-signature';
  return { ok: false, problem, checks };
}
