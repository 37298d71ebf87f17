/**
 * The chain of trust down the zone cuts (RFC 4035 §5): the anchored zone's DNSKEY RRset signed by a
 * key an anchor names, then for each child the parent's signed DS RRset (or the parent's signed
 * proof that there is none: an insecure delegation) and the child's DNSKEY RRset signed by a key a
 * DS names. Each zone's verdict is worked out once per run.
 */
import { wallDate } from '../../clock.js';
import type { NameserverAddress, ZoneCut } from '../delegation/walk.js';
import { formatServer, type DnsServer } from '../dns-port.js';
import { algorithm, digestType } from './algorithms.js';
import { proveNoData } from './denial.js';
import { askWithDnssec, failureText, type ZoneAnswer } from './dnssec-queries.js';
import { dsMatches } from './ds-digest.js';
import { parseDnskey, parseDs, REVOKE, type DnskeyData } from './rdata.js';
import { RR_TYPE } from './rr-types.js';
import { signatureInfo, type ValidationContext } from './signature-info.js';
import type { TrustAnchor } from './trust-anchors.js';
import type { BogusReason, IndeterminateReason, Security, SignatureInfo, Step, ZoneLink } from './validation.js';
import { checkRrset, type RrsetCheck } from './verify-rrset.js';
import { bare, rrsetOf, signaturesOver, wireRecords, type WireRecord } from './wire-records.js';
import { nameToWire, signedLabelCount } from './wire-name.js';

export interface ZoneKeys {
  readonly zone: string;
  readonly security: Security;
  readonly reason: BogusReason | IndeterminateReason | 'no-ds' | 'unsupported-algorithm' | undefined;
  readonly detail: string;
  /** The zone's DNSKEYs, trusted: only when secure. */
  readonly keys: readonly DnskeyData[];
  /** From the anchor down to this zone. */
  readonly chain: readonly ZoneLink[];
  readonly signatures: readonly SignatureInfo[];
  readonly failed: SignatureInfo | undefined;
  readonly step: Step | undefined;
  /** Where to ask for the zone's own records. */
  readonly servers: readonly NameserverAddress[];
}

const DS = RR_TYPE.DS as number;
const DNSKEY = RR_TYPE.DNSKEY as number;

/** Undefined when the records came from no server (the DnsLookups' failures are in `answer`). */
export function recordsOf(answer: ZoneAnswer, section: 'answers' | 'authorities'): WireRecord[] {
  return answer.ok ? wireRecords(answer.reply[section]) : [];
}

const display = (zone: string): string => (zone === '' ? '.' : zone);

export class ZoneKeyChain {
  private readonly memo = new Map<string, Promise<ZoneKeys>>();

  constructor(private readonly context: ValidationContext) {}

  /** The verdict for the last zone of `cuts` (a path from the root down, as the delegation walk found it). */
  keysFor(cuts: readonly ZoneCut[]): Promise<ZoneKeys> {
    const last = cuts[cuts.length - 1];
    if (!last) return Promise.resolve(this.indeterminate('', 'no-anchor', 'no zone to validate', [], []));
    const zone = bare(last.zone);
    let keys = this.memo.get(zone);
    if (!keys) {
      keys = this.work(cuts);
      this.memo.set(zone, keys);
    }
    return keys;
  }

