import type * as PublicSuffixList from 'tldts';
import type { Check, CheckContext } from '../check.js';
import type { DnsLookups, QueryOutcome } from '../dns-lookups.js';
import { isDmarcRecord, parseDmarcRecord, type DmarcRecord } from '../dmarc-record.js';
import { finding, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';
import { txtRecords } from '../txt-records.js';

/** Where the policy came from: the domain's own _dmarc name, or its organizational domain's. */
interface Found {
  /** The TXT owner name, e.g. _dmarc.partner.test. */
  readonly name: string;
  /** The domain the policy was retrieved for: the checked domain or its organizational domain. */
  readonly policyDomain: string;
  readonly inherited: boolean;
  readonly records: readonly string[];
}

/** DMARC (RFC 7489): one valid record for the domain, an enforcing policy, authorised report addresses. */
export const dmarcCheck: Check = {
  name: 'dmarc',
  async run({ domain, dns }: CheckContext): Promise<Finding[]> {
    const { getDomain } = await publicSuffixList();
    const organizationalDomain = (name: string): string => getDomain(name)?.toLowerCase() ?? name.toLowerCase();
    const org = organizationalDomain(domain);
    const ownName = `_dmarc.${domain}`;
    const orgName = `_dmarc.${org}`;
    // The organizational domain's record is only needed when the domain has none, but asking
    // for both at once saves a round trip in that case and costs one packet otherwise.
    const [own, orgOutcome] = await Promise.all([
      dns.recursive(ownName, 'TXT'),
      org === domain ? undefined : dns.recursive(orgName, 'TXT'),
    ]);
    const ownFailed = inconclusive(own, ownName, 'dmarc');
    if (ownFailed) return [ownFailed];
    let found: Found = { name: ownName, policyDomain: domain, inherited: false, records: dmarcRecords(own) };
    // RFC 7489 §6.6.3 steps 3-4: only when the domain has no DMARC record at all does the
    // organizational domain's apply; several records at the domain end discovery there.
    if (found.records.length === 0 && orgOutcome) {
      const orgFailed = inconclusive(orgOutcome, orgName, 'dmarc');
      if (orgFailed) return [orgFailed];
      found = { name: orgName, policyDomain: org, inherited: true, records: dmarcRecords(orgOutcome) };
    }
    if (found.records.length === 0) return [missing(domain, org, own, orgOutcome)];
    if (found.records.length > 1) {
      return [
        finding({
          id: 'dmarc.multiple-records',
          status: 'fail',
          subject: found.name,
          summary: `${found.name} holds ${found.records.length} DMARC records, so receivers apply no DMARC policy to mail from ${domain} at all.`,
          evidence: {
            name: found.name,
            records: [...found.records],
            count: found.records.length,
            inherited: found.inherited,
          },
          remedy: `Keep exactly one TXT record starting with "v=DMARC1" at ${found.name} and delete the others.`,
          ref: 'RFC 7489 §6.6.3',
        }),
      ];
    }
    const text = found.records[0] ?? '';
    const parsed = parseDmarcRecord(text);
    if (!parsed.ok) {
      return [
        finding({
          id: 'dmarc.syntax',
          status: 'fail',
          subject: found.name,
          summary: `The DMARC record at ${found.name} has ${parsed.errors.length === 1 ? 'an error' : `${parsed.errors.length} errors`}, so receivers may ignore it: ${parsed.errors[0]?.message ?? ''}.`,
          evidence: {
            name: found.name,
            record: text,
            inherited: found.inherited,
            errors: parsed.errors.map((e) => ({ tag: e.tag, message: e.message })),
          },
          remedy:
            'Correct the tags named in the evidence: "v=DMARC1" first, then "p=none|quarantine|reject", tags separated by ";".',
          ref: 'RFC 7489 §6.3, §6.4',
        }),
      ];
    }
    return judgeRecord(domain, found, parsed.record, dns, organizationalDomain);
  },
};

async function judgeRecord(
  domain: string,
  found: Found,
  record: DmarcRecord,
  dns: DnsLookups,
  organizationalDomain: (name: string) => string,
): Promise<Finding[]> {
  // A policy found at the organizational domain reaches a subdomain through sp=, if set
  // (RFC 7489 §6.3 "sp", §6.6.3).
  const policy = found.inherited ? (record.sp ?? record.p) : record.p;
  const policyTag = found.inherited && record.sp ? 'sp' : 'p';
  const where = {
    name: found.name,
    record: record.text,
    inherited: found.inherited,
    policy,
    policyTag,
    pct: record.pct ?? 100,
  };
  const findings: Finding[] = [];
  if (policy === 'none') {
    findings.push(
      finding({
        id: 'dmarc.policy-none',
        status: 'warn',
        subject: domain,
        summary: `The DMARC policy for ${domain} is ${policyTag}=none${found.inherited ? ` (inherited from ${found.name})` : ''}: it only asks for reports, so receivers still deliver mail that fails DMARC.`,
        evidence: where,
        remedy:
          'Once the aggregate reports show that every legitimate sender passes, move to p=quarantine and then p=reject.',
        ref: 'RFC 7489 §6.3',
      }),
    );
  }
  if (record.rua.length === 0) findings.push(noReports(found, record));
  findings.push(...(await checkReportDestinations(found, record, dns, organizationalDomain)));
  if (!findings.some((f) => f.status === 'error' || f.status === 'fail' || f.status === 'warn')) {
    const pct = record.pct !== undefined && record.pct < 100 ? `, applied to ${record.pct}% of failing mail` : '';
    findings.push(
      finding({
        id: 'dmarc.ok',
        status: 'pass',
        subject: domain,
        summary: `DMARC policy ${policyTag}=${policy} for ${domain}${found.inherited ? `, inherited from ${found.name}` : ''}${pct}.`,
        evidence: { ...where, rua: record.rua.map((u) => u.uri), ruf: record.ruf.map((u) => u.uri) },
        ref: 'RFC 7489 §6.3',
      }),
    );
  }
  return findings;
}

/**
 * Without rua= no receiver sends aggregate reports (RFC 7489 §6.3, §7.2), so the domain owner never
 * learns which senders fail DMARC. The policy still applies, so this is info, not a fault;
 * ruf= alone does not count: failure reports are rarely sent at all.
 */
function noReports(found: Found, record: DmarcRecord): Finding {
  return finding({
    id: 'dmarc.no-reports',
    status: 'info',
    subject: found.name,
    summary: `The DMARC record at ${found.name} has no rua= tag, so no aggregate reports are requested and the owner of ${found.policyDomain} will not hear about mail that fails DMARC.`,
    evidence: { name: found.name, record: record.text, inherited: found.inherited, ruf: record.ruf.map((u) => u.uri) },
    remedy: `Add rua=mailto: with a mailbox that someone (or a report service) reads to the record at ${found.name}, e.g. "rua=mailto:dmarc-reports@${found.policyDomain}".`,
    ref: 'RFC 7489 §6.3',
  });
}

/**
 * Reports sent to another organization's domain need that domain's consent: a v=DMARC1 TXT at
 * <policy domain>._report._dmarc.<destination> (RFC 7489 §7.1). All destinations are asked at once.
 */
async function checkReportDestinations(
  found: Found,
  record: DmarcRecord,
  dns: DnsLookups,
  organizationalDomain: (name: string) => string,
): Promise<Finding[]> {
  const ownOrg = organizationalDomain(found.policyDomain);
  const destinations = new Map<string, Set<string>>();
  for (const [tag, uris] of [
    ['rua', record.rua],
    ['ruf', record.ruf],
  ] as const) {
    for (const uri of uris) {
      if (organizationalDomain(uri.domain) === ownOrg) continue;
      const tags = destinations.get(uri.domain) ?? new Set<string>();
      tags.add(tag);
      destinations.set(uri.domain, tags);
    }
  }
  return Promise.all(
    [...destinations].map(async ([destination, tags]) => {
      const name = `${found.policyDomain}._report._dmarc.${destination}`;
      const outcome = await dns.recursive(name, 'TXT');
      const failed = inconclusive(outcome, name, 'dmarc');
      if (failed) return failed;
      const consent = dmarcRecords(outcome);
      const evidence = {
        destination,
        tags: [...tags],
        authorizationName: name,
        authorizationRecords: consent,
        rcode: outcome.ok ? outcome.reply.rcode : outcome.error.code,
      };
      if (consent.length > 0) {
        return finding({
          id: 'dmarc.external-rua',
          status: 'info',
          subject: found.name,
          summary: `DMARC reports for ${found.policyDomain} go to ${destination}, which has published its consent at ${name}.`,
          evidence,
          ref: 'RFC 7489 §7.1',
        });
      }
      return finding({
        id: 'dmarc.external-rua-unauthorized',
        status: 'warn',
        subject: found.name,
        summary: `DMARC reports for ${found.policyDomain} go to ${destination}, which has not authorised them at ${name}, so receivers will not send those reports.`,
        evidence,
        remedy: `Ask the operator of ${destination} to publish a TXT record "v=DMARC1" at ${name} (or a wildcard *._report._dmarc.${destination}), or send reports to an address in ${ownOrg}.`,
        ref: 'RFC 7489 §7.1',
      });
    }),
  );
}

function missing(domain: string, org: string, own: QueryOutcome, orgOutcome: QueryOutcome | undefined): Finding {
  const asked = [`_dmarc.${domain}`, ...(orgOutcome ? [`_dmarc.${org}`] : [])];
  return finding({
    id: 'dmarc.missing',
    status: 'warn',
    subject: domain,
    summary: `${domain} publishes no DMARC record${orgOutcome ? `, nor does its organizational domain ${org}` : ''}, so receivers apply no DMARC policy and send no reports.`,
    evidence: {
      asked,
      rcodes: [own, ...(orgOutcome ? [orgOutcome] : [])].map((o) => (o.ok ? o.reply.rcode : o.error.code)),
      txtRecords: [...txtRecords(own), ...(orgOutcome ? txtRecords(orgOutcome) : [])],
    },
    remedy: `Publish a TXT record at _dmarc.${org} such as "v=DMARC1; p=none; rua=mailto:dmarc-reports@${org}", read the reports, then tighten p.`,
    ref: 'RFC 7489 §6.6.3',
  });
}

/**
 * The Public Suffix List, for the organizational domain (RFC 7489 §3.2; the name itself when it has
 * none). Loaded when the check runs, not when the diagnosis is imported: its data takes ~70 ms to
 * load, which would otherwise delay a check's first packet (bench/startup.ts).
 */
function publicSuffixList(): Promise<typeof PublicSuffixList> {
  return import('tldts');
}

/** Records whose first tag is v=DMARC1; discovery discards every other TXT (RFC 7489 §6.6.3 step 2). */
function dmarcRecords(outcome: QueryOutcome): string[] {
  return txtRecords(outcome).filter(isDmarcRecord);
}
