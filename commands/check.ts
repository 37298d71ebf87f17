import type { Clock } from '../src/clock.js';
import type { Config } from '../src/config.js';
import { parseInteger } from '../src/config.js';
import type { DiagnosisProgress, DiagnosisReport } from '../src/diagnosis/diagnose.js';
import type { DnsClient, DnsServer } from '../src/diagnosis/dns-port.js';
import { parseCheckTarget, type CheckTarget } from '../src/diagnosis/check-target.js';
import type { Check } from '../src/diagnosis/check.js';
import { DnsLookups, type LookupSettings } from '../src/diagnosis/dns-lookups.js';
import { askFirstQuestion } from '../src/diagnosis/first-question.js';
import type { MailServerLimits } from '../src/diagnosis/mail-server-limits.js';
import { AppError } from '../src/errors.js';
import { parseHostPort } from '../src/host-port.js';
import type { SmtpSettings } from '../src/diagnosis/smtp-settings.js';
import type { HttpsFetcher } from '../src/diagnosis/https-port.js';

export interface CheckCommandInput {
  /** A domain, or an address whose mail fails (someone@partner.com). */
  readonly domain: string;
  readonly json: boolean;
  /** Every finding with its evidence instead of the grouped problems. */
  readonly verbose?: boolean;
  /** host[:port] as typed; overrides the configured resolver. */
  readonly resolver?: string | undefined;
  /** Milliseconds as typed; overrides the configured per-query time-out. */
  readonly timeout?: string | undefined;
  /** Skip SMTP probes. */
  readonly dnsOnly?: boolean;
  /** Probe through workers instead of in this process. */
  readonly queue?: boolean;
  /** Allow probing non-public addresses (in-process probes only). */
  readonly allowPrivate?: boolean;
}

export interface CheckCommandDeps {
  readonly config: Config;
  readonly dns: DnsClient;
  /** The system's resolver, asked only when neither the input nor the config names one. */
  readonly systemResolver: () => DnsServer | undefined;
  /** Monotonic time for the report's durations, wall time for certificate expiry. */
  readonly clock: Clock;
  /** Fetches MTA-STS policies for this input (not in a DNS-only check); built only after the input is valid. */
  readonly httpsFor?: (input: ProbeOptions) => HttpsFetcher;
  /** SMTP probing for this input, or undefined for a DNS-only check; built only after the input is valid. */
  readonly smtpFor?: (input: ProbeOptions) => Promise<SmtpSettings | undefined>;
  /** Told once the input is valid and the check starts, to show progress (the CLI does on a terminal). */
  readonly onStart?: (domain: string, resolver: DnsServer) => void;
}

export interface CommandResult {
  readonly output: string;
  /** 0: nothing fails. 1: something fails. (Bad input throws a BAD_INPUT AppError: exit 2.) */
  readonly exitCode: 0 | 1;
}

export interface CheckResult extends CommandResult {
  /** For `mxops history`: the caller stores it once the output is out. */
  readonly report: DiagnosisReport;
}

/** `mxops check <domain>`: validates everything before sending a packet, then diagnoses. */
export async function runCheckCommand(input: CheckCommandInput, deps: CheckCommandDeps): Promise<CheckResult> {
  // The renderers load while the checks wait on the network.
  const [report, { reportToJson }, { renderReportText }] = await Promise.all([
    diagnoseTarget(parseCheckTarget(input.domain), input, deps),
    import('../src/diagnosis/report-json.js'),
    import('../src/diagnosis/render-text.js'),
  ]);
  return {
    report,
    output: input.json
      ? `${JSON.stringify(reportToJson(report), null, 2)}\n`
      : renderReportText(report, { verbose: input.verbose ?? false }),
    exitCode: report.findings.some((f) => f.status === 'fail') ? 1 : 0,
  };
}

/** How a diagnosis runs, as the command line sets it: resolver, time-out, SMTP or not. */
export type ProbeOptions = Omit<CheckCommandInput, 'domain' | 'json'>;