  private async work(cuts: readonly ZoneCut[]): Promise<ZoneKeys> {
    const last = cuts[cuts.length - 1] as ZoneCut;
    const zone = bare(last.zone);
    const servers = await this.context.serversOf(last);
    const anchors = this.context.anchors.filter((a) => a.zone === zone);
    // RFC 4035 §4.4: the closest trust anchor above a name is where its validation starts.
    if (anchors.length > 0) {
      this.prefetch(servers, zone, 'DNSKEY');
      return this.fromAnchors(zone, anchors, servers);
    }
    const parentCuts = cuts.slice(0, -1);
    const parentCut = parentCuts[parentCuts.length - 1];
    if (!parentCut)
      return this.indeterminate(zone, 'no-anchor', `no trust anchor covers ${display(zone)}`, [], servers);
    // Both questions go out now, concurrently with the chain above (RFC 4035 §5: DS at the parent, DNSKEY at the child).
    const parentServers = await this.context.serversOf(parentCut);
    const dsAnswer = askWithDnssec(this.context.dns, parentServers, zone === '' ? '.' : zone, 'DS');
    this.prefetch(servers, zone, 'DNSKEY');
    const parent = await this.keysFor(parentCuts);
    if (parent.security !== 'secure') return { ...parent, zone: parent.zone, servers };
    return this.fromParent(zone, parent, await dsAnswer, servers);
  }

  private prefetch(servers: readonly NameserverAddress[], zone: string, type: 'DNSKEY'): void {
    void askWithDnssec(this.context.dns, servers, zone === '' ? '.' : zone, type);
  }

  private async fromAnchors(
    zone: string,
    anchors: readonly TrustAnchor[],
    servers: readonly NameserverAddress[],
  ): Promise<ZoneKeys> {
    const answer = await askWithDnssec(this.context.dns, servers, zone === '' ? '.' : zone, 'DNSKEY');
    const step: Step = {
      name: display(zone),
      type: 'DNSKEY',
      server: answer.ok ? this.context.dns.authoritative(answer.server.address) : undefined,
    };
    // Servers that answer, but not for the anchored zone (REFUSED, a referral): a namespace the anchor is not for.
    const answered = !answer.ok && answer.outcomes.some((o) => o.ok);
    if (!answer.ok && !answered)
      return this.indeterminate(
        zone,
        'lookup-failed',
        `no server of ${display(zone)} answered DNSKEY ${display(zone)} (${failureText(answer)})`,
        [],
        servers,
        step,
      );
    const records = recordsOf(answer, 'answers');
    const keys = dnskeys(rrsetOf(records, zone, DNSKEY));
    if (keys.length === 0)
      return this.indeterminate(
        zone,
        'anchor-not-served',
        `the servers of ${display(zone)} serve no DNSKEY for it, so the trust anchor cannot be used (a test bed with its own root needs MXOPS_TRUST_ANCHORS)`,
        [],
        servers,
        step,
      );
    const owner = nameToWire(display(zone));
    const trusted = keys.filter((k) =>
      anchors.some((a) => (a.kind === 'DS' ? dsMatches(a.ds, owner, k) : Buffer.compare(a.key.rdata, k.rdata) === 0)),
    );
    const link = linkOf(
      zone,
      'secure',
      anchors.map((a) => (a.kind === 'DS' ? a.ds.keyTag : a.key.keyTag)),
      keys,
      anchors.flatMap((a) => (a.kind === 'DS' ? [a.ds.digestType] : [])),
      step.server,
    );
    if (trusted.length === 0) {
      return this.indeterminate(
        zone,
        'anchor-mismatch',
        `no DNSKEY of ${display(zone)} (key tags ${tags(keys)}) matches the trust anchors (key tags ${link.dsTags.join(', ')})`,
        [{ ...link, security: 'indeterminate' }],
        servers,
        step,
      );
    }
    const check = checkRrset(
      rrsetOf(records, zone, DNSKEY),
      signaturesOver(records, zone, DNSKEY),
      trusted,
      owner,
      wallDate(this.context.clock),
    );
    return this.judgeKeys(zone, keys, check, link, [], [], servers, step);
  }

