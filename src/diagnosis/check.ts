import type { Clock } from '../clock.js';
import type { DnsLookups } from './dns-lookups.js';
import type { DomainFacts } from './domain-facts.js';
import type { CheckTarget } from './check-target.js';
import type { Finding } from './finding.js';
import type { HttpsFetcher } from './https-port.js';
import type { SmtpSettings } from './smtp-settings.js';

/**
 * What every check gets: the domain and recipient, the run's shared DNS facts and the query
 * layer under them, and SMTP settings when the run probes mail servers.
 */
export interface CheckContext {
  readonly domain: string;
  readonly target: CheckTarget;
  readonly smtp: SmtpSettings | undefined;
  readonly facts: DomainFacts;
  readonly dns: DnsLookups;
  /** Fetches MTA-STS policies; absent when the run makes no HTTPS requests. */
  readonly https?: HttpsFetcher;
  /** DNSBL zones to look MX addresses up in; absent or empty: none. The default list is config's job. */
  readonly dnsblZones?: readonly string[];
  /** Wall time, for certificate expiry; absent in unit tests that do not care (then the prober's verdict stands). */
  readonly clock?: Clock;
  /** Told as each mail server session ends, for progress shown while the run goes on. */
  readonly onMailServerProbed?: (done: number, total: number) => void;
}

/**
 * One file per check under checks/. A check never throws for anything DNS says or fails to say:
 * it turns it into findings, "could not tell" included, and ends with a `pass` finding when it
 * found nothing wrong, so a report shows what was checked.
 */
export interface Check {
  /** Short name for timings and logs, e.g. 'mx' or 'spf'. */
  readonly name: string;
  run(context: CheckContext): Promise<Finding[]>;
}
