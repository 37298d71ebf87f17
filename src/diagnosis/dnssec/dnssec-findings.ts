/**
 * Findings from the validation of a domain's mail path (ids are interface): dnssec.secure,
 * dnssec.insecure, dnssec.bogus (with its reason), dnssec.signature-expiring,
 * dnssec.algorithm-deprecated, and dnssec.indeterminate when we could not decide.
 */
import { finding, type Finding } from '../finding.js';
import { algorithm, digestType } from './algorithms.js';
import { chainEvidence, readableTime, reproduce, rrsetName, signatureEvidence } from './dnssec-evidence.js';
import type { MailPathValidations } from './mail-path.js';
import type { Validation } from './validation.js';

/** An RRSIG that expires this soon means re-signing has likely stopped (zones are re-signed days or weeks ahead). */
export const EXPIRING_WITHIN_MS = 3 * 86_400_000;

const REF = 'RFC 4033 §5; RFC 4035 §5';

/** Whether the bogus answers stop every sender behind a validating resolver: the MX RRset, or the addresses of every MX host. */
export function blocksDelivery(path: MailPathValidations): boolean {
  if (path.mx.security === 'bogus') return true;
  if (path.hosts.length === 0) return false;
  return path.hosts.every((h) => h.a.security === 'bogus' || (h.a.negative && h.aaaa.security === 'bogus'));
}