  private async fromParent(
    zone: string,
    parent: ZoneKeys,
    dsAnswer: ZoneAnswer,
    servers: readonly NameserverAddress[],
  ): Promise<ZoneKeys> {
    const now = (): Date => wallDate(this.context.clock);
    const owner = nameToWire(display(zone));
    const parentZone = nameToWire(display(parent.zone));
    const dsStep: Step = {
      name: display(zone),
      type: 'DS',
      server: dsAnswer.ok ? this.context.dns.authoritative(dsAnswer.server.address) : undefined,
    };
    if (!dsAnswer.ok)
      return this.indeterminate(
        zone,
        'lookup-failed',
        `no server of ${display(parent.zone)} answered DS ${display(zone)} (${failureText(dsAnswer)})`,
        parent.chain,
        servers,
        dsStep,
      );
    const dsRecords = recordsOf(dsAnswer, 'answers');
    const dsSet = rrsetOf(dsRecords, zone, DS);
    if (dsSet.length === 0) {
      const authority = recordsOf(dsAnswer, 'authorities');
      const verified = verifiedDenials(authority, parent, now());
      const denial = proveNoData(verified.records, parentZone, owner, DS);
      if (!denial.proven) {
        return this.bogus(
          zone,
          'denial-proof-missing',
          `${display(parent.zone)} answers that ${display(zone)} has no DS record but does not prove it (${denial.why})`,
          parent,
          servers,
          dsStep,
          verified.failed,
        );
      }
      return {
        zone,
        security: 'insecure',
        reason: 'no-ds',
        detail: `${display(parent.zone)} proves (${denial.by.toUpperCase()}) that ${display(zone)} has no DS record: the delegation is unsigned`,
        keys: [],
        chain: [...parent.chain, linkOf(zone, 'insecure', [], [], [], undefined)],
        signatures: [...parent.signatures, ...verified.signatures],
        failed: undefined,
        step: dsStep,
        servers,
      };
    }
    const dsCheck = checkRrset(dsSet, signaturesOver(dsRecords, zone, DS), parent.keys, parentZone, now());
    const dsSignatures = dsCheck.checks.map((c) => signatureInfo(c, zone === '' ? '.' : zone, 'DS'));
    if (!dsCheck.ok)
      return this.bogus(
        zone,
        bogusReason(dsCheck.problem),
        `the DS RRset of ${display(zone)} at ${display(parent.zone)} does not validate: ${describeProblem(dsCheck)}`,
        parent,
        servers,
        dsStep,
        dsSignatures.find((s) => s.problem !== undefined),
      );
    const dsData = dsSet.flatMap((r) => {
      try {
        return [parseDs(r.rdata)];
      } catch {
        return [];
      }
    });
    // RFC 4035 §5.2 and RFC 6840 §5.2: DS records we cannot use count as absent; with none usable the child is insecure.
    const usable = dsData.filter((d) => algorithm(d.algorithm).verify && digestType(d.digestType).hash);
    const answer = await askWithDnssec(this.context.dns, servers, zone === '' ? '.' : zone, 'DNSKEY');
    const step: Step = {
      name: display(zone),
      type: 'DNSKEY',
      server: answer.ok ? this.context.dns.authoritative(answer.server.address) : undefined,
    };
    const signaturesSoFar = [...parent.signatures, ...dsSignatures.filter((s) => s.problem === undefined)];
    if (usable.length === 0) {
      return {
        zone,
        security: 'insecure',
        reason: 'unsupported-algorithm',
        detail: `the DS records of ${display(zone)} use only algorithms or digests we cannot validate (${dsData.map((d) => `${algorithm(d.algorithm).mnemonic}/${digestType(d.digestType).mnemonic}`).join(', ')}), so validators treat it as unsigned`,
        keys: [],
        chain: [
          ...parent.chain,
          linkOf(
            zone,
            'insecure',
            dsData.map((d) => d.keyTag),
            [],
            dsData.map((d) => d.digestType),
            step.server,
          ),
        ],
        signatures: signaturesSoFar,
        failed: undefined,
        step: dsStep,
        servers,
      };
    }
    if (!answer.ok)
      return this.indeterminate(
        zone,
        'lookup-failed',
        `no server of ${display(zone)} answered DNSKEY ${display(zone)} (${failureText(answer)})`,
        parent.chain,
        servers,
        step,
      );
    const records = recordsOf(answer, 'answers');
    const keys = dnskeys(rrsetOf(records, zone, DNSKEY));
    const link = linkOf(
      zone,
      'secure',
      usable.map((d) => d.keyTag),
      keys,
      usable.map((d) => d.digestType),
      step.server,
    );
    const named = keys.filter((k) => usable.some((d) => dsMatches(d, owner, k)));
    if (named.length === 0) {
      const why = keys.length === 0 ? `${display(zone)} serves no DNSKEY` : `its DNSKEYs have key tags ${tags(keys)}`;
      return this.bogus(
        zone,
        'ds-mismatch',
        `the DS record${usable.length === 1 ? '' : 's'} for ${display(zone)} at ${display(parent.zone)} (key tag${usable.length === 1 ? '' : 's'} ${usable.map((d) => d.keyTag).join(', ')}) match${usable.length === 1 ? 'es' : ''} no DNSKEY of the zone: ${why}`,
        { ...parent, signatures: signaturesSoFar, chain: [...parent.chain, { ...link, security: 'bogus' }] },
        servers,
        step,
        undefined,
        true,
      );
    }
    const check = checkRrset(
      rrsetOf(records, zone, DNSKEY),
      signaturesOver(records, zone, DNSKEY),
      named,
      owner,
      now(),
    );
    return this.judgeKeys(zone, keys, check, link, parent.chain, signaturesSoFar, servers, step);
  }

