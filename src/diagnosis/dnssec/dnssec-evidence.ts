/** The commands that reproduce a DNSSEC verdict, and a validation's chain as evidence. */
import { digCommand } from '../dig-command.js';
import type { EvidenceValue } from '../finding.js';
import { algorithm, digestType } from './algorithms.js';
import type { SignatureInfo, Validation, ZoneLink } from './validation.js';

/** `dig +dnssec` at the server whose answer decided, and `delv` for the whole chain through a validating resolver. */
export function reproduce(v: Validation): string[] {
  const lines: string[] = [];
  if (v.step?.server) {
    lines.push(
      digCommand({
        server: v.step.server,
        name: v.step.name,
        type: v.step.type as 'DS',
        transport: 'udp',
        edns: { udpSize: 1232, dnssecOk: true },
        recursionDesired: false,
      }).replace(' +ignore', ' +multiline'),
    );
  }
  // delv validates from its own anchors (the root's); for a test bed, add -a <MXOPS_TRUST_ANCHORS file>.
  lines.push(`delv +vtrace ${v.type} ${v.name}`);
  lines.push(
    `dig +dnssec ${v.type} ${v.name} (through a validating resolver: SERVFAIL when bogus; +cd shows the records anyway)`,
  );
  return lines;
}

export function signatureEvidence(s: SignatureInfo): { [key: string]: EvidenceValue } {
  return {
    rrset: `${s.type} ${s.owner}`,
    signer: s.signer,
    keyTag: s.keyTag,
    algorithm: `${s.algorithm} (${algorithm(s.algorithm).mnemonic})`,
    inception: s.inception,
    expiration: s.expiration,
    ...(s.problem ? { problem: s.problem } : {}),
  };
}

export function chainEvidence(chain: readonly ZoneLink[]): { [key: string]: EvidenceValue }[] {
  return chain.map((link) => ({
    zone: link.zone,
    security: link.security,
    dsKeyTags: [...link.dsTags],
    keyTags: [...link.keyTags],
    algorithms: link.algorithms.map((a) => `${a} (${algorithm(a).mnemonic})`),
    digestTypes: link.digestTypes.map((d) => `${d} (${digestType(d).mnemonic})`),
    ...(link.server ? { server: link.server } : {}),
  }));
}

/** "MX partner.test", "TLSA _25._tcp.mx1.partner.test". */
export function rrsetName(v: Pick<Validation, 'type' | 'name'>): string {
  return `${v.type} ${v.name}`;
}

/** "2026-12-06 14:00 UTC": a date a person reads (no colon followed by a space, so it never ends a clause). */
export function readableTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
