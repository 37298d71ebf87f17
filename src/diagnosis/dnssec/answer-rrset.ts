/**
 * Whether an RRset of a positive answer (the type asked for, or the CNAME in its place) validates:
 * an RRSIG by the zone's keys (RFC 4035 §5.3) and, when the RRSIG's Labels field is smaller than
 * the owner's label count, the answer was synthesised from a wildcard and is secure only with the
 * signed NSEC or NSEC3 records beside it proving that no closer name exists (RFC 4035 §5.3.4,
 * RFC 5155 §8.8); without them a forged wildcard answer could stand in for any name.
 */
import { proveWildcardExpansion } from './denial.js';
import { signatureInfo } from './signature-info.js';
import type { BogusReason, SignatureInfo } from './validation.js';
import { checkRrset } from './verify-rrset.js';
import { signaturesOver, type WireRecord } from './wire-records.js';
import { nameToWire, signedLabelCount, wildcardOf, wireToName } from './wire-name.js';
import { bogusReason, describeProblem, verifiedDenials, type ZoneKeys } from './zone-keys.js';
import { typeCode } from './rr-types.js';

export type AnswerVerdict =
  | {
      readonly kind: 'secure';
      /** The RRSIGs that verified: the answer's, and those of the wildcard proof. */
      readonly signatures: readonly SignatureInfo[];
      /** The wildcard that synthesised the answer ("*.example.com"), when one did. */
      readonly wildcard: string | undefined;
    }
  | {
      readonly kind: 'bogus';
      readonly reason: BogusReason;
      readonly detail: string;
      readonly failed: SignatureInfo | undefined;
      /** The wildcard the answer claims to come from, when its proof is what is missing. */
      readonly wildcard: string | undefined;
    }
  /** A wildcard answer whose next closer name falls in an NSEC3 opt-out span (RFC 5155 §9.2): validators set no AD. */
  | { readonly kind: 'insecure'; readonly detail: string };

export interface AnswerRrset {
  /** The RRset, non-empty, all at `name`. */
  readonly rrset: readonly WireRecord[];
  /** The answer section, for the RRSIGs. */
  readonly records: readonly WireRecord[];
  /** The authority section, for a wildcard's proof. */
  readonly authority: readonly WireRecord[];
  readonly name: string;
  readonly type: string;
  /** The zone holding the name, secure. */
  readonly zone: ZoneKeys;
  readonly now: Date;
}

export function judgeAnswer(answer: AnswerRrset): AnswerVerdict {
  const { rrset, records, authority, name, type, zone, now } = answer;
  const zoneWire = nameToWire(zone.zone === '' ? '.' : zone.zone);
  const check = checkRrset(rrset, signaturesOver(records, name, typeCode(type)), zone.keys, zoneWire, now);
  const infos = check.checks.map((c) => signatureInfo(c, name, type));
  if (!check.ok)
    return {
      kind: 'bogus',
      reason: bogusReason(check.problem),
      detail: `${type} ${name} does not validate: ${describeProblem(check)}`,
      failed: infos.find((s) => s.problem !== undefined),
      wildcard: undefined,
    };
  const verifiedBy = infos.filter((s) => s.problem === undefined);
  const owner = (rrset[0] as WireRecord).owner;
  const { labels } = check.by.signature.data;
  if (labels >= signedLabelCount(owner)) return { kind: 'secure', signatures: verifiedBy, wildcard: undefined };
  const wildcard = wireToName(wildcardOf(owner, labels));
  const proof = verifiedDenials(authority, zone, now);
  const denial = proveWildcardExpansion(proof.records, zoneWire, owner, labels);
  if (!denial.proven)
    return {
      kind: 'bogus',
      reason: 'denial-proof-missing',
      detail: `${type} ${name} is synthesised from the wildcard ${wildcard}, but ${zone.zone} does not prove that no closer name exists (${denial.why})`,
      failed: proof.failed,
      wildcard,
    };
  if (denial.by === 'nsec3-opt-out')
    return {
      kind: 'insecure',
      detail: `${type} ${name} is synthesised from the wildcard ${wildcard}, and the NSEC3 covering the name is opt-out (${denial.records.join(', ')}), so an unsigned delegation may stand where the name is: validators treat the answer as unsigned`,
    };
  return { kind: 'secure', signatures: [...verifiedBy, ...proof.signatures], wildcard };
}