  private judgeKeys(
    zone: string,
    keys: readonly DnskeyData[],
    check: RrsetCheck,
    link: ZoneLink,
    above: readonly ZoneLink[],
    signatures: readonly SignatureInfo[],
    servers: readonly NameserverAddress[],
    step: Step,
  ): ZoneKeys {
    const infos = check.checks.map((c) => signatureInfo(c, display(zone), 'DNSKEY'));
    if (!check.ok) {
      // Signed only by keys no DS (or anchor) names: the rollover left the parent behind.
      const reason = check.problem === 'no-matching-key' ? 'ds-mismatch' : bogusReason(check.problem);
      return {
        zone,
        security: 'bogus',
        reason,
        detail: `the DNSKEY RRset of ${display(zone)} is not validly signed by a key its DS records (key tags ${link.dsTags.join(', ')}) name: ${describeProblem(check)}`,
        keys: [],
        chain: [...above, { ...link, security: 'bogus' }],
        signatures,
        failed: infos.find((s) => s.problem !== undefined),
        step,
        servers,
      };
    }
    const zoneKeys = keys.filter((k) => (k.flags & REVOKE) === 0);
    return {
      zone,
      security: 'secure',
      reason: undefined,
      detail: `${display(zone)} is signed and its keys validate from the trust anchor`,
      keys: zoneKeys,
      chain: [...above, link],
      signatures: [...signatures, ...infos.filter((s) => s.problem === undefined)],
      failed: undefined,
      step,
      servers,
    };
  }

  private bogus(
    zone: string,
    reason: BogusReason,
    detail: string,
    parent: ZoneKeys,
    servers: readonly NameserverAddress[],
    step: Step,
    failed: SignatureInfo | undefined,
    chainDone = false,
  ): ZoneKeys {
    return {
      zone,
      security: 'bogus',
      reason,
      detail,
      keys: [],
      chain: chainDone ? parent.chain : [...parent.chain, linkOf(zone, 'bogus', [], [], [], undefined)],
      signatures: parent.signatures,
      failed,
      step,
      servers,
    };
  }

  private indeterminate(
    zone: string,
    reason: IndeterminateReason,
    detail: string,
    chain: readonly ZoneLink[],
    servers: readonly NameserverAddress[],
    step?: Step,
  ): ZoneKeys {
    return {
      zone,
      security: 'indeterminate',
      reason,
      detail,
      keys: [],
      chain,
      signatures: [],
      failed: undefined,
      step,
      servers,
    };
  }
}

