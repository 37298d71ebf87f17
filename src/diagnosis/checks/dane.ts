import type { Check, CheckContext } from '../check.js';
import { FLAG_DAY_UDP_SIZE, type DnsLookups, type QueryOutcome } from '../dns-lookups.js';
import { formatServer } from '../dns-port.js';
import { sameName } from '../domain-name.js';
import { finding, type EvidenceValue, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';
import type { CertificateInfo, SmtpProbeResult } from '../smtp-port.js';
import { mailServerSessions, type MailServerSession } from '../smtp-sessions.js';
import { validateHost, validatorFor, type HostValidations } from '../dnssec/mail-path.js';
import {
  associationData,
  formatTlsa,
  matchChain,
  servedAssociations,
  tlsaRecords,
  unusableReason,
  usageName,
  type TlsaMatch,
  type TlsaRecord,
} from '../tlsa-record.js';

/** What one SMTP session says about a host's TLSA records. */
type Verdict =
  | { readonly kind: 'match'; readonly address: string; readonly match: TlsaMatch }
  | {
      readonly kind: 'mismatch';
      readonly address: string;
      readonly chain: readonly CertificateInfo[];
      readonly nameMatches: boolean;
    }
  | { readonly kind: 'no-starttls'; readonly address: string; readonly extensions: readonly string[] }
  | { readonly kind: 'not-probed'; readonly address: string; readonly reason: string }
  /** TLS worked, but no record is usable, so there is nothing to authenticate against. */
  | { readonly kind: 'no-usable-records'; readonly address: string };

interface HostTlsa {
  readonly host: string;
  /** _25._tcp.<host> (RFC 7672 §2.2.3: the TLSA base domain is the MX host name). */
  readonly name: string;
  readonly outcome: QueryOutcome;
}

/**
 * DANE for SMTP (RFC 7672): the TLSA records of each MX host, asked with the DO bit so that a
 * validating resolver marks a DNSSEC-secure answer with AD, matched against the certificate chain
 * the SMTP session to each of the host's addresses was actually served. A record that did not
 * validate is never judged as if it did: DANE senders ignore insecure TLSA records.
 */
export const daneCheck: Check = {
  name: 'dane',
  async run(context: CheckContext): Promise<Finding[]> {
    const servers = await context.facts.mailServers();
    const hosts = [...new Map(servers.map((s) => [s.host.toLowerCase(), s.host])).values()];
    if (hosts.length === 0) return [];
    const [lookups, sessions, validations] = await Promise.all([
      Promise.all(
        hosts.map(async (host): Promise<HostTlsa> => ({
          host,
          name: `_25._tcp.${host}`,
          outcome: await lookUpSecure(context.dns, `_25._tcp.${host}`),
        })),
      ),
      mailServerSessions(context),
      validatorFor(context).then((validator) => Promise.all(hosts.map((host) => validateHost(validator, host)))),
    ]);
    return lookups.flatMap((lookup, i) =>
      judgeHost(
        context,
        lookup,
        sessions?.filter((s) => sameName(s.server.host, lookup.host)),
        validations[i] as HostValidations,
      ),
    );
  },
};

/**
 * TLSA at the run's resolver with the DO bit (RFC 3225), over TCP when truncated: without DO or
 * AD in the query, a validating resolver does not set AD in its reply (RFC 6840 §5.7).
 */
export async function lookUpSecure(dns: DnsLookups, name: string): Promise<QueryOutcome> {
  const base = {
    server: dns.settings.resolver,
    name,
    type: 'TLSA',
    recursionDesired: true,
    edns: { udpSize: FLAG_DAY_UDP_SIZE, dnssecOk: true },
  } as const;
  const udp = await dns.query({ ...base, transport: 'udp' });
  if (udp.ok && udp.reply.flags.tc) return dns.query({ ...base, transport: 'tcp' });
  return udp;
}

/**
 * What our own validation (RFC 7672 §2.2) says of a host's TLSA: it counts only when the TLSA RRset
 * and the host's address records are secure. 'unknown' when no trust anchor applied or lookups
 * failed: then the resolver's AD bit is all there is to go on.
 */
function daneSecurity(v: HostValidations): 'secure' | 'insecure' | 'bogus' | 'unknown' {
  const addressBogus = v.a.security === 'bogus' || (v.a.negative && v.aaaa.security === 'bogus');
  if (v.tlsa.security === 'bogus' || addressBogus) return 'bogus';
  if (v.tlsa.security === 'indeterminate' || v.a.security === 'indeterminate') return 'unknown';
  return v.tlsa.security === 'secure' && v.a.security === 'secure' ? 'secure' : 'insecure';
}

function judgeHost(
  context: CheckContext,
  { host, name, outcome }: HostTlsa,
  sessions: readonly MailServerSession[] | undefined,
  validation: HostValidations,
): Finding[] {
  const security = daneSecurity(validation);
  if (security === 'bogus') return bogusTlsa(host, name, validation, sessions);
  if (security === 'secure')
    return judgeRecords(context, host, name, tlsaRecords(validation.tlsa.records ?? []), true, 'NOERROR', sessions);
  if (outcome.ok && outcome.reply.rcode === 'SERVFAIL') return [servfail(host, name, outcome)];
  const failed = inconclusive(outcome, name, 'dane');
  if (failed || !outcome.ok) return failed ? [failed] : [];
  const records = tlsaRecords(outcome.reply.answers);
  if (security === 'insecure' && records.length > 0) return [notApplicable(host, name, records, validation)];
  return judgeRecords(context, host, name, records, outcome.reply.flags.ad, outcome.reply.rcode, sessions);
}

function judgeRecords(
  context: CheckContext,
  host: string,
  name: string,
  records: readonly TlsaRecord[],
  validated: boolean,
  rcode: string,
  sessions: readonly MailServerSession[] | undefined,
): Finding[] {
  if (records.length === 0) {
    return [
      finding({
        id: 'dane.no-tlsa',
        status: 'info',
        subject: name,
        summary: `${host} publishes no TLSA records at ${name}, so DANE does not apply to it.`,
        evidence: { mxHost: host, name, rcode, validated },
        ref: 'RFC 7672 §2.2',
      }),
    ];
  }
  const usable = records.filter((r) => unusableReason(r) === undefined);
  const findings: Finding[] = [];
  const unusable = records.filter((r) => unusableReason(r) !== undefined);
  if (unusable.length > 0) findings.push(unusableRecords(host, name, records, unusable, usable.length));
  if (!sessions) {
    findings.push(
      finding({
        id: 'dane.skipped',
        status: 'skipped',
        subject: name,
        summary: `${host} publishes TLSA records, but this run does not talk SMTP, so the certificate it serves was not compared with them.`,
        evidence: { mxHost: host, name, records: records.map(formatTlsa), validated },
        ref: 'RFC 7672 §3',
      }),
    );
    return findings;
  }
  const verdicts = sessions.map((s) => judgeSession(s, usable));
  if (!validated) {
    findings.push(unvalidated(context, host, name, records, verdicts));
    return findings;
  }
  for (const verdict of verdicts) {
    const f = verdictFinding(host, name, usable, verdict);
    if (f) findings.push(f);
  }
  return findings;
}

function judgeSession({ server, result }: MailServerSession, usable: readonly TlsaRecord[]): Verdict {
  const address = server.address;
  const notProbed = (reason: string): Verdict => ({ kind: 'not-probed', address, reason });
  if (result.refusedByPolicy)
    return notProbed(`the address is in a non-public range (${result.refusedByPolicy.range}), so it was not contacted`);
  if (!result.connect) return notProbed('no connection was attempted');
  if (!result.connect.ok) return notProbed(`the connection failed (${result.connect.error}: ${result.connect.detail})`);
  if (result.ehlo?.code !== 250 && result.helo?.code !== 250)
    return notProbed(sessionEnd(result, 'the server accepted neither EHLO nor HELO'));
  // After TLS the extensions are those of the second EHLO, which must not list STARTTLS (RFC 3207
  // §4.2): whether STARTTLS was sent is what tells a server that offers it.
  if (result.starttls === undefined && !('STARTTLS' in result.extensions))
    return { kind: 'no-starttls', address, extensions: Object.keys(result.extensions) };
  const chain = result.tls?.chain ?? [];
  if (chain.length === 0)
    return notProbed(
      result.tls?.error
        ? `the TLS handshake failed: ${result.tls.error}`
        : sessionEnd(result, 'STARTTLS did not lead to a TLS session'),
    );
  if (usable.length === 0) return { kind: 'no-usable-records', address };
  const nameMatches = result.tls?.nameMatches ?? false;
  const match = matchChain(usable, chain, nameMatches);
  return match ? { kind: 'match', address, match } : { kind: 'mismatch', address, chain, nameMatches };
}

function sessionEnd(result: SmtpProbeResult, otherwise: string): string {
  return result.abort
    ? `the session ended at ${result.abort.step} (${result.abort.reason}: ${result.abort.detail})`
    : otherwise;
}

function verdictFinding(
  host: string,
  name: string,
  usable: readonly TlsaRecord[],
  verdict: Verdict,
): Finding | undefined {
  const subject = verdict.address;
  const where = { mxHost: host, address: verdict.address, name, validated: true };
  switch (verdict.kind) {
    case 'match': {
      const { record, position, subject: certificate } = verdict.match;
      return finding({
        id: 'dane.match',
        status: 'pass',
        subject,
        summary: `${host} (${verdict.address}) serves a certificate chain that matches the DNSSEC-validated TLSA record ${record.usage} ${record.selector} ${record.matchingType} (${usageName(record.usage)}) at ${name}.`,
        evidence: { ...where, record: formatTlsa(record), position, certificate },
        ref: 'RFC 7672 §3',
      });
    }
    case 'mismatch': {
      const leaf = verdict.chain[0];
      const suggested = leaf ? `${name}. IN TLSA 3 1 1 ${associationData(leaf, 1, 1) ?? ''}` : '';
      const taNameOnly = !verdict.nameMatches && matchChain(usable, verdict.chain, true) !== undefined;
      return finding({
        id: 'dane.mismatch',
        status: 'fail',
        subject,
        summary: taNameOnly
          ? `${host} (${verdict.address}) serves a chain from the DANE-TA trust anchor at ${name}, but its certificate does not name ${host}, so DANE senders will not deliver to it.`
          : `${host} (${verdict.address}) serves a certificate that matches none of the ${usable.length} DNSSEC-validated TLSA record${usable.length === 1 ? '' : 's'} at ${name}, so DANE senders will not deliver to it.`,
        evidence: {
          ...where,
          expected: usable.map(formatTlsa),
          served: servedAssociations(usable, verdict.chain),
          nameMatches: verdict.nameMatches,
          leaf: leaf?.subject ?? null,
        },
        remedy: taNameOnly
          ? `Serve a certificate whose subjectAltName includes ${host}.`
          : `Publish a TLSA record for the certificate now served (for its key: "${suggested}") next to the old ones, or serve again the certificate the records describe; remove old records only after their TTL has passed.`,
        ref: 'RFC 7672 §3.2; RFC 7671 §8',
      });
    }
    case 'no-starttls':
      return finding({
        id: 'dane.no-starttls',
        status: 'fail',
        subject,
        summary: `${host} (${verdict.address}) does not offer STARTTLS, but it has DNSSEC-validated TLSA records at ${name}, so DANE senders will not deliver to it.`,
        evidence: { ...where, extensions: [...verdict.extensions] },
        remedy: `Enable STARTTLS on ${host}, or remove the TLSA records at ${name} if it cannot offer TLS.`,
        ref: 'RFC 7672 §2.2',
      });
    case 'not-probed':
      return finding({
        id: 'dane.skipped',
        status: 'skipped',
        subject,
        summary: `The TLSA records at ${name} could not be compared with what ${host} (${verdict.address}) serves: ${verdict.reason}.`,
        evidence: { ...where, reason: verdict.reason },
        ref: 'RFC 7672 §3',
      });
    case 'no-usable-records':
      return undefined;
  }
}

function unvalidated(
  context: CheckContext,
  host: string,
  name: string,
  records: readonly TlsaRecord[],
  verdicts: readonly Verdict[],
): Finding {
  const broken = verdicts.filter((v) => v.kind === 'mismatch' || v.kind === 'no-starttls');
  const results = verdicts.map((v): { [key: string]: EvidenceValue } => ({
    address: v.address,
    result: v.kind,
    ...(v.kind === 'not-probed' ? { reason: v.reason } : {}),
  }));
  const resolver = formatServer(context.dns.settings.resolver);
  return finding({
    id: 'dane.unvalidated',
    status: broken.length > 0 ? 'warn' : 'info',
    subject: name,
    summary:
      `The TLSA records at ${name} did not come back DNSSEC-validated (no AD bit from ${resolver}), so DANE senders ignore them if the zone is unsigned` +
      (broken.length > 0
        ? `; and ${broken.map((v) => `${v.address} ${v.kind === 'no-starttls' ? 'offers no STARTTLS' : 'serves a certificate they do not match'}`).join(', ')}, which would stop DANE senders once they validate.`
        : '.'),
    evidence: { mxHost: host, name, records: records.map(formatTlsa), validated: false, resolver, results },
    remedy:
      `If the zone of ${host} is DNSSEC-signed, run mxops with a validating resolver to check DANE for real; if it is not, sign it and publish its DS record, or the TLSA records have no effect.` +
      (broken.length > 0 ? ' Fix the mismatch first, or signing will make DANE senders stop delivering.' : ''),
    ref: 'RFC 7672 §2.2; RFC 6698 §4',
  });
}

function unusableRecords(
  host: string,
  name: string,
  records: readonly TlsaRecord[],
  unusable: readonly TlsaRecord[],
  usableCount: number,
): Finding {
  return finding({
    id: 'dane.unusable-records',
    status: usableCount === 0 ? 'warn' : 'info',
    subject: name,
    summary:
      usableCount === 0
        ? `None of the TLSA records at ${name} is usable for SMTP, so DANE senders insist on STARTTLS to ${host} but authenticate nothing: ${unusableReason(unusable[0] as TlsaRecord) ?? ''}.`
        : `${unusable.length} of the ${records.length} TLSA records at ${name} ${unusable.length === 1 ? 'is' : 'are'} ignored by SMTP clients: ${unusableReason(unusable[0] as TlsaRecord) ?? ''}.`,
    evidence: {
      mxHost: host,
      name,
      unusable: unusable.map((r) => ({ record: formatTlsa(r), reason: unusableReason(r) ?? '' })),
      usable: usableCount,
    },
    remedy: `Publish DANE-EE records ("3 1 1 <SHA-256 of the server's public key>") or DANE-TA records ("2 1 1 <SHA-256 of the issuing CA's key>") at ${name} and remove the others.`,
    ref: 'RFC 7672 §3.1.3; RFC 7671 §5',
  });
}

/** TLSA in a zone that is not signed (or whose host addresses are not): DANE senders ignore it (RFC 7672 §2.2). */
function notApplicable(host: string, name: string, records: readonly TlsaRecord[], v: HostValidations): Finding {
  const why = v.tlsa.security !== 'secure' ? v.tlsa : v.a;
  return finding({
    id: 'dane.not-applicable',
    status: 'info',
    subject: name,
    summary: `${host} publishes TLSA records at ${name}, but ${why.type} ${why.name} is not DNSSEC-signed as validators see it (${why.detail}), so DANE senders ignore them.`,
    evidence: {
      mxHost: host,
      name,
      records: records.map(formatTlsa),
      validated: false,
      zone: why.zone,
      security: why.security,
    },
    remedy: `Sign the zone of ${host} and publish its DS record at the parent, or remove the TLSA records: unsigned, they have no effect.`,
    ref: 'RFC 7672 §2.2',
  });
}

/**
 * A bogus TLSA RRset (or bogus address records of the host): a DANE sender's validating resolver
 * answers SERVFAIL, and RFC 7672 §2.2.1 has it defer rather than fall back to unauthenticated TLS.
 */
function bogusTlsa(
  host: string,
  name: string,
  v: HostValidations,
  sessions: readonly MailServerSession[] | undefined,
): Finding[] {
  const why = v.tlsa.security === 'bogus' ? v.tlsa : v.a.security === 'bogus' ? v.a : v.aaaa;
  const base = {
    id: 'dane.bogus',
    status: 'fail' as const,
    summary: `DANE senders defer mail to ${host}: ${why.type} ${why.name} is DNSSEC-bogus (${why.reason ?? 'bad-signature'}: ${why.detail}).`,
    remedy: `Fix the signatures of ${why.zone} (see dnssec.bogus); DANE senders will not deliver to ${host} until ${why.type} ${why.name} validates.`,
    ref: 'RFC 7672 §2.2.1',
  };
  const evidence = {
    mxHost: host,
    host,
    name,
    zone: why.zone,
    reason: why.reason ?? 'bad-signature',
    rrset: `${why.type} ${why.name}`,
  };
  const addresses = sessions?.map((s) => s.server.address) ?? [];
  if (addresses.length === 0) return [finding({ ...base, subject: name, evidence })];
  return addresses.map((address) => finding({ ...base, subject: address, evidence: { ...evidence, address } }));
}

function servfail(host: string, name: string, outcome: QueryOutcome): Finding {
  const query = outcome.ok ? outcome.reply.query : outcome.query;
  return finding({
    id: 'dane.tlsa-servfail',
    status: 'error',
    subject: name,
    summary: `${formatServer(query.server)} answered SERVFAIL for TLSA ${name}; if that is a DNSSEC validation failure or a server that cannot answer TLSA queries, DANE senders defer all mail to ${host} while it lasts.`,
    evidence: { mxHost: host, name, server: formatServer(query.server), rcode: 'SERVFAIL', transport: query.transport },
    remedy: `Check the zone of ${host} with a DNSSEC debugger (signatures, DS at the parent) and make its nameservers answer TLSA queries (NODATA when there is none).`,
    ref: 'RFC 7672 §2.1.1',
  });
}
