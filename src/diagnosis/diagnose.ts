import type { Clock } from '../clock.js';
import type { Check, CheckContext } from './check.js';
import type { CheckTarget } from './check-target.js';
import type { SmtpSettings } from './smtp-settings.js';
import { dmarcCheck } from './checks/dmarc.js';
import { ednsCheck } from './checks/edns.js';
import { mxCheck } from './checks/mx.js';
import { nameserversCheck } from './checks/nameservers.js';
import { ptrCheck } from './checks/ptr.js';
import { replySizeCheck } from './checks/reply-size.js';
import { spfCheck } from './checks/spf.js';
import { smtpCheck } from './checks/smtp.js';
import { mtaStsCheck } from './checks/mtasts.js';
import { tlsRptCheck } from './checks/tlsrpt.js';
import { daneCheck } from './checks/dane.js';
import { dnsblCheck } from './checks/dnsbl.js';
import { dnssecCheck } from './checks/dnssec.js';
import type { HttpsFetcher } from './https-port.js';
import { DnsLookups, type LookupSettings } from './dns-lookups.js';
import type { DnsClient } from './dns-port.js';
import { DomainFacts } from './domain-facts.js';
import type { MailServerLimits } from './mail-server-limits.js';
import { compareStatus, finding, worstStatus, type Finding, type Status } from './finding.js';
import { LOOKUP_FAILURE_ID } from './lookup-failure.js';
import { isWithin } from './delegation/walk.js';
import { observe, type Observations } from './observations.js';
import { judgeSenders, type SenderVerdict } from './senders.js';

/**
 * The checks of `mxops check`; they all run at once, sharing one DnsLookups and one SMTP session
 * per mail server address. Those that need SMTP or HTTPS say nothing (or `skipped`) without them.
 */
export const ALL_CHECKS: readonly Check[] = [
  mxCheck,
  nameserversCheck,
  replySizeCheck,
  ednsCheck,
  ptrCheck,
  spfCheck,
  dmarcCheck,
  smtpCheck,
  mtaStsCheck,
  tlsRptCheck,
  daneCheck,
  dnssecCheck,
  dnsblCheck,
];

export interface DiagnosisReport {
  readonly domain: string;
  /** The RCPT TO address the SMTP probes use. */
  readonly recipient: string;
  /** The worst status among the findings. */
  readonly status: Status;
  readonly durationMs: number;
  /** Worst first. */
  readonly findings: readonly Finding[];
  readonly senders: readonly SenderVerdict[];
  readonly timings: readonly { readonly check: string; readonly durationMs: number }[];
  /** Packets sent after de-duplication. */
  readonly queriesSent: number;
  /** What DNS held (records, answer sizes), for comparing runs; empty in reports stored before it existed. */
  readonly observations: Observations;
}

/** Where a run stands, for showing progress while it goes on. */
export interface DiagnosisProgress {
  readonly checksDone: number;
  readonly checksTotal: number;
  /** Undefined until the mail server addresses are known (and for a DNS-only run). */
  readonly mailServers: { readonly done: number; readonly total: number } | undefined;
  /** Findings of the checks done so far, worst first. */
  readonly findings: readonly Finding[];
}

/** How a run asks DNS: a client and settings, or a DnsLookups already asking (see first-question.ts). */
export type DiagnoseDns =
  | { readonly dns: DnsClient; readonly lookup: LookupSettings; readonly lookups?: undefined }
  | { readonly lookups: DnsLookups };

export type DiagnoseDeps = DiagnoseDns & DiagnoseOptions;

export interface DiagnoseOptions {
  /** Monotonic time for the durations in the report; wall time for certificate expiry. */
  readonly clock: Clock;
  readonly checks?: readonly Check[];
  /** SMTP probing; without it the run checks DNS only. */
  readonly smtp?: SmtpSettings;
  /** Fetches MTA-STS policies; without it the policy fetch is skipped. */
  readonly https?: HttpsFetcher;
  /** DNSBL zones to look the MX addresses up in. */
  readonly dnsblZones?: readonly string[];
  /** Caps on the MX hosts and addresses looked at; the defaults when absent. */
  readonly limits?: MailServerLimits;
  /** Told whenever a check finishes or a mail server has been probed. */
  readonly onProgress?: (progress: DiagnosisProgress) => void;
}

