/**
 * The one diagnosis runner of the process. `mxops check` and `mxops bounce`, the chat surfaces
 * (console, Slack, Teams) and the watch worker all run a diagnosis with deps made by
 * diagnosisDeps() through commands/check.ts's diagnoseTarget, so the resolver, the DNS settings,
 * the limits, the DNSBL zones and the clocks are chosen in one place. They differ only in how
 * they reach mail servers and policy hosts (their Probes) and in whether they say when a check
 * starts.
 */
import { getServers } from 'node:dns';
import {
  diagnoseTarget,
  dnsChoices,
  type CheckCommandDeps,
  type DiagnosisOptions,
  type ProbeOptions,
} from '../../commands/check.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { Check } from '../diagnosis/check.js';
import type { CheckTarget } from '../diagnosis/check-target.js';
import type { DiagnosisReport } from '../diagnosis/diagnose.js';
import type { DnsServer } from '../diagnosis/dns-port.js';
import type { HttpsFetcher } from '../diagnosis/https-port.js';
import type { SmtpSettings } from '../diagnosis/smtp-settings.js';
import { AppError } from '../errors.js';
import { parseHostPort } from '../host-port.js';
import { createDnsClient } from '../net/dns-client.js';

/** How a surface reaches mail servers and policy hosts, and what it says when a check starts. */
export type Probes = Pick<CheckCommandDeps, 'smtpFor' | 'httpsFor' | 'onStart'>;

export function diagnosisDeps(config: Config, probes: Probes): CheckCommandDeps {
  const clock = systemClock;
  return {
    config,
    // Stateless (a socket per query), so one serves every check of the process.
    dns: createDnsClient(clock),
    clock,
    systemResolver,
    ...probes,
  };
}

/** Probes set up once for the life of the process: a chat surface's, the watch worker's. */
export function fixedProbes(smtp: SmtpSettings | undefined, https: HttpsFetcher | undefined): Probes {
  return {
    ...(smtp ? { smtpFor: () => Promise.resolve(smtp) } : {}),
    ...(https ? { httpsFor: () => https } : {}),
  };
}

export type DiagnosisRunner = (
  target: CheckTarget,
  options?: DiagnosisOptions & { readonly checks?: readonly Check[] },
) => Promise<DiagnosisReport>;

/**
 * Diagnoses as the chat surfaces and the watch worker do: with the configured resolver and
 * time-outs, or what `defaults` sets for every run (`mxops chat --resolver ... --allow-private`),
 * every check unless told which. A daemon on a system with no resolver, or a bad option, fails at
 * start-up, not at its first check.
 */
export function diagnosisRunner(deps: CheckCommandDeps, defaults: ProbeOptions = {}): DiagnosisRunner {
  if (!dnsChoices(defaults, deps).resolver)
    throw new AppError('BAD_CONFIG', 'no resolver: the system has none configured; set MXOPS_RESOLVER');
  return (target, { checks, ...options } = {}) => diagnoseTarget(target, { ...defaults, ...options }, deps, checks);
}

/** The first resolver of the system's configuration (/etc/resolv.conf), when neither input nor config names one. */
export function systemResolver(): DnsServer | undefined {
  const first = getServers()[0];
  return first === undefined ? undefined : parseHostPort(first, 53, 'the system resolver');
}
