import type { DnsServer } from './dns-port.js';

/**
 * One address of one of the domain's nameservers, as the queries to it need it. Apart from
 * domain-facts.ts, which finds them, so that what probes them (delegation/nameserver-health.ts,
 * size-probe.ts, checks/edns.ts) does not import the facts that call it back.
 */
export interface AuthoritativeServer {
  /** The NS host name, for people. */
  readonly host: string;
  readonly address: string;
  readonly server: DnsServer;
}
