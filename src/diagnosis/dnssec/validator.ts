/**
 * Validates RRsets a diagnosis depends on (the domain's MX, the MX hosts' A/AAAA, their TLSA)
 * from a trust anchor (RFC 4033-4035, RFC 5155, RFC 6840), asking the zones' own servers that the
 * delegation walk found, so a resolver's SERVFAIL cannot hide why. One per run: zones shared by
 * several names are validated once, and every packet goes through the run's DnsLookups.
 */
import { wallDate, type Clock } from '../../clock.js';
import type { DelegationWalker, ZoneCut } from '../delegation/walk.js';
import type { DnsLookups } from '../dns-lookups.js';
import type { QueryType } from '../dns-port.js';
import { judgeAnswer, type AnswerVerdict } from './answer-rrset.js';
import { proveNoData, proveNxdomain } from './denial.js';
import { askWithDnssec, failureText } from './dnssec-queries.js';
import { typeCode } from './rr-types.js';
import type { TrustAnchor } from './trust-anchors.js';
import type { Step, Validation } from './validation.js';
import { bare, rrsetOf, wireRecords } from './wire-records.js';
import { nameToWire } from './wire-name.js';
import { recordsOf, verifiedDenials, ZoneKeyChain, type ZoneKeys } from './zone-keys.js';

/** CNAMEs followed from a name before giving up, as resolvers bound them. */
const MAX_ALIASES = 4;

export class DnssecValidator {
  private readonly memo = new Map<string, Promise<Validation>>();
  private readonly chain: ZoneKeyChain;

  /** The root as the walk starts from it, when every anchor is the root's: its keys are checked before any name is walked. */
  private readonly rootCut: ZoneCut | undefined;

  constructor(
    private readonly dns: DnsLookups,
    private readonly walker: DelegationWalker,
    anchors: readonly TrustAnchor[],
    private readonly clock: Clock,
  ) {
    this.chain = new ZoneKeyChain({ dns, anchors, clock, serversOf: (cut) => this.serversOf(cut) });
    const roots = dns.settings.rootHints.filter((h) => !h.address.includes(':'));
    this.rootCut = anchors.every((a) => a.zone === '')
      ? { zone: '.', nsHosts: roots.map((h) => h.host), glue: roots }
      : undefined;
  }

  validate(name: string, type: QueryType): Promise<Validation> {
    const key = `${bare(name)}|${type}`;
    let result = this.memo.get(key);
    if (!result) {
      result = this.work(bare(name), type, 0);
      this.memo.set(key, result);
    }
    return result;
  }

  private async serversOf(cut: ZoneCut) {
    return this.walker.serversOf(cut.nsHosts, cut.glue);
  }

