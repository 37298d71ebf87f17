/** What validating one RRset came to, in the words of RFC 4033 §5 and RFC 4035 §4.3. */
import type { DnsRecord, DnsServer } from '../dns-port.js';

export type Security = 'secure' | 'insecure' | 'bogus' | 'indeterminate';

/** Why an RRset is bogus; part of the interface (the `reason` of dnssec.bogus). */
export type BogusReason =
  | 'signature-expired'
  | 'signature-not-yet-valid'
  | 'ds-mismatch'
  | 'no-signature'
  | 'bad-signature'
  | 'denial-proof-missing';

/** Why we could not decide: no trust anchor above the name, the anchor zone's keys not served or not matching, or lookups that failed. */
export type IndeterminateReason = 'no-anchor' | 'anchor-not-served' | 'anchor-mismatch' | 'lookup-failed';

/** One RRSIG, as evidence: who signed what, with which key, valid when. */
export interface SignatureInfo {
  readonly owner: string;
  readonly type: string;
  readonly signer: string;
  readonly keyTag: number;
  readonly algorithm: number;
  /** ISO 8601. */
  readonly inception: string;
  readonly expiration: string;
  /** Undefined: it verified. */
  readonly problem: string | undefined;
}

/** One zone on the chain from the anchor down. */
export interface ZoneLink {
  readonly zone: string;
  readonly security: Security;
  /** Key tags of the DS records at the parent (or of the trust anchors, for the anchored zone). */
  readonly dsTags: readonly number[];
  readonly keyTags: readonly number[];
  readonly algorithms: readonly number[];
  readonly digestTypes: readonly number[];
  /** The server whose DNSKEY answer was used, for the dig line. */
  readonly server: string | undefined;
}

export interface Step {
  /** The query whose answer decided: for the `dig +dnssec` line that reproduces it. */
  readonly name: string;
  readonly type: string;
  readonly server: DnsServer | undefined;
}

export interface Validation {
  readonly name: string;
  readonly type: string;
  readonly security: Security;
  /** The zone where the verdict was reached: the RRset's zone when secure, the unsigned or broken zone otherwise. */
  readonly zone: string;
  /** Insecure: 'no-ds' and 'unsupported-algorithm' for the zone, 'nsec3-opt-out' for a wildcard answer in an opt-out span. */
  readonly reason: BogusReason | IndeterminateReason | 'no-ds' | 'unsupported-algorithm' | 'nsec3-opt-out' | undefined;
  /** One sentence: what was found, with the key tags and dates. */
  readonly detail: string;
  readonly chain: readonly ZoneLink[];
  /** Every RRSIG that validated on the way (keys and the RRset), for expiry warnings and evidence. */
  readonly signatures: readonly SignatureInfo[];
  /** The signature that failed, when one did. */
  readonly failed: SignatureInfo | undefined;
  /** Where it was decided. */
  readonly step: Step | undefined;
  /** True when the name or type does not exist (a proven negative answer). */
  readonly negative: boolean;
  /** The wildcard that synthesised a positive answer ("*.example.com"): proven to apply when secure, unproven when bogus (RFC 4035 §5.3.4). */
  readonly wildcard?: string;
  /** The validated records, when secure and positive (what DANE may use, RFC 7672 §2.2). */
  readonly records?: readonly DnsRecord[];
}