/** NSEC/NSEC3 records whose signatures verify with the zone's keys: only those prove anything. */
export function verifiedDenials(
  authority: readonly WireRecord[],
  zone: ZoneKeys,
  now: Date,
): { records: WireRecord[]; signatures: SignatureInfo[]; failed: SignatureInfo | undefined } {
  const records: WireRecord[] = [];
  const signatures: SignatureInfo[] = [];
  let failed: SignatureInfo | undefined;
  const zoneWire = nameToWire(display(zone.zone));
  for (const type of [RR_TYPE.NSEC as number, RR_TYPE.NSEC3 as number]) {
    for (const owner of new Set(authority.filter((r) => r.type === type).map((r) => r.name))) {
      const set = rrsetOf(authority, owner, type);
      const check = checkRrset(set, signaturesOver(authority, owner, type), zone.keys, zoneWire, now);
      const infos = check.checks.map((c) => signatureInfo(c, owner, type === RR_TYPE.NSEC ? 'NSEC' : 'NSEC3'));
      // NSEC and NSEC3 are never synthesised from a wildcard (RFC 4592 §4.4): a wildcard's NSEC replayed
      // under another owner verifies as an expansion, and would deny names that exist.
      const expanded = check.ok && check.by.signature.data.labels < signedLabelCount((set[0] as WireRecord).owner);
      if (check.ok && !expanded) {
        records.push(...set);
        signatures.push(...infos.filter((s) => s.problem === undefined));
      } else failed ??= infos.find((s) => s.problem !== undefined);
    }
  }
  return { records, signatures, failed };
}

function dnskeys(records: readonly WireRecord[]): DnskeyData[] {
  return records.flatMap((r) => {
    try {
      return [parseDnskey(r.rdata)];
    } catch {
      return [];
    }
  });
}

function linkOf(
  zone: string,
  security: Security,
  dsTags: readonly number[],
  keys: readonly DnskeyData[],
  digestTypes: readonly number[],
  server: DnsServer | undefined,
): ZoneLink {
  return {
    zone: display(zone),
    security,
    dsTags: [...new Set(dsTags)],
    keyTags: keys.map((k) => k.keyTag),
    algorithms: [...new Set(keys.map((k) => k.algorithm))],
    digestTypes: [...new Set(digestTypes)],
    server: server ? formatServer(server) : undefined,
  };
}

function tags(keys: readonly DnskeyData[]): string {
  return keys.map((k) => `${k.keyTag} (${algorithm(k.algorithm).mnemonic}${k.flags & 1 ? ', KSK' : ''})`).join(', ');
}

export function bogusReason(
  problem: RrsetCheck extends infer C ? (C extends { ok: false; problem: infer P } ? P : never) : never,
): BogusReason {
  switch (problem) {
    case 'signature-expired':
    case 'signature-not-yet-valid':
    case 'no-signature':
      return problem;
    default:
      return 'bad-signature';
  }
}

export function describeProblem(check: Extract<RrsetCheck, { ok: false }>): string {
  if (check.problem === 'no-signature') return 'it carries no RRSIG';
  const failing = check.checks.find((c) => c.problem === check.problem) ?? check.checks[0];
  if (!failing) return check.problem;
  const { data } = failing.signature;
  const what = `the RRSIG by key tag ${data.keyTag} (${algorithm(data.algorithm).mnemonic})`;
  switch (check.problem) {
    case 'signature-expired':
      return `${what} expired on ${failing.expiration.toISOString()}`;
    case 'signature-not-yet-valid':
      return `${what} is valid only from ${failing.inception.toISOString()}`;
    case 'no-matching-key':
      return `${what} names a key the zone does not publish`;
    case 'unsupported-algorithm':
      return `${what} uses an algorithm we cannot verify`;
    case 'wrong-signer':
      return `${what} is not made by the zone`;
    default:
      return `${what} does not verify`;
  }
}