/** Runs every check concurrently against an already parsed target and assembles the report. */
export async function diagnose(target: CheckTarget, deps: DiagnoseDeps): Promise<DiagnosisReport> {
  const started = deps.clock.monotonicMs();
  const { domain } = target;
  const dns = deps.lookups ?? new DnsLookups(deps.dns, deps.lookup);
  const checks = deps.checks ?? ALL_CHECKS;
  const gathered: Finding[] = [];
  let checksDone = 0;
  let mailServers: DiagnosisProgress['mailServers'];
  const tell = (): void =>
    deps.onProgress?.({
      checksDone,
      checksTotal: checks.length,
      mailServers,
      findings: sortWorstFirst(dropRepeats(gathered)),
    });
  const context: CheckContext = {
    domain,
    target,
    smtp: deps.smtp,
    dns,
    facts: new DomainFacts(domain, dns, deps.limits),
    ...(deps.https ? { https: deps.https } : {}),
    ...(deps.dnsblZones ? { dnsblZones: deps.dnsblZones } : {}),
    clock: deps.clock,
    onMailServerProbed: (done, total) => {
      mailServers = { done, total };
      tell();
    },
  };
  const results = await Promise.all(
    checks.map(async (check) => {
      const checkStarted = deps.clock.monotonicMs();
      const findings = await check.run(context).catch((error: unknown) => [crashed(check, domain, error)]);
      checksDone++;
      gathered.push(...findings);
      tell();
      return { check: check.name, findings, durationMs: deps.clock.monotonicMs() - checkStarted };
    }),
  );
  const budget = dns.queriesOverBudget > 0 ? [overBudget(domain, dns.settings.maxQueries, dns.queriesOverBudget)] : [];
  const findings = sortWorstFirst(dropRepeats(explainDeadZones([...results.flatMap((r) => r.findings), ...budget])));
  return {
    domain,
    recipient: target.recipient,
    status: worstStatus(findings),
    durationMs: deps.clock.monotonicMs() - started,
    findings,
    senders: judgeSenders(findings, { smtp: deps.smtp !== undefined }),
    timings: results.map(({ check, durationMs }) => ({ check, durationMs })),
    queriesSent: dns.queriesSent,
    observations: observe(await dns.outcomes()),
  };
}

/** A bug in a check must not sink the report: it becomes an `error` finding like any other unknown. */
function crashed(check: Check, domain: string, error: unknown): Finding {
  return finding({
    id: 'check.crashed',
    status: 'error',
    subject: domain,
    summary: `The ${check.name} check stopped with an internal error, so its part of the diagnosis is missing.`,
    evidence: { check: check.name, error: error instanceof Error ? error.message : String(error) },
    remedy: 'This is a bug in mxops: please report it with the domain and this message.',
  });
}

/**
 * With a zone's nameservers dead or all lame, our resolver's time-outs and SERVFAILs for names in
 * that zone are the consequence, already explained: "not checked", never "could not tell", and
 * never a hint that our resolver is at fault.
 */
function explainDeadZones(findings: readonly Finding[]): Finding[] {
  const dead = [
    ...findings.filter((f) => f.id === 'dns.nameservers-unreachable').map((f) => f.subject),
    ...findings
      .filter((f) => f.id === 'dns.lame-delegation' && f.status === 'fail')
      .map((f) => String(f.evidence.zone)),
  ];
  if (dead.length === 0) return [...findings];
  return findings.map((f) => {
    const qname = f.evidence.qname;
    const zone =
      typeof qname === 'string' && LOOKUP_FAILURE_ID.test(f.id) ? dead.find((z) => isWithin(qname, z)) : undefined;
    if (zone === undefined) return f;
    return finding({
      id: 'dns.not-checked',
      status: 'skipped',
      subject: f.subject,
      summary: `${String(f.evidence.qtype)} ${qname} was not checked: no nameserver of ${zone} answers for it (see the nameserver findings).`,
      evidence: f.evidence,
      ref: f.ref,
    });
  });
}

/** A zone built to make a check send thousands of packets gets a bounded check that says where it stopped. */
function overBudget(domain: string, sent: number, heldBack: number): Finding {
  return finding({
    id: 'dns.query-budget-exhausted',
    status: 'error',
    subject: domain,
    summary: `This check sent the ${sent} DNS queries one check may send and held back ${heldBack} more, so parts of the report could not be checked.`,
    evidence: { sent, heldBack },
    remedy:
      'A domain that needs this many lookups is unusual (hundreds of MX hosts or nameservers); raise MXOPS_MAX_QUERIES_PER_CHECK if it is expected.',
    ref: 'RFC 1034 §5.3.3 (resolvers bound the work per request)',
  });
}

/** Checks that share a query may each report its time-out; the reader needs it once. */
function dropRepeats(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.id, f.subject, f.evidence]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortWorstFirst(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => compareStatus(a.status, b.status));
}
