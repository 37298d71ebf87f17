/** RRSIG checks as evidence, and what the validator is given to work with. */
import type { Clock } from '../../clock.js';
import type { ZoneCut, NameserverAddress } from '../delegation/walk.js';
import type { DnsLookups } from '../dns-lookups.js';
import type { TrustAnchor } from './trust-anchors.js';
import type { SignatureInfo } from './validation.js';
import type { SignatureCheck } from './verify-rrset.js';
import { wireToName } from './wire-name.js';

export interface ValidationContext {
  readonly dns: DnsLookups;
  readonly anchors: readonly TrustAnchor[];
  /** Signature validity is read against its wall time. */
  readonly clock: Clock;
  /** The addresses to ask for a zone on the way down. */
  readonly serversOf: (cut: ZoneCut) => Promise<readonly NameserverAddress[]>;
}

export function signatureInfo(check: SignatureCheck, owner: string, type: string): SignatureInfo {
  const { data } = check.signature;
  return {
    owner,
    type,
    signer: wireToName(data.signer) || '.',
    keyTag: data.keyTag,
    algorithm: data.algorithm,
    inception: check.inception.toISOString(),
    expiration: check.expiration.toISOString(),
    problem: check.problem,
  };
}
