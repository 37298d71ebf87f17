/**
 * What the MTA-STS, TLS-RPT, DANE and DNSBL checks read beyond CheckContext. Both fields are
 * optional so that a context without them (a DNS-only run, the existing tests) is one too; they
 * are meant to move into CheckContext itself, after which this file reduces to the aliases.
 */
import type { Check, CheckContext } from './check.js';
import type { Finding } from './finding.js';
import type { HttpsFetcher } from './https-port.js';

export type PolicyContext = CheckContext & {
  /** Fetches the MTA-STS policy; absent when the run makes no HTTPS requests. */
  readonly https?: HttpsFetcher;
  /** DNSBL zones to look MX addresses up in (e.g. zen.spamhaus.org); absent or empty: none. */
  readonly dnsblZones?: readonly string[];
};

/** A Check that reads the fields above; it is still a Check, so it runs with the others. */
export interface PolicyCheck extends Check {
  run(context: PolicyContext): Promise<Finding[]>;
}