  private async work(name: string, type: QueryType, aliases: number): Promise<Validation> {
    // Where the root's keys cannot be had or do not match the anchor, no name below can validate:
    // say so once, without walking every name (a test bed's unsigned root costs one query).
    if (this.rootCut) {
      const root = await this.chain.keysFor([this.rootCut]);
      if (root.security === 'indeterminate') return fromZone(name, type, root);
    }
    const delegation = await this.walker.delegation(name);
    if (!delegation.ok) {
      return undecided(
        name,
        type,
        delegation.zone,
        'lookup-failed',
        `the delegation of ${name} could not be followed from the root (${delegation.reason})`,
      );
    }
    const last = delegation.cuts[delegation.cuts.length - 1];
    // The RRset itself is asked at once, alongside the DS and DNSKEY questions of the chain.
    const answer = last
      ? this.serversOf(last).then((servers) => askWithDnssec(this.dns, servers, name, type))
      : undefined;
    const zone = await this.chain.keysFor(delegation.cuts);
    if (zone.security !== 'secure' || !answer) return fromZone(name, type, zone);
    const reply = await answer;
    const zoneWire = nameToWire(zone.zone === '' ? '.' : zone.zone);
    const step: Step = { name, type, server: reply.ok ? this.dns.authoritative(reply.server.address) : undefined };
    if (!reply.ok)
      return {
        ...fromZone(name, type, zone),
        security: 'indeterminate',
        reason: 'lookup-failed',
        detail: `no server of ${zone.zone} answered ${type} ${name} (${failureText(reply)})`,
        step,
      };
    const records = recordsOf(reply, 'answers');
    const code = typeCode(type);
    const set = rrsetOf(records, name, code);
    const secure = (detail: string, extra: Validation['signatures'] = [], negative = false): Validation => ({
      ...fromZone(name, type, zone),
      detail,
      signatures: [...zone.signatures, ...extra],
      step,
      negative,
    });
    const authority = wireRecords(reply.reply.authorities);
    const refused = (answer: Exclude<AnswerVerdict, { kind: 'secure' }>): Validation => ({
      ...fromZone(name, type, zone),
      step,
      negative: false,
      ...(answer.kind === 'bogus'
        ? { security: 'bogus', reason: answer.reason, detail: answer.detail, failed: answer.failed }
        : { security: 'insecure', reason: 'nsec3-opt-out', detail: answer.detail, failed: undefined }),
      ...(answer.kind === 'bogus' && answer.wildcard ? { wildcard: answer.wildcard } : {}),
    });
    if (set.length > 0) {
      const answer = judgeAnswer({ rrset: set, records, authority, name, type, zone, now: wallDate(this.clock) });
      if (answer.kind !== 'secure') return refused(answer);
      const validated = reply.reply.answers.filter((r) => r.wire?.typeCode === code && bare(r.name) === name);
      return {
        ...secure(
          answer.wildcard
            ? `${type} ${name} is synthesised from the wildcard ${answer.wildcard} of ${zone.zone}, which validates from the trust anchor with the proof that no closer name exists`
            : `${type} ${name} is signed by ${zone.zone} and validates from the trust anchor`,
          answer.signatures,
        ),
        records: validated,
        ...(answer.wildcard ? { wildcard: answer.wildcard } : {}),
      };
    }
    const cname = rrsetOf(records, name, typeCode('CNAME'));
    if (cname.length > 0) {
      const answer = judgeAnswer({
        rrset: cname,
        records,
        authority,
        name,
        type: 'CNAME',
        zone,
        now: wallDate(this.clock),
      });
      if (answer.kind !== 'secure') return refused(answer);
      const target = wireRecords(reply.reply.answers).find((r) => r.type === typeCode('CNAME') && r.name === name);
      if (!target || aliases >= MAX_ALIASES)
        return secure(`CNAME ${name} validates; its target was not followed`, answer.signatures);
      const targetName = bare(decodeName(target.rdata));
      const followed = await this.work(targetName, type, aliases + 1);
      return { ...followed, name, detail: `${name} is an alias (CNAME, secure) of ${targetName}: ${followed.detail}` };
    }
    const verified = verifiedDenials(authority, zone, wallDate(this.clock));
    const owner = nameToWire(name);
    const denial =
      reply.reply.rcode === 'NXDOMAIN'
        ? proveNxdomain(verified.records, zoneWire, owner)
        : proveNoData(verified.records, zoneWire, owner, code);
    if (!denial.proven) {
      return {
        ...fromZone(name, type, zone),
        security: 'bogus',
        reason: 'denial-proof-missing',
        detail: `${zone.zone} answers ${reply.reply.rcode === 'NXDOMAIN' ? 'that ' + name + ' does not exist' : 'that ' + name + ' has no ' + type + ' record'} but does not prove it (${denial.why})`,
        failed: verified.failed,
        step,
        negative: true,
      };
    }
    const what = reply.reply.rcode === 'NXDOMAIN' ? `${name} does not exist` : `${name} has no ${type} record`;
    return secure(
      `${what}, proven by signed ${denial.by.toUpperCase()} records of ${zone.zone}`,
      verified.signatures,
      true,
    );
  }
}

function decodeName(rdata: Uint8Array): string {
  const labels: string[] = [];
  for (let offset = 0; offset < rdata.length && rdata[offset] !== 0; offset += (rdata[offset] ?? 0) + 1) {
    labels.push(Buffer.from(rdata.subarray(offset + 1, offset + 1 + (rdata[offset] ?? 0))).toString('latin1'));
  }
  return labels.join('.');
}

function fromZone(name: string, type: string, zone: ZoneKeys): Validation {
  return {
    name,
    type,
    security: zone.security,
    zone: zone.zone === '' ? '.' : zone.zone,
    reason: zone.reason,
    detail: zone.detail,
    chain: zone.chain,
    signatures: zone.signatures,
    failed: zone.failed,
    step: zone.step,
    negative: false,
  };
}

function undecided(name: string, type: string, zone: string, reason: 'lookup-failed', detail: string): Validation {
  return {
    name,
    type,
    security: 'indeterminate',
    zone,
    reason,
    detail,
    chain: [],
    signatures: [],
    failed: undefined,
    step: undefined,
    negative: false,
  };
}