export function dnssecFindings(domain: string, path: MailPathValidations, now: Date): Finding[] {
  const all = [path.mx, ...path.hosts.flatMap((h) => [h.a, h.aaaa, h.tlsa])];
  const blocks = blocksDelivery(path);
  const findings: Finding[] = [];
  for (const group of groupBy(all, (v) => `${v.security}|${v.zone}|${v.reason ?? ''}`)) {
    const first = group[0] as Validation;
    switch (first.security) {
      case 'bogus':
        findings.push(bogus(domain, group, blocks));
        break;
      case 'insecure':
        findings.push(insecure(group));
        break;
      case 'secure':
        findings.push(secure(group));
        break;
      case 'indeterminate':
        findings.push(indeterminate(group));
        break;
    }
  }
  findings.push(...expiring(all, now), ...deprecated(all));
  return findings;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

function bogus(domain: string, group: readonly Validation[], blocks: boolean): Finding {
  const first = group[0] as Validation;
  const rrsets = group.map(rrsetName);
  const failed = first.failed;
  const who = blocks
    ? `validating resolvers (large mailbox providers, most ISP resolvers, Unbound and BIND by default) answer SERVFAIL for ${rrsets[0]}, so their senders defer mail to ${domain}, then bounce it`
    : `validating resolvers answer SERVFAIL for ${rrsets.join(', ')}`;
  const why = whyBogus(first);
  return finding({
    id: 'dnssec.bogus',
    status: 'fail',
    subject: first.zone,
    summary: `${why}. ${capital(who)}; senders behind non-validating resolvers still deliver.`,
    evidence: {
      zone: first.zone,
      reason: first.reason ?? 'bad-signature',
      rrsets,
      blocksDelivery: blocks,
      detail: first.detail,
      ...(failed ? { signature: signatureEvidence(failed) } : {}),
      chain: chainEvidence(first.chain),
      commands: reproduce(first),
    },
    remedy: remedyFor(first),
    ref:
      first.reason === 'ds-mismatch'
        ? 'RFC 4035 §5.2; RFC 6781 §4.1.2 (KSK rollover)'
        : first.reason === 'denial-proof-missing'
          ? first.wildcard
            ? 'RFC 4035 §5.3.4; RFC 5155 §8.8'
            : 'RFC 4035 §5.4; RFC 5155 §8'
          : REF,
  });
}

/** The headline's "why", with the date or the key tags: the summary's first clause. */
function whyBogus(v: Validation): string {
  const s = v.failed;
  const at = s ? ` (RRSIG ${s.type} ${s.owner}, key tag ${s.keyTag}, ${algorithm(s.algorithm).mnemonic})` : '';
  switch (v.reason) {
    case 'signature-expired':
      return `The DNSSEC signatures of ${v.zone} expired on ${s ? readableTime(s.expiration) : 'an earlier date'}${at}`;
    case 'signature-not-yet-valid':
      return `The DNSSEC signatures of ${v.zone} are valid only from ${s ? readableTime(s.inception) : 'a later date'}${at}`;
    case 'ds-mismatch': {
      const link = v.chain.find((l) => l.security === 'bogus');
      return `The DS record at the parent of ${v.zone} (key tag ${link?.dsTags.join(', ') ?? '?'}) matches no DNSKEY of the zone (key tags ${link?.keyTags.join(', ') || 'none'}), a botched key rollover`;
    }
    case 'no-signature':
      return `${rrsetName(v)} in the signed zone ${v.zone} carries no RRSIG`;
    case 'denial-proof-missing':
      return v.wildcard
        ? `${v.zone} answers ${rrsetName(v)} from the wildcard ${v.wildcard} without the signed NSEC or NSEC3 proof that no closer name exists`
        : `${v.zone} denies ${rrsetName(v)} without the signed NSEC or NSEC3 proof`;
    default:
      return `A DNSSEC signature in ${v.zone} does not verify${at}`;
  }
}

function remedyFor(v: Validation): string {
  switch (v.reason) {
    case 'signature-expired':
    case 'signature-not-yet-valid':
      return `Re-sign the zone ${v.zone} (check that the signer runs and its clock is right) and reload it on every nameserver; if it cannot be re-signed soon, remove the DS record at the registrar so validators treat the zone as unsigned.`;
    case 'ds-mismatch':
      return `Publish at the registrar a DS record for the KSK ${v.zone} now signs with (dnssec-dsfromkey or your DNS host's DS value), or sign the zone again with the key the DS names; then remove the stale DS.`;
    case 'denial-proof-missing':
      return `Serve the zone ${v.zone} with its NSEC or NSEC3 records and their signatures (re-sign it completely; check that every nameserver serves the signed copy).`;
    default:
      return `Re-sign the zone ${v.zone} completely and make every nameserver serve the same signed copy; check with the commands in the evidence.`;
  }
}

function secure(group: readonly Validation[]): Finding {
  const first = group[0] as Validation;
  const anchorLink = first.chain[0];
  return finding({
    id: 'dnssec.secure',
    status: 'pass',
    subject: first.zone,
    summary: `${group.map(rrsetName).join(', ')} validate${group.length === 1 ? 's' : ''} from the trust anchor${anchorLink ? ` at ${anchorLink.zone}` : ''} through ${first.chain.map((l) => l.zone).join(' -> ')}.`,
    evidence: {
      zone: first.zone,
      rrsets: group.map(rrsetName),
      negative: group.filter((v) => v.negative).map(rrsetName),
      wildcards: group.flatMap((v) => (v.wildcard ? [`${rrsetName(v)} from ${v.wildcard}`] : [])),
      chain: chainEvidence(first.chain),
      commands: reproduce(first),
    },
    ref: REF,
  });
}

function insecure(group: readonly Validation[]): Finding {
  const first = group[0] as Validation;
  return finding({
    id: 'dnssec.insecure',
    status: 'info',
    subject: first.zone,
    summary: `${first.zone} is not DNSSEC-signed as validators see it (${first.detail}), so ${group.map(rrsetName).join(', ')} ${group.length === 1 ? 'is' : 'are'} unvalidated: nothing breaks, but DANE cannot apply.`,
    evidence: {
      zone: first.zone,
      reason: first.reason ?? 'no-ds',
      rrsets: group.map(rrsetName),
      chain: chainEvidence(first.chain),
      commands: reproduce(first),
    },
    ref: 'RFC 4035 §5.2; RFC 7672 §2.2',
  });
}

function indeterminate(group: readonly Validation[]): Finding {
  const first = group[0] as Validation;
  const ours = first.reason === 'anchor-not-served' || first.reason === 'no-anchor';
  return finding({
    id: 'dnssec.indeterminate',
    // No anchor applies (a test bed's own root): validators return such answers unvalidated, never SERVFAIL.
    status: ours ? 'info' : 'error',
    subject: first.zone,
    summary: `DNSSEC could not be validated for ${group.map(rrsetName).join(', ')}: ${first.detail}.`,
    evidence: {
      zone: first.zone,
      reason: first.reason ?? 'lookup-failed',
      rrsets: group.map(rrsetName),
      commands: reproduce(first),
    },
    remedy:
      first.reason === 'anchor-mismatch' || ours
        ? 'Point MXOPS_TRUST_ANCHORS at the trust anchor of the namespace mxops checks (for the public DNS, the built-in root anchors).'
        : `Re-run the check; if it persists, ask why the servers named in the detail do not answer the DNSKEY and DS questions of ${first.zone} (the commands in the evidence reproduce them): validating resolvers ask the same and fail with them.`,
    ref: 'RFC 4035 §4.3',
  });
}

function expiring(all: readonly Validation[], now: Date): Finding[] {
  const soon = all
    .filter((v) => v.security === 'secure')
    .flatMap((v) => v.signatures)
    .filter((s) => s.problem === undefined && Date.parse(s.expiration) - now.getTime() < EXPIRING_WITHIN_MS);
  return groupBy(soon, (s) => s.signer).map((group) => {
    const first = [...group].sort(
      (a, b) => Date.parse(a.expiration) - Date.parse(b.expiration),
    )[0] as (typeof group)[number];
    const hours = Math.max(0, Math.round((Date.parse(first.expiration) - now.getTime()) / 3_600_000));
    return finding({
      id: 'dnssec.signature-expiring',
      status: 'warn',
      subject: first.signer,
      summary: `The RRSIG over ${first.type} ${first.owner} expires on ${readableTime(first.expiration)}, in about ${hours} hours: re-signing of ${first.signer} has likely stopped, and when it expires validating resolvers answer SERVFAIL.`,
      evidence: {
        zone: first.signer,
        expiring: [...new Map(group.map((s) => [`${s.type} ${s.owner} ${s.keyTag}`, signatureEvidence(s)])).values()],
        hoursLeft: hours,
      },
      remedy: `Check the signer of ${first.signer} (its automatic re-signing, its clock) and re-sign the zone now.`,
      ref: 'RFC 6781 §4.4.2 (signature validity periods)',
    });
  });
}

function deprecated(all: readonly Validation[]): Finding[] {
  const links = all.flatMap((v) => v.chain).filter((l) => l.security === 'secure');
  const byZone = new Map(links.map((l) => [l.zone, l]));
  return [...byZone.values()].flatMap((link) => {
    const oldAlgorithms = link.algorithms.filter((a) => algorithm(a).deprecated);
    const oldDigests =
      link.digestTypes.length > 0 && link.digestTypes.every((d) => digestType(d).deprecated) ? link.digestTypes : [];
    if (oldAlgorithms.length === 0 && oldDigests.length === 0) return [];
    const named = [
      ...oldAlgorithms.map((a) => `algorithm ${a} (${algorithm(a).mnemonic})`),
      ...oldDigests.map((d) => `DS digest ${d} (${digestType(d).mnemonic})`),
    ];
    return [
      finding({
        id: 'dnssec.algorithm-deprecated',
        status: 'warn',
        subject: link.zone,
        summary: `${link.zone} is signed with ${named.join(' and ')}, which RFC 8624 says zones should no longer use; validators that drop it will treat the zone as unsigned or reject it.`,
        evidence: {
          zone: link.zone,
          algorithms: oldAlgorithms.map((a) => `${a} (${algorithm(a).mnemonic})`),
          digestTypes: oldDigests.map((d) => `${d} (${digestType(d).mnemonic})`),
          keyTags: [...link.keyTags],
        },
        remedy: `Roll ${link.zone} to algorithm 13 (ECDSAP256SHA256) or 8 (RSASHA256), and publish SHA-256 (digest type 2) DS records.`,
        ref: 'RFC 8624 §3.1, §3.3',
      }),
    ];
  });
}

function capital(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