/** A run's options: the command line's, and what the chat surfaces add. */
export interface DiagnosisOptions extends ProbeOptions {
  /** Probe the mail servers afresh (Re-check), past the probe cache. */
  readonly fresh?: boolean;
  /** Told whenever a check finishes or a mail server has been probed. */
  readonly onProgress?: (progress: DiagnosisProgress) => void;
}

/**
 * The resolver and the DNS time-out a run uses: the command line's (--resolver, --timeout) over the
 * configuration's, the system resolver last. Throws on a malformed option; `resolver` is undefined
 * only when nothing names one and the system has none.
 */
export function dnsChoices(
  input: Pick<ProbeOptions, 'resolver' | 'timeout'>,
  deps: Pick<CheckCommandDeps, 'config' | 'systemResolver'>,
): { readonly resolver: DnsServer | undefined; readonly timeoutMs: number } {
  return {
    timeoutMs:
      input.timeout === undefined
        ? deps.config.dnsTimeoutMs
        : parseInteger(input.timeout, 50, 60_000, '--timeout in milliseconds'),
    resolver:
      input.resolver !== undefined
        ? parseHostPort(input.resolver, 53, '--resolver')
        : (deps.config.resolver ?? deps.systemResolver()),
  };
}

/**
 * Diagnoses an already valid target with the command line's options (and only `checks`, when
 * given), checking the options before sending a packet. Every diagnosis runs through here: the
 * CLI's check and bounce, the chat surfaces and the watch worker (src/cli/diagnosis-runner.ts).
 */
export async function diagnoseTarget(
  target: CheckTarget,
  input: DiagnosisOptions,
  deps: CheckCommandDeps,
  checks?: readonly Check[],
): Promise<DiagnosisReport> {
  const { timeoutMs, resolver } = dnsChoices(input, deps);
  if (!resolver)
    throw new AppError(
      'BAD_CONFIG',
      'no resolver: the system has none configured; pass --resolver host[:port] or set MXOPS_RESOLVER',
    );

  deps.onStart?.(target.domain, resolver);
  const lookups = new DnsLookups(
    deps.dns,
    lookupSettings(deps.config, resolver, { timeoutMs, allowPrivate: input.allowPrivate ?? false }),
  );
  // A full check's first question goes out now, and the checks (about 90 modules, most of a
  // CLI check's start-up: bench/startup.ts) and the SMTP prober load while it is answered.
  if (checks === undefined) askFirstQuestion(lookups, target.domain);
  const [smtp, { diagnose }] = await Promise.all([
    input.dnsOnly ? undefined : deps.smtpFor?.(input),
    import('../src/diagnosis/diagnose.js'),
  ]);
  const https = input.dnsOnly ? undefined : deps.httpsFor?.(input);
  return diagnose(target, {
    ...(smtp ? { smtp: input.fresh ? { ...smtp, fresh: true } : smtp } : {}),
    ...(https ? { https } : {}),
    clock: deps.clock,
    ...(checks ? { checks } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    dnsblZones: deps.config.dnsblZones,
    lookups,
    limits: mailServerLimits(deps.config),
  });
}

/** How a diagnosis asks DNS, from the configuration and what the command line overrides; the one place that builds it. */
export function lookupSettings(
  config: Config,
  resolver: DnsServer,
  overrides: { readonly timeoutMs?: number; readonly allowPrivate?: boolean } = {},
): LookupSettings {
  return {
    resolver,
    authoritativePort: config.authoritativePort,
    queryOptions: { timeoutMs: overrides.timeoutMs ?? config.dnsTimeoutMs, retries: config.dnsRetries },
    rootHints: config.rootHints,
    trustAnchors: config.trustAnchors,
    // The flag that lets SMTP probe private addresses covers DNS packets too: a test bed needs both.
    allowPrivateTargets: config.smtp.allowPrivateTargets || (overrides.allowPrivate ?? false),
    maxQueries: config.maxQueriesPerCheck,
  };
}

export function mailServerLimits(config: Config): MailServerLimits {
  return { maxHosts: config.maxMxHosts, maxAddresses: config.maxMxAddresses };
}
